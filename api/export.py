"""Streaming a search's hits as CSV or NDJSON lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from search_api.contract import SearchHit

EXPORT_COLUMNS = (
    "id",
    "url",
    "source",
    "published",
    "language",
    "title",
    "country",
    "city",
    "sector",
    "program",
    "project",
    "organization",
    "activity",
    "event_dates",
)
# A spreadsheet reads a cell starting with one of these as a formula (or a field separator): crawled titles must not.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Several values in one cell: a separator that names and codes do not contain (organisation names hold spaces).
VALUE_SEPARATOR = "; "
# Excel reads a CSV file as the machine's code page unless it starts with a byte order mark: with it,
# Turkish letters open as written.
BYTE_ORDER_MARK = "\ufeff"


def _cell(hit: SearchHit, column: str) -> str:
    """A hit's value in a column, as text a spreadsheet shows as text: a leading quote before what it would run as
    a formula (OWASP's advice on CSV injection)."""
    if column == "event_dates":
        text = VALUE_SEPARATOR.join(d.start if d.start == d.end else f"{d.start}/{d.end}" for d in hit.event_dates)
    else:
        value = getattr(hit, column)
        text = VALUE_SEPARATOR.join(value) if isinstance(value, list) else ("" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(first: SearchHit | None, rest: Iterator[SearchHit]) -> Iterator[str]:
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for hit in _chain(first, rest):
        writer.writerow([_cell(hit, column) for column in EXPORT_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def ndjson_lines(first: SearchHit | None, rest: Iterator[SearchHit]) -> Iterator[str]:
    for hit in _chain(first, rest):
        yield json.dumps(hit.model_dump(mode="json", exclude={"highlights", "score"}), ensure_ascii=False) + "\n"


def _chain(first: SearchHit | None, rest: Iterator[SearchHit]) -> Iterator[SearchHit]:
    if first is not None:
        yield first
        yield from rest
