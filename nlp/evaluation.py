"""Scoring extraction against gold annotations, exactly as shared/eval/README.md defines it.

Per field, micro-averaged precision, recall and F1 over all documents. Code fields are
compared as sets; cities by (name, country) after Turkish case folding and accent folding
(İzmir = Izmir, Almatı = Almati); projects by code when the gold has one (without
punctuation: 19UR-GE056 = 19.UR-GE.056), else by token Jaccard >= 0.5 of the case-folded
names; organisations by equality with one surface form or token Jaccard >= 0.6; event dates
by exact (start, end). Items are matched one to one, so a gold item is matched at most once.

Events are matched one to one, greedily (the most similar pairs first), when activity,
project, dates and countries agree as the README says; over the matched pairs the event's
countries (micro set F1), status and firm count (where the gold has a number) are scored.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kume.schema import Extraction
from kume.text import casefold_tr
from nlp.text import token_jaccard

if TYPE_CHECKING:
    from nlp.pipeline import Extractor

FIELDS = (
    "countries",
    "cities",
    "sectors",
    "programs",
    "projects",
    "organizations",
    "activities",
    "event_dates",
    "events",
)
# Scored over the matched event pairs, not over documents.
EVENT_DETAILS = ("event_countries", "event_status", "event_firms")
FOLDS = ("a", "b")
PROJECT_JACCARD = 0.5
ORGANIZATION_JACCARD = 0.6

Scores = dict[str, dict[str, float | int]]


class GoldFormatError(ValueError):
    """A gold or prediction line that does not follow the format; names the file and line."""


def _fold(text: str) -> str:
    return " ".join(casefold_tr(text).split())


def _fold_accents(text: str) -> str:
    """Case folding, then diacritics dropped and ı read as i: "İzmir", "Izmir" and "izmir" are one name."""
    decomposed = unicodedata.normalize("NFD", _fold(text).replace("ı", "i"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _code_key(code: str) -> str:
    """A project code without punctuation or case: "19UR-GE056" and "19.UR-GE.056" are one code."""
    return "".join(char for char in casefold_tr(code) if char.isalnum())


def _match_one_to_one(
    gold: list[Any], predicted: list[Any], similarity: Callable[[Any, Any], float | None]
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching by descending similarity; the matched (gold, predicted) index pairs."""
    pairs = []
    for g_index, g_item in enumerate(gold):
        for p_index, p_item in enumerate(predicted):
            score = similarity(g_item, p_item)
            if score is not None:
                pairs.append((score, g_index, p_index))
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    matched = []
    for _, g_index, p_index in pairs:
        if g_index not in used_gold and p_index not in used_predicted:
            used_gold.add(g_index)
            used_predicted.add(p_index)
            matched.append((g_index, p_index))
    return matched


def _project_similarity(gold: Mapping[str, Any], predicted: Mapping[str, Any]) -> float | None:
    if gold.get("code"):
        same = _code_key(str(predicted.get("code") or "")) == _code_key(str(gold["code"]))
        return 1.0 if same else None
    score = token_jaccard(str(gold.get("name", "")), str(predicted.get("name", "")))
    return score if score >= PROJECT_JACCARD else None


def _organization_similarity(gold: list[str], predicted: list[str]) -> float | None:
    gold_forms = {_fold(name) for name in gold}
    if any(_fold(name) in gold_forms for name in predicted):
        return 2.0  # an exact surface-form match outranks any Jaccard overlap
    best = max((token_jaccard(g, p) for g in gold for p in predicted), default=0.0)
    return best if best >= ORGANIZATION_JACCARD else None


def _event_project_similarity(gold: str | None, predicted: str | None) -> float | None:
    """Same code, names with token Jaccard >= 0.5, or both null."""
    if gold is None or predicted is None:
        return 1.0 if gold is None and predicted is None else None
    if _code_key(gold) == _code_key(predicted):
        return 1.0
    score = token_jaccard(gold, predicted)
    return score if score >= PROJECT_JACCARD else None


def _event_similarity(gold: Mapping[str, Any], predicted: Mapping[str, Any]) -> float | None:
    """None when the two events do not agree; else how closely (exact dates and countries rank first)."""
    if gold.get("activity") != predicted.get("activity"):
        return None
    project = _event_project_similarity(gold.get("project"), predicted.get("project"))
    if project is None:
        return None
    gold_dates, predicted_dates = (gold.get("start"), gold.get("end")), (predicted.get("start"), predicted.get("end"))
    if gold_dates[0] is None or predicted_dates[0] is None:
        dates = 0.0
    elif gold_dates == predicted_dates:
        dates = 1.0
    else:
        return None
    gold_countries, predicted_countries = _countries(gold), _countries(predicted)
    if gold_countries or predicted_countries:
        shared = gold_countries & predicted_countries
        if not shared:
            return None
        countries = len(shared) / len(gold_countries | predicted_countries)
    else:
        countries = 1.0
    return project + dates + countries


def _countries(event: Mapping[str, Any]) -> set[str]:
    return {str(c).upper() for c in event.get("countries") or []}


def _set_counts(gold: set[Any], predicted: set[Any]) -> tuple[int, int, int]:
    tp = len(gold & predicted)
    return tp, len(predicted) - tp, len(gold) - tp


class _Tally:
    """Running counts: (tp, fp, fn) per document field, and (correct, total) per event detail."""

    def __init__(self) -> None:
        self.counts = {field: [0, 0, 0] for field in (*FIELDS, "event_countries")}
        self.agreement = {"event_status": [0, 0], "event_firms": [0, 0]}

    def add(self, field: str, counts: tuple[int, int, int]) -> None:
        for index, value in enumerate(counts):
            self.counts[field][index] += value

    def agree(self, field: str, same: bool) -> None:
        self.agreement[field][0] += int(same)
        self.agreement[field][1] += 1


def _field_counts(field: str, gold: list[Any], predicted: list[Any]) -> tuple[int, int, int]:
    if field in ("countries", "sectors", "programs", "activities"):
        return _set_counts({str(c).upper() for c in gold}, {str(c).upper() for c in predicted})
    if field == "cities":
        return _set_counts(
            {(_fold_accents(c["name"]), str(c["country"]).upper()) for c in gold},
            {(_fold_accents(c["name"]), str(c["country"]).upper()) for c in predicted},
        )
    if field == "event_dates":
        return _set_counts(
            {(str(d["start"]), str(d["end"])) for d in gold}, {(str(d["start"]), str(d["end"])) for d in predicted}
        )
    similarity = _project_similarity if field == "projects" else _organization_similarity
    tp = len(_match_one_to_one(gold, predicted, similarity))
    return tp, len(predicted) - tp, len(gold) - tp


def _tally_events(tally: _Tally, gold: list[Mapping[str, Any]], predicted: list[Mapping[str, Any]]) -> None:
    matched = _match_one_to_one(gold, predicted, _event_similarity)
    tally.add("events", (len(matched), len(predicted) - len(matched), len(gold) - len(matched)))
    for g_index, p_index in matched:
        gold_event, predicted_event = gold[g_index], predicted[p_index]
        tally.add("event_countries", _set_counts(_countries(gold_event), _countries(predicted_event)))
        tally.agree("event_status", gold_event.get("status") == predicted_event.get("status"))
        if isinstance(gold_event.get("firms"), int):
            tally.agree("event_firms", gold_event["firms"] == predicted_event.get("firms"))


def _ratio(numerator: int, denominator: int, empty: float) -> float:
    return numerator / denominator if denominator else empty


def _f1(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    nothing_to_find = fp == 0 and fn == 0
    precision = _ratio(tp, tp + fp, 1.0 if nothing_to_find else 0.0)
    recall = _ratio(tp, tp + fn, 1.0 if nothing_to_find else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def score(pairs: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> Scores:
    """Micro-averaged scores over (gold facts, predicted facts) pairs, both in the gold's field format.

    Every field of FIELDS and `event_countries` get precision, recall, F1 and their counts;
    `event_status` and `event_firms` get an accuracy over the matched event pairs (`total` of them;
    for firms only pairs whose gold states a number), 1.0 when there is nothing to compare.
    """
    tally = _Tally()
    for gold, predicted in pairs:
        for field in FIELDS:
            gold_items, predicted_items = list(gold.get(field) or []), list(predicted.get(field) or [])
            if field == "events":
                _tally_events(tally, gold_items, predicted_items)
            else:
                tally.add(field, _field_counts(field, gold_items, predicted_items))
    scores: Scores = {field: _f1(*counts) for field, counts in tally.counts.items()}
    for field, (correct, total) in tally.agreement.items():
        scores[field] = {"accuracy": _ratio(correct, total, 1.0), "correct": correct, "total": total}
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
        "events": [
            {
                "activity": e.activity,
                "project": e.project,
                "countries": list(e.countries),
                "cities": [{"name": c.name, "country": c.country} for c in e.cities],
                "start": e.start,
                "end": e.end,
                "status": e.status,
                "firms": e.firms,
            }
            for e in extraction.events
        ],
    }


def parse_published(value: str | None) -> date | None:
    """A gold `published` value (ISO date, `YYYY-MM` or null) as a date; a bare month becomes its first day."""
    if not value:
        return None
    if len(value) == 7:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    return date.fromisoformat(value[:10])


def read_gold(gold_path: Path, fold: str | None = None) -> list[dict[str, Any]]:
    """The gold records of `gold_path`, or only those of one fold (`a` or `b`, whole sites on one side)."""
    if fold is not None and fold not in FOLDS:
        raise ValueError(f"unknown fold {fold!r}; the folds are {', '.join(FOLDS)}")
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
            if fold is None or record.get("fold") == fold:
                records.append(record)
    if fold is not None and not records:
        raise GoldFormatError(f"{gold_path}: no record of fold {fold!r}")
    return records


def evaluate_gold(
    gold_path: Path,
    *,
    predictions_path: Path | None = None,
    extractor: Extractor | None = None,
    fold: str | None = None,
) -> Scores:
    """Run the extractor over every gold text (of one fold, if given) and score it; optionally write the
    predictions as JSONL."""
    if extractor is None:
        from nlp.pipeline import Extractor

        extractor = Extractor()
    records = read_gold(gold_path, fold)
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
