import sqlite3
from datetime import UTC, date, datetime

import pytest

from kume.schema import CountryFact, Extraction, Page, ProjectRecord, Span, sha256_hex
from kume.store import Store, StoreError, UpsertOutcome


def page(
    url: str = "https://oda.example/haber/1", body: str = "Heyet Kazakistan'a gitti.", raw: bytes | None = None
) -> Page:
    return Page(
        source="oda",
        url=url,
        fetched_at=datetime(2024, 5, 1, tzinfo=UTC),
        raw=raw if raw is not None else f"<html><body><p>{body}</p></body></html>".encode(),
        title="Haber",
        body=body,
        published=date(2024, 4, 30),
        language="tr",
        etag='"abc"',
    )


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "store.sqlite3") as s:
        yield s


def test_upsert_is_idempotent_and_versions_changed_text(store):
    first = store.upsert_page(page())
    again = store.upsert_page(page(raw=b"<html><body><p>Heyet Kazakistan'a gitti.</p><footer>x</footer></body></html>"))
    changed = store.upsert_page(page(body="Heyet Kazakistan'a ve Özbekistan'a gitti."))

    assert first.outcome is UpsertOutcome.NEW and first.version == 1
    assert again.outcome is UpsertOutcome.UNCHANGED and again.doc_id == first.doc_id and again.version == 1
    assert changed.outcome is UpsertOutcome.CHANGED and changed.version == 2
    assert store.count() == 1
    assert store.versions_count(first.doc_id) == 2
    assert store.get(first.doc_id, version=1).body == "Heyet Kazakistan'a gitti."
    assert store.get(first.doc_id).body == "Heyet Kazakistan'a ve Özbekistan'a gitti."


def test_raw_bytes_are_kept_for_re_extraction(store):
    raw = "<html><meta charset='windows-1254'><p>İhracat</p></html>".encode("cp1254")
    result = store.upsert_page(page(raw=raw))
    doc = store.get(result.doc_id)
    assert doc.raw_ref == sha256_hex(raw)
    assert store.raw(doc.raw_ref) == raw


def test_known_page_answers_for_its_aliases(store):
    result = store.upsert_page(page().model_copy(update={"aliases": ["https://oda.example/?p=1"]}))
    known = store.known("https://oda.example/?p=1")
    assert known is not None and known.doc_id == result.doc_id and known.etag == '"abc"'
    assert store.known("https://oda.example/haber/2") is None


def test_duplicates_are_kept_once_with_their_urls(store):
    original = store.upsert_page(page())
    copy = store.upsert_page(page(url="https://ajans.example/haber/9"))
    store.mark_duplicate(copy.doc_id, original.doc_id)
    docs = list(store.documents())
    assert [d.id for d in docs] == [original.doc_id]
    assert docs[0].aliases == ["https://ajans.example/haber/9"]
    assert store.count(include_duplicates=True) == 2


def test_extractions_are_tied_to_pipeline_version(store):
    result = store.upsert_page(page())
    extraction = Extraction(
        pipeline_version="1", countries=[CountryFact(code="KZ", mentions=[Span(start=12, end=25, text="Kazakistan'a")])]
    )
    store.save_extraction(result.doc_id, result.version, extraction)
    assert list(store.documents(missing_extraction_for="1")) == []
    assert [d.id for d in store.documents(missing_extraction_for="2")] == [result.doc_id]
    assert store.get(result.doc_id).extraction == extraction
    # a new version of the page needs extracting again
    store.upsert_page(page(body="Yeni metin"))
    assert [d.id for d in store.documents(missing_extraction_for="1")] == [result.doc_id]


def test_projects_round_trip(store):
    record = ProjectRecord(id="p1", name="Kimya UR-GE Projesi", code="22.UR-GE.041", document_ids=["a", "b"])
    store.save_project(record)
    assert store.project("p1") == record
    assert store.projects() == [record]


def test_corrupt_store_file_is_named(tmp_path):
    path = tmp_path / "store.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=str(path)):
        Store(path)


def test_locked_store_is_a_clear_error_and_loses_nothing(tmp_path):
    path = tmp_path / "store.sqlite3"
    with Store(path) as store:
        store.upsert_page(page())
    blocker = sqlite3.connect(path)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with Store(path, timeout=0.2) as locked, pytest.raises(StoreError, match="locked"):
            locked.upsert_page(page(url="https://oda.example/haber/2"))
    finally:
        blocker.rollback()
        blocker.close()
    with Store(path) as store:
        assert [d.url for d in store.documents()] == ["https://oda.example/haber/1"]
