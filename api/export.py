"""Streaming a search's hits as CSV or NDJSON lines."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from search_api.contract import SearchHit

EXPORT_COLUMNS = ("id", "url", "source", "published", "language", "title", "country", "sector", "program", "activity")


def csv_lines(first: SearchHit | None, rest: Iterator[SearchHit]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for hit in _chain(first, rest):
        row = hit.model_dump(mode="json")
        writer.writerow(
            [" ".join(v) if isinstance(v := row[c], list) else ("" if v is None else v) for c in EXPORT_COLUMNS]
        )
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
