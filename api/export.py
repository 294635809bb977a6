"""Streaming a search's hits as CSV or NDJSON lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from search_api.contract import SearchHit

# A spreadsheet reads a cell starting with one of these as a formula (or a field separator): crawled titles must not.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

EXPORT_COLUMNS = ("id", "url", "source", "published", "language", "title", "country", "sector", "program", "activity")


def csv_lines(first: SearchHit | None, rest: Iterator[SearchHit]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for hit in _chain(first, rest):
        row = hit.model_dump(mode="json")
        writer.writerow(
            [_cell(" ".join(v) if isinstance(v := row[c], list) else ("" if v is None else v)) for c in EXPORT_COLUMNS]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text: a leading quote before what it would run as a formula
    (OWASP's advice on CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def ndjson_lines(first: SearchHit | None, rest: Iterator[SearchHit]) -> Iterator[str]:
    for hit in _chain(first, rest):
        yield json.dumps(hit.model_dump(mode="json", exclude={"highlights", "score"}), ensure_ascii=False) + "\n"


def _chain(first: SearchHit | None, rest: Iterator[SearchHit]) -> Iterator[SearchHit]:
    if first is not None:
        yield first
        yield from rest
