from pathlib import Path

import pytest
import spacy

from models.conll import ConllFormatError, bio_entities, normalised_iob, read_conll
from models.evaluation import evaluate_conll, score_tags

GOLD_CONLL = """Ahmet\tB-PERSON
Yılmaz\tI-PERSON
Ankara'da\tB-GPE
Ticaret\tB-ORG
Bakanlığı'nı\tI-ORG
ziyaret\tO
etti\tO
.\tO

İzmir\tB-GPE
ve\tO
Ege\tB-LOC
Bölgesi\tI-LOC
2023\tB-DATE
"""


def test_bio_entities_follow_seqeval_default_mode() -> None:
    # seqeval (default, IOB2): an I- after O or after another label opens a chunk; B- always opens one.
    assert list(bio_entities(["O", "I-PER", "I-PER", "O"])) == [("PER", 1, 3)]
    assert list(bio_entities(["B-PER", "I-ORG", "I-ORG"])) == [("PER", 0, 1), ("ORG", 1, 3)]
    assert list(bio_entities(["B-PER", "B-PER", "I-PER"])) == [("PER", 0, 1), ("PER", 1, 3)]
    assert list(bio_entities(["I-LOC"])) == [("LOC", 0, 1)]
    assert list(bio_entities(["O", "O"])) == []
    assert normalised_iob(["O", "I-PER", "I-PER", "B-ORG", "I-GPE"]) == ["O", "B-PER", "I-PER", "B-ORG", "B-GPE"]


def test_score_tags_exact_numbers() -> None:
    gold = [
        ["B-PERSON", "I-PERSON", "O", "B-GPE", "O"],
        ["B-ORG", "I-ORG", "I-ORG", "O", "B-GPE"],
    ]
    predicted = [
        # PERSON exact; GPE missed; a spurious LOC.
        ["B-PERSON", "I-PERSON", "B-LOC", "O", "O"],
        # ORG boundary wrong (counts as FP and FN); GPE exact written as a bare I- (seqeval opens a chunk).
        ["B-ORG", "I-ORG", "O", "O", "I-GPE"],
    ]
    result = score_tags(gold, predicted)
    # gold 4 entities, predicted 4, true positives 2 (PERSON, second GPE)
    assert result["micro"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5})
    assert result["labels"]["PERSON"] == pytest.approx({"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1})
    assert result["labels"]["GPE"] == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2})
    assert result["labels"]["ORG"] == pytest.approx({"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1})
    assert result["labels"]["LOC"] == pytest.approx({"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0})

    core = score_tags(gold, predicted, labels={"GPE", "ORG"})
    # gold 3 (ORG, GPE, GPE), predicted 2 (ORG wrong span, GPE), one true positive
    assert core["micro"] == pytest.approx({"precision": 0.5, "recall": 1 / 3, "f1": 0.4})
    assert set(core["labels"]) == {"GPE", "ORG"}


def test_evaluate_conll_runs_pipeline_on_gold_tokens(tmp_path: Path) -> None:
    path = tmp_path / "gold.conll"
    path.write_text(GOLD_CONLL, encoding="utf-8")
    nlp = spacy.blank("tr")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "PERSON", "pattern": [{"ORTH": "Ahmet"}, {"ORTH": "Yılmaz"}]},
            {"label": "GPE", "pattern": "Ankara'da"},
            {"label": "ORG", "pattern": "Ticaret"},  # too short: the gold ORG spans two tokens
            {"label": "GPE", "pattern": "İzmir"},
            {"label": "LOC", "pattern": "Ege"},  # too short as well
        ]
    )
    result = evaluate_conll(path, nlp)
    # gold: PERSON, GPE, ORG, GPE, LOC, DATE = 6; predicted 5; exact matches PERSON, GPE, GPE = 3
    assert result["micro"] == pytest.approx({"precision": 3 / 5, "recall": 3 / 6, "f1": 6 / 11})
    assert result["labels"]["DATE"] == pytest.approx({"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1})
    assert result["labels"]["GPE"]["f1"] == pytest.approx(1.0)
    # core labels: gold PERSON, GPE, ORG, GPE, LOC = 5; predicted 5; matches 3
    assert result["micro_core"] == pytest.approx({"precision": 3 / 5, "recall": 3 / 5, "f1": 3 / 5})


def test_read_conll_names_file_and_line_on_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "bad.conll"
    path.write_text("Ankara\tB-GPE\nsadece-bir-alan\n", encoding="utf-8")
    with pytest.raises(ConllFormatError, match=r"bad\.conll:2"):
        read_conll(path)
    path.write_text("Ankara\tGPE\n", encoding="utf-8")
    with pytest.raises(ConllFormatError, match=r"bad\.conll:1: tag 'GPE'"):
        read_conll(path)
    with pytest.raises(ConllFormatError, match=r"missing\.conll"):
        read_conll(tmp_path / "missing.conll")
