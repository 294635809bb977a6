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


def test_a_replaced_document_is_matched_and_ranked_by_its_new_text_only(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "index.sqlite3")
    try:
        first, *others = corpus()[:6]
        original = first.model_copy(update={"title": "Fındık ticaret heyeti", "body": "Fındık ihracatçıları."})
        replaced = first.model_copy(
            update={"title": "Zeytinyağı alım heyeti", "body": "Zeytinyağı zeytinyağı üreticileri."}
        )
        backend.rebuild([original, *others])
        assert first.id in [hit.id for hit in backend.search(SearchQuery(q="fındık")).hits]
        backend.bulk_upsert([replaced])
        assert first.id not in [hit.id for hit in backend.search(SearchQuery(q="fındık", size=100)).hits]
        result = backend.search(SearchQuery(q="zeytinyağı"))
        assert [hit.id for hit in result.hits] == [first.id]
        # The score comes from the new text: title and body both hold the term.
        fresh = EmbeddedBackend(tmp_path / "other.sqlite3")
        try:
            fresh.rebuild([replaced, *others])
            assert fresh.search(SearchQuery(q="zeytinyağı")).hits[0].score == pytest.approx(result.hits[0].score)
        finally:
            fresh.close()
    finally:
        backend.close()


def test_an_index_of_an_older_layout_asks_for_a_rebuild(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "index.sqlite3")
    try:
        backend.rebuild(corpus()[:3])
        generation = backend._generation()
        backend._db.execute(f"DROP TABLE names_{generation}")  # what an index written by older kume lacks
        with pytest.raises(BackendUnavailable, match="kume index"):
            backend.search(SearchQuery(q="heyet"))
        backend.rebuild(corpus()[:3])
        assert backend.search(SearchQuery(q=corpus()[0].title.split()[0])).total >= 1
    finally:
        backend.close()


def test_remembered_matches_follow_writes_from_any_connection(tmp_path: Path) -> None:
    reader = EmbeddedBackend(tmp_path / "index.sqlite3")
    writer = EmbeddedBackend(tmp_path / "index.sqlite3")
    try:
        docs = corpus()[:5]
        writer.rebuild(docs)
        query = SearchQuery(q="fındık", facets=["language"])
        assert reader.search(query).total == 0
        hazelnut = docs[0].model_copy(update={"id": "hazelnut", "title": "Fındık alım heyeti"})
        writer.bulk_upsert([hazelnut])
        assert [hit.id for hit in reader.search(query).hits] == ["hazelnut"]
        writer.delete(["hazelnut"])
        assert reader.search(query).total == 0
    finally:
        reader.close()
        writer.close()
