"""Streaming a search's hits as CSV or NDJSON lines, and a scoreboard as CSV: cells a spreadsheet shows as text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from api.schemas import Scoreboard
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


def neutralised(text: str) -> str:
    """Text a spreadsheet shows as text: a leading quote before what it would run as a formula (OWASP's advice on
    CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(hit: SearchHit, column: str) -> str:
    """A hit's value in a column."""
    if column == "event_dates":
        text = VALUE_SEPARATOR.join(d.start if d.start == d.end else f"{d.start}/{d.end}" for d in hit.event_dates)
    else:
        value = getattr(hit, column)
        text = VALUE_SEPARATOR.join(value) if isinstance(value, list) else ("" if value is None else str(value))
    return neutralised(text)


def scoreboard_csv(board: Scoreboard, language: str = "tr") -> str:
    """A scoreboard as one CSV file: UTF-8 with a byte order mark, a column per activity (labelled in `language`
    in the header row, the code beside it)."""
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer)
    activity_headers = [
        f"{getattr(board.activity_labels[code], language)} ({code})" if code in board.activity_labels else code
        for code in board.activities
    ]
    columns = ["events", "planned", *activity_headers, "countries", "country_codes", "firms", "first", "last"]
    writer.writerow([board.by.value, "label", *columns, "documents", "projects"])
    for row in board.rows:
        cells = [
            row.key,
            getattr(row.label, language),
            row.events,
            row.planned,
            *(row.by_activity.get(code, 0) for code in board.activities),
            row.countries,
            VALUE_SEPARATOR.join(row.country_codes),
            row.firms,
            row.first or "",
            row.last or "",
            row.documents,
            row.projects,
        ]
        writer.writerow([neutralised(str(cell)) for cell in cells])
    return buffer.getvalue()


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
