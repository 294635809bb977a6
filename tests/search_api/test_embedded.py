"""Embedded-index behaviour beyond the contract: other readers follow a rebuild, damaged files are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from kume.config import Settings
from search_api.backends import open_backend
from search_api.backends.embedded import EmbeddedBackend
from search_api.contract import BackendUnavailable, SearchQuery
from tests.search_api.conftest import corpus


def test_open_backend_puts_the_index_beside_the_store(tmp_path: Path) -> None:
    backend = open_backend(Settings(data_dir=tmp_path, backend="embedded"))
    try:
        backend.bulk_upsert(corpus()[:3])
        assert (tmp_path / "index.sqlite3").is_file()
        assert backend.count() == 3
    finally:
        backend.close()


def test_a_second_reader_follows_the_rebuild(tmp_path: Path) -> None:
    writer = EmbeddedBackend(tmp_path / "index.sqlite3")
    reader = EmbeddedBackend(tmp_path / "index.sqlite3")
    try:
        writer.bulk_upsert(corpus()[:4])
        assert reader.count() == 4
        writer.rebuild(corpus()[4:20])
        assert reader.count() == 16
        assert reader.search(SearchQuery(filters={"project": ["izto-tekstil"]})).total == 0
        writer.rebuild(corpus()[:2])
        assert reader.search(SearchQuery(filters={"project": ["izto-tekstil"]})).total == 1
    finally:
        writer.close()
        reader.close()


def test_a_damaged_index_file_is_named(tmp_path: Path) -> None:
    damaged = tmp_path / "index.sqlite3"
    damaged.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackendUnavailable, match=str(damaged)):
        EmbeddedBackend(damaged)
