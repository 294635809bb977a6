"""A cursor comes back from the client: anything but one the backend made is an InvalidQuery, on every backend."""

from __future__ import annotations

import base64
import json

import pytest

from search_api.backends.common import InvalidQuery
from search_api.contract import SearchBackend, SearchQuery, Sort


def cursor_of(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


# Malformed for every backend and every sort order.
CRAFTED = [
    "not base64 at all!",
    base64.urlsafe_b64encode(b"\xff\xfe{").decode(),
    cursor_of({"score": 1}),
    cursor_of("x"),
    cursor_of([1]),
    cursor_of([1, "x", "y"]),
    cursor_of([{"a": 1}, "x"]),
    cursor_of([["a"], "x"]),
    cursor_of([float("nan"), "x"]),
    cursor_of([float("inf"), "x"]),
    cursor_of([2**70, "x"]),
    cursor_of([True, "x"]),
    cursor_of(["2024-13-45", 1]),
    cursor_of([None, None]),
    cursor_of([1.5, {"x": 1}]),
]
SEARCHES = [
    SearchQuery(q="ticaret heyeti", size=5),
    SearchQuery(size=5, sort=Sort.DATE_DESC),
    SearchQuery(size=5, sort=Sort.DATE_ASC, filters={"program": ["UR-GE"]}),
]


@pytest.mark.parametrize("search", SEARCHES, ids=["relevance", "date_desc", "date_asc_filtered"])
def test_a_crafted_cursor_is_an_invalid_query(loaded_backend: SearchBackend, search: SearchQuery) -> None:
    page = loaded_backend.search(search)
    assert page.next_cursor, "the corpus has more than one page"
    assert loaded_backend.search(search.model_copy(update={"cursor": page.next_cursor})).hits  # a real one works
    for cursor in CRAFTED:
        with pytest.raises(InvalidQuery):
            loaded_backend.search(search.model_copy(update={"cursor": cursor}))
