"""Scoring extraction against gold annotations, exactly as shared/eval/README.md defines it.

Per field, micro-averaged precision, recall and F1 over all documents. Code fields are
compared as sets; cities by (case-folded name, country); projects by code when the gold
has one, else by token Jaccard >= 0.5 of the case-folded names; organisations by equality
with one surface form or token Jaccard >= 0.6; event dates by exact (start, end). Items are
matched one to one, so a gold item is matched at most once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kume.schema import Extraction
from kume.text import casefold_tr
from nlp.text import token_jaccard

if TYPE_CHECKING:
    from nlp.pipeline import Extractor

FIELDS = ("countries", "cities", "sectors", "programs", "projects", "organizations", "activities", "event_dates")
PROJECT_JACCARD = 0.5
ORGANIZATION_JACCARD = 0.6

Scores = dict[str, dict[str, float | int]]


class GoldFormatError(ValueError):
    """A gold or prediction line that does not follow the format; names the file and line."""


def _fold(text: str) -> str:
    return " ".join(casefold_tr(text).split())


def _match_one_to_one(gold: list[Any], predicted: list[Any], similarity: Callable[[Any, Any], float | None]) -> int:
    """Greedy one-to-one matching by descending similarity; returns the number of matched pairs."""
    pairs = []
    for g_index, g_item in enumerate(gold):
        for p_index, p_item in enumerate(predicted):
            score = similarity(g_item, p_item)
            if score is not None:
                pairs.append((score, g_index, p_index))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    for _, g_index, p_index in pairs:
        if g_index not in used_gold and p_index not in used_predicted:
            used_gold.add(g_index)
            used_predicted.add(p_index)
    return len(used_gold)


def _project_similarity(gold: Mapping[str, Any], predicted: Mapping[str, Any]) -> float | None:
    if gold.get("code"):
        same = _fold(str(predicted.get("code") or "")) == _fold(str(gold["code"]))
        return 1.0 if same else None
    score = token_jaccard(str(gold.get("name", "")), str(predicted.get("name", "")))
    return score if score >= PROJECT_JACCARD else None


def _organization_similarity(gold: list[str], predicted: list[str]) -> float | None:
    gold_forms = {_fold(name) for name in gold}
    if any(_fold(name) in gold_forms for name in predicted):
        return 2.0  # an exact surface-form match outranks any Jaccard overlap
    best = max((token_jaccard(g, p) for g in gold for p in predicted), default=0.0)
    return best if best >= ORGANIZATION_JACCARD else None


def _field_counts(field: str, gold: list[Any], predicted: list[Any]) -> tuple[int, int, int]:
    if field in ("countries", "sectors", "programs", "activities"):
        gold_set, predicted_set = {str(c).upper() for c in gold}, {str(c).upper() for c in predicted}
        tp = len(gold_set & predicted_set)
        return tp, len(predicted_set) - tp, len(gold_set) - tp
    if field == "cities":
        gold_pairs = {(_fold(c["name"]), str(c["country"]).upper()) for c in gold}
        predicted_pairs = {(_fold(c["name"]), str(c["country"]).upper()) for c in predicted}
        tp = len(gold_pairs & predicted_pairs)
        return tp, len(predicted_pairs) - tp, len(gold_pairs) - tp
    if field == "event_dates":
        gold_ranges = {(str(d["start"]), str(d["end"])) for d in gold}
        predicted_ranges = {(str(d["start"]), str(d["end"])) for d in predicted}
        tp = len(gold_ranges & predicted_ranges)
        return tp, len(predicted_ranges) - tp, len(gold_ranges) - tp
    similarity = _project_similarity if field == "projects" else _organization_similarity
    tp = _match_one_to_one(gold, predicted, similarity)
    return tp, len(predicted) - tp, len(gold) - tp


def _ratio(numerator: int, denominator: int, empty: float) -> float:
    return numerator / denominator if denominator else empty


def score(pairs: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> Scores:
    """Micro-averaged scores over (gold facts, predicted facts) pairs, both in the gold's field format."""
    totals = {field: [0, 0, 0] for field in FIELDS}
    for gold, predicted in pairs:
        for field in FIELDS:
            counts = _field_counts(field, list(gold.get(field) or []), list(predicted.get(field) or []))
            for index, value in enumerate(counts):
                totals[field][index] += value
    scores: Scores = {}
    for field, (tp, fp, fn) in totals.items():
        nothing_to_find = fp == 0 and fn == 0
        precision = _ratio(tp, tp + fp, 1.0 if nothing_to_find else 0.0)
        recall = _ratio(tp, tp + fn, 1.0 if nothing_to_find else 0.0)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[field] = {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}
    return scores


def extraction_to_gold_format(extraction: Extraction) -> dict[str, Any]:
    """An extraction written in the gold's own field format, so any scorer can read it."""
    return {
        "countries": [c.code for c in extraction.countries],
        "cities": [{"name": c.name, "country": c.country} for c in extraction.cities],
        "sectors": [s.code for s in extraction.sectors],
        "programs": [p.code for p in extraction.programs],
        "projects": [{"name": p.name, "code": p.code, "program": p.program} for p in extraction.projects],
        "organizations": [list(o.names) for o in extraction.organizations],
        "activities": [a.code for a in extraction.activities],
        "event_dates": [{"start": d.start, "end": d.end} for d in extraction.event_dates],
    }


def parse_published(value: str | None) -> date | None:
    """A gold `published` value (ISO date, `YYYY-MM` or null) as a date; a bare month becomes its first day."""
    if not value:
        return None
    if len(value) == 7:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    return date.fromisoformat(value[:10])


def read_gold(gold_path: Path) -> list[dict[str, Any]]:
    records = []
    with gold_path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                record["text"], record["gold"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise GoldFormatError(f"{gold_path}:{number}: not a gold record ({exc!r})") from exc
            records.append(record)
    return records


def evaluate_gold(
    gold_path: Path, *, predictions_path: Path | None = None, extractor: Extractor | None = None
) -> Scores:
    """Run the extractor over every gold text and score it; optionally write the predictions as JSONL."""
    if extractor is None:
        from nlp.pipeline import Extractor

        extractor = Extractor()
    records = read_gold(gold_path)
    pairs = []
    predictions = []
    for record in records:
        try:
            published = parse_published(record.get("published"))
        except ValueError as exc:
            raise GoldFormatError(f"{gold_path}: record {record.get('id')}: bad published date ({exc})") from exc
        extraction = extractor.extract(record["text"], language=record.get("lang"), published=published)
        predicted = extraction_to_gold_format(extraction)
        pairs.append((record["gold"], predicted))
        predictions.append({"id": record.get("id"), "predicted": predicted})
    if predictions_path is not None:
        predictions_path.parent.mkdir(parents=True, exist_ok=True)
        with predictions_path.open("w", encoding="utf-8") as out:
            for line in predictions:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return score(pairs)
