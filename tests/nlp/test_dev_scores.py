"""Accuracy on the shared dev gold set; the per-field floors guard against regressions."""

import json
from pathlib import Path

from nlp.evaluation import FIELDS, evaluate_gold
from nlp.pipeline import Extractor

# Floors a little under the figures measured when this pipeline version was committed.
FLOORS = {
    "countries": 0.95,
    "cities": 0.9,
    "sectors": 0.9,
    "programs": 0.95,
    "projects": 0.85,
    "organizations": 0.85,
    "activities": 0.85,
    "event_dates": 0.85,
}


def test_dev_scores_and_predictions_file(dev_gold: Path, extractor: Extractor, tmp_path: Path) -> None:
    predictions = tmp_path / "predictions.jsonl"
    scores = evaluate_gold(dev_gold, predictions_path=predictions, extractor=extractor)
    assert set(scores) == set(FIELDS)
    for field, floor in FLOORS.items():
        assert scores[field]["f1"] >= floor, (field, scores[field])
    lines = [json.loads(line) for line in predictions.read_text(encoding="utf-8").splitlines()]
    gold_ids = [json.loads(line)["id"] for line in dev_gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [line["id"] for line in lines] == gold_ids
    assert set(lines[0]["predicted"]) == set(FIELDS)
