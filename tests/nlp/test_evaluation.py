"""The scorer on hand-made gold/prediction pairs, with exact counts."""

import json
from pathlib import Path

import pytest

from nlp.evaluation import EVENT_DETAILS, FIELDS, GoldFormatError, read_gold, score


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
    assert set(scores) == set(FIELDS) | set(EVENT_DETAILS)
    # Nothing to find and nothing found is a perfect score, not a division by zero.
    assert scores["sectors"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 0, "fp": 0, "fn": 0}


def test_bad_gold_line_names_file_and_line(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "a", "text": "x", "gold": {}}) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(GoldFormatError, match=r"gold.jsonl:2"):
        read_gold(gold)


def test_cities_are_accent_folded_and_project_codes_compared_without_punctuation() -> None:
    gold = {
        "cities": [{"name": "İzmir", "country": "TR"}, {"name": "Almatı", "country": "KZ"}],
        "projects": [{"name": "Zeytinyağı UR-GE Projesi", "code": "19.UR-GE.056"}],
    }
    predicted = {
        "cities": [{"name": "Izmir", "country": "TR"}, {"name": "Almati", "country": "KZ"}],
        "projects": [{"name": "Zeytinyağı Projesi", "code": "19UR-GE056"}],
    }
    scores = score([(gold, predicted)])
    assert (scores["cities"]["tp"], scores["cities"]["fp"], scores["cities"]["fn"]) == (2, 0, 0)
    assert (scores["projects"]["tp"], scores["projects"]["fp"], scores["projects"]["fn"]) == (1, 0, 0)


def _event(activity: str, **fields: object) -> dict[str, object]:
    event: dict[str, object] = {"activity": activity, "project": None, "countries": [], "cities": []}
    event.update({"start": None, "end": None, "status": "done", "firms": None})
    event.update(fields)
    return event


def test_events_match_one_to_one_on_activity_project_dates_and_countries() -> None:
    gold = {
        "events": [
            _event("trade_delegation", project="21.UR-GE.016", countries=["KZ"], start="2023-07-09", end="2023-07-15"),
            _event("b2b_meetings", project="21.UR-GE.016", countries=["KZ"], firms=12),
            _event("fair", project="Mobilya UR-GE Projesi", countries=["DE"], status="planned"),
            _event("launch"),
        ]
    }
    predicted = {
        "events": [
            # same code without punctuation, dates equal, countries shared: a match
            _event(
                "trade_delegation", project="21UR-GE016", countries=["KZ", "UZ"], start="2023-07-09", end="2023-07-15"
            ),
            # a predicted date agrees with a gold event that has none; firm count wrong
            _event(
                "b2b_meetings", project="21.UR-GE.016", countries=["KZ"], start="2023-07-10", end="2023-07-10", firms=10
            ),
            # a second b2b for the same gold event: no partner left, a false positive
            _event("b2b_meetings", project="21.UR-GE.016", countries=["KZ"]),
            # names share 2 of 4 tokens (Jaccard 0.5): the projects agree; status differs
            _event("fair", project="Mobilya Projesi", countries=["DE"]),
            # a project where the gold has none: no match, so both sides miss
            _event("launch", project="Mobilya Projesi"),
        ]
    }
    scores = score([(gold, predicted)])
    assert (scores["events"]["tp"], scores["events"]["fp"], scores["events"]["fn"]) == (3, 2, 1)
    # countries over the matched pairs: {KZ} vs {KZ, UZ}, {KZ} vs {KZ}, {DE} vs {DE}
    countries = scores["event_countries"]
    assert (countries["tp"], countries["fp"], countries["fn"]) == (3, 1, 0)
    assert scores["event_status"] == {"accuracy": 2 / 3, "correct": 2, "total": 3}
    # only the pair whose gold states a number counts
    assert scores["event_firms"] == {"accuracy": 0.0, "correct": 0, "total": 1}


def test_events_disagree_on_dates_countries_or_activity() -> None:
    gold = {"events": [_event("trade_delegation", countries=["RU"], start="2024-03", end="2024-03")]}
    for other in (
        _event("trade_delegation", countries=["RU"], start="2024-04", end="2024-04"),  # another date
        _event("trade_delegation", countries=["DE"], start="2024-03", end="2024-03"),  # no shared country
        _event("trade_delegation", start="2024-03", end="2024-03"),  # empty against non-empty
        _event("fair", countries=["RU"], start="2024-03", end="2024-03"),  # another activity
    ):
        result = score([(gold, {"events": [other]})])["events"]
        assert (result["tp"], result["fp"], result["fn"]) == (0, 1, 1), other
    # Both country lists empty agree.
    result = score([({"events": [_event("launch")]}, {"events": [_event("launch")]})])["events"]
    assert (result["tp"], result["fp"], result["fn"]) == (1, 0, 0)


def test_greedy_event_matching_pairs_the_closest_events_first() -> None:
    # The undated prediction could take either gold event; the dated one fits only the first.
    # Closest pairs first leaves both gold events matched.
    gold = {
        "events": [
            _event("trade_delegation", countries=["KZ"], start="2023-07-09", end="2023-07-15"),
            _event("trade_delegation", countries=["KZ", "UZ"]),
        ]
    }
    predicted = {
        "events": [
            _event("trade_delegation", countries=["KZ", "UZ"]),
            _event("trade_delegation", countries=["KZ"], start="2023-07-09", end="2023-07-15"),
        ]
    }
    result = score([(gold, predicted)])
    assert result["events"]["tp"] == 2
    assert (result["event_countries"]["fp"], result["event_countries"]["fn"]) == (0, 0)


def test_one_fold_of_a_gold_file(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    lines = [{"id": str(i), "fold": fold, "text": "x", "gold": {}} for i, fold in enumerate("aab")]
    gold.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assert [r["id"] for r in read_gold(gold, "a")] == ["0", "1"]
    assert [r["id"] for r in read_gold(gold, "b")] == ["2"]
    assert len(read_gold(gold)) == 3
    with pytest.raises(ValueError, match="unknown fold"):
        read_gold(gold, "c")
