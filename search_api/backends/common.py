"""Rules every backend applies the same way, so their answers agree."""

from __future__ import annotations

import base64
import calendar
import json
import math
from datetime import date
from typing import Any

from search_api import analysis
from search_api.contract import (
    FACETS,
    DateRange,
    EntityMatch,
    Highlight,
    IndexDocument,
    Interval,
    SearchHit,
    SearchQuery,
    Sort,
    Span,
)
from search_api.contract import InvalidCursor as InvalidCursor
from search_api.contract import InvalidQuery as InvalidQuery
from search_api.query import Plan

HISTOGRAM_FIELDS = ("published", "event")


def event_bounds(event: DateRange) -> tuple[str, str]:
    """ISO start and end days of an event; a YYYY-MM month spans the whole month."""
    return _day(event.start, first=True), _day(event.end, first=False)


def _day(value: str, *, first: bool) -> str:
    value = value.strip()
    if len(value) == 7:  # YYYY-MM
        year, month = int(value[:4]), int(value[5:7])
        day = 1 if first else calendar.monthrange(year, month)[1]
        return date(year, month, day).isoformat()
    return date.fromisoformat(value[:10]).isoformat()


def effective_sort(query: SearchQuery, plan: Plan) -> Sort:
    """With no words there is nothing to rank by, so relevance means newest first."""
    if query.sort == Sort.RELEVANCE and not plan.has_text:
        return Sort.DATE_DESC
    return query.sort


def period_label(day: date, interval: Interval) -> str:
    if interval == Interval.YEAR:
        return f"{day.year:04d}"
    if interval == Interval.QUARTER:
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}-{day.month:02d}"


def check_query(query: SearchQuery) -> None:
    unknown = [name for name in [*query.filters, *query.facets] if name not in FACETS]
    if unknown:
        raise InvalidQuery(f"unknown facet(s) {', '.join(sorted(set(unknown)))}; known: {', '.join(FACETS)}")


def check_facet(name: str | None) -> None:
    if name is not None and name not in FACETS:
        raise InvalidQuery(f"unknown facet {name!r}; known: {', '.join(FACETS)}")


def check_histogram_field(field: str) -> None:
    if field not in HISTOGRAM_FIELDS:
        raise InvalidQuery(f"unknown histogram field {field!r}; known: {', '.join(HISTOGRAM_FIELDS)}")


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode()


# What one position of a cursor may hold: a number (finite, within 64 bits), an id, a date, or nothing.
NUMBER: tuple[type, ...] = (int, float)
INTEGER: tuple[type, ...] = (int,)
TEXT: tuple[type, ...] = (str,)
TEXT_OR_NONE: tuple[type, ...] = (str, type(None))
_INT64 = 2**63


def decode_cursor(cursor: str, kinds: tuple[tuple[type, ...], ...]) -> list[Any]:
    """The values of a cursor this backend made, one of `kinds` at each position; InvalidQuery for anything else.

    A cursor comes back from the client, so everything in it is checked before a backend sees it.
    """
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise InvalidCursor(f"malformed cursor {cursor!r}") from exc
    if not isinstance(values, list) or len(values) != len(kinds) or not all(map(_fits, values, kinds)):
        raise InvalidCursor(f"cursor {cursor!r} does not belong to this sort order")
    return values


def _fits(value: Any, kind: tuple[type, ...]) -> bool:
    if isinstance(value, bool) or not isinstance(value, kind):
        return False
    if isinstance(value, int):
        return -_INT64 <= value < _INT64
    return not isinstance(value, float) or math.isfinite(value)


def hit_from_document(doc: IndexDocument, score: float, query: SearchQuery, plan: Plan) -> SearchHit:
    highlights = []
    if query.highlight:
        fragments = analysis.highlight(doc.body, doc.language, plan.terms, prefixes=plan.prefixes)
        # Offsets made here need no validation: model_construct is several times cheaper per span.
        highlights = [
            Highlight.model_construct(text=text, matches=[Span.model_construct(start=a, end=b) for a, b in spans])
            for text, spans in fragments
        ]
    matched = [
        EntityMatch(facet=entity.facet, value=value, named_as=entity.named_as or "")
        for entity in plan.entities
        for value in entity.values
        if value in getattr(doc, entity.facet)
    ]
    return SearchHit(
        id=doc.id,
        url=doc.url,
        source=doc.source,
        title=doc.title,
        language=doc.language,
        published=doc.published,
        score=score,
        highlights=highlights,
        matched=list({(m.facet, m.value): m for m in matched}.values()),
        country=doc.country,
        city=doc.city,
        sector=doc.sector,
        program=doc.program,
        project=doc.project,
        organization=doc.organization,
        activity=doc.activity,
        event_dates=doc.event_dates,
    )


def facet_values(doc: IndexDocument) -> dict[str, list[str]]:
    """Every facet of a document with its distinct values (language and source included)."""
    values: dict[str, list[str]] = {}
    for facet in FACETS:
        raw = getattr(doc, facet)
        items = [raw] if isinstance(raw, str) else list(raw or [])
        values[facet] = list(dict.fromkeys(item for item in items if item))
    return values
