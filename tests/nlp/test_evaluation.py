"""The scorer on hand-made gold/prediction pairs, with exact counts."""

import json
from pathlib import Path

import pytest

from nlp.evaluation import FIELDS, GoldFormatError, read_gold, score


def test_code_fields_are_scored_as_sets_micro_averaged_over_documents() -> None:
    pairs = [
        ({"countries": ["KZ", "US"]}, {"countries": ["KZ", "RU", "KZ"]}),
        ({"countries": ["DE"]}, {"countries": ["DE"]}),
    ]
    result = score(pairs)["countries"]
    assert (result["tp"], result["fp"], result["fn"]) == (2, 1, 1)
    assert result["precision"] == pytest.approx(2 / 3)
    assert result["recall"] == pytest.approx(2 / 3)
    assert result["f1"] == pytest.approx(2 / 3)


def test_cities_match_by_name_and_country_after_turkish_case_folding() -> None:
    gold = {"cities": [{"name": "İstanbul", "country": "TR"}, {"name": "Almatı", "country": "KZ"}]}
    predicted = {"cities": [{"name": "İSTANBUL", "country": "TR"}, {"name": "ALMATI", "country": "KZ"}]}
    result = score([(gold, predicted)])["cities"]
    # "ALMATI" folds to "almatı" with Turkish rules and equals "Almatı"; "İSTANBUL" folds to "istanbul".
    assert (result["tp"], result["fp"], result["fn"]) == (2, 0, 0)
    wrong_country = {"cities": [{"name": "Almatı", "country": "RU"}]}
    result = score([({"cities": [{"name": "Almatı", "country": "KZ"}]}, wrong_country)])["cities"]
    assert (result["tp"], result["fp"], result["fn"]) == (0, 1, 1)


def test_projects_by_code_when_gold_has_one_else_token_jaccard() -> None:
    gold = {
        "projects": [
            {"name": "Demirci Halıları Kümeleme Projesi", "code": "21.UR-GE.016"},
            {"name": "Kimya UR-GE Projesi", "code": None},
        ]
    }
    predicted = {
        "projects": [
            {"name": "Entirely different words", "code": "21.UR-GE.016"},  # code decides
            {"name": "Kimya Ur-Ge Projesi", "code": None},  # Jaccard 1.0 after folding
            {"name": "Kimya UR-GE Projesi", "code": None},  # a second match for the same gold: FP
        ]
    }
    result = score([(gold, predicted)])["projects"]
    assert (result["tp"], result["fp"], result["fn"]) == (2, 1, 0)
    # Jaccard {kimya, projesi} / {kimya, ur, ge, projesi, bursa} = 2/5 < 0.5
    pair = ({"projects": [{"name": "Kimya UR-GE Projesi"}]}, {"projects": [{"name": "Bursa Kimya Projesi"}]})
    result = score([pair])["projects"]
    assert (result["tp"], result["fp"], result["fn"]) == (0, 1, 1)


def test_organizations_by_surface_form_or_jaccard_one_to_one() -> None:
    gold = {"organizations": [["Bursa Ticaret ve Sanayi Odası", "BTSO"], ["Ticaret Bakanlığı"]]}
    predicted = {
        "organizations": [
            ["btso"],  # equals an abbreviation after case folding
            ["T.C. Ticaret Bakanlığı"],  # Jaccard {ticaret, bakanlığı}/{t, c, ticaret, bakanlığı} = 0.5 < 0.6
            ["Ticaret Bakanlığı'nın"],  # Jaccard 2/3 >= 0.6
        ]
    }
    result = score([(gold, predicted)])["organizations"]
    assert (result["tp"], result["fp"], result["fn"]) == (2, 1, 0)


def test_event_dates_exact_and_empty_fields() -> None:
    gold = {"event_dates": [{"start": "2023-07-09", "end": "2023-07-15"}, {"start": "2020-02", "end": "2020-02"}]}
    predicted = {"event_dates": [{"start": "2023-07-09", "end": "2023-07-09"}, {"start": "2020-02", "end": "2020-02"}]}
    scores = score([(gold, predicted)])
    assert (scores["event_dates"]["tp"], scores["event_dates"]["fp"], scores["event_dates"]["fn"]) == (1, 1, 1)
    assert set(scores) == set(FIELDS)
    # Nothing to find and nothing found is a perfect score, not a division by zero.
    assert scores["sectors"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 0, "fp": 0, "fn": 0}


def test_bad_gold_line_names_file_and_line(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "a", "text": "x", "gold": {}}) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"gold.jsonl:2"):
        read_gold(gold)
