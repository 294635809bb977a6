"""From a real document store to the embedded index: facts flattened to facet keywords."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from kume.schema import (
    ActivityFact,
    CityFact,
    CountryFact,
    DateFact,
    Extraction,
    OrganizationFact,
    Page,
    ProgramFact,
    ProjectFact,
    SectorFact,
)
from kume.store import Store
from search_api.backends.embedded import EmbeddedBackend
from search_api.contract import SearchQuery
from search_api.indexer import index_store, to_index_document


def _page(number: int, title: str, body: str) -> Page:
    return Page(
        source="izto",
        url=f"https://izto.example.org/haber/{number}",
        fetched_at=datetime(2024, 1, 1, tzinfo=UTC),
        raw=f"<html><body>{body}</body></html>".encode(),
        title=title,
        body=body,
        published=date(2023, 5, number),
        language="tr",
    )


EXTRACTION = Extraction(
    pipeline_version="test-1",
    language="tr",
    countries=[CountryFact(code="KZ"), CountryFact(code="KZ")],
    cities=[CityFact(name="Almatı", country="KZ")],
    sectors=[SectorFact(code="C13")],
    programs=[ProgramFact(code="UR-GE")],
    projects=[
        ProjectFact(name="Tekstil Kümesi UR-GE Projesi", program="UR-GE", project_id="prj-7"),
        ProjectFact(name="Deri Kümesi", program="KOBI-KUMELENME"),
    ],
    organizations=[
        OrganizationFact(names=["İzmir Ticaret Odası", "İZTO"], role="coordinator"),
        OrganizationFact(names=["İzmir  Ticaret\nOdası"]),  # the page's white space: the same value
    ],
    activities=[ActivityFact(code="trade_delegation")],
    event_dates=[DateFact(start="2023-06-05", end="2023-06-09"), DateFact(start="2023-09", end="2023-09")],
)


def test_facts_become_facet_keywords(tmp_path: Path) -> None:
    with Store(tmp_path / "store.sqlite3") as store:
        stored = store.upsert_page(_page(1, "Kazakistan'a heyet", "İzmir'den ihracatçılarımız Almatı'ya gitti."))
        store.save_extraction(stored.doc_id, stored.version, EXTRACTION)
        document = store.get(stored.doc_id)
    assert document is not None
    indexed = to_index_document(document)
    assert indexed.country == ["KZ"]
    assert indexed.city == ["Almatı|KZ"]
    assert indexed.sector == ["C13"]
    assert indexed.program == ["UR-GE", "KOBI-KUMELENME"]
    assert indexed.project == ["prj-7", "Deri Kümesi"]
    assert indexed.organization == ["İzmir Ticaret Odası"]
    assert [(n.facet, n.value, n.name) for n in indexed.names] == [
        ("organization", "İzmir Ticaret Odası", "İZTO"),
        ("project", "prj-7", "Tekstil Kümesi UR-GE Projesi"),
    ]
    assert indexed.activity == ["trade_delegation"]
    assert [(e.start, e.end) for e in indexed.event_dates] == [("2023-06-05", "2023-06-09"), ("2023-09", "2023-09")]
    assert (indexed.language, indexed.source, indexed.published) == ("tr", "izto", date(2023, 5, 1))


def test_index_store_rebuilds_and_upserts(tmp_path: Path) -> None:
    seen: list[str] = []
    with Store(tmp_path / "store.sqlite3") as store:
        first = store.upsert_page(_page(1, "Kazakistan'a heyet", "ihracatçılarımız Almatı'ya gitti."))
        store.save_extraction(first.doc_id, first.version, EXTRACTION)
        second = store.upsert_page(_page(2, "Eğitim", "Kümelenme eğitimi yapıldı."))
        backend = EmbeddedBackend(tmp_path / "index.sqlite3")
        try:
            assert index_store(store, backend, on_document=seen.append) == 2
            assert seen == [first.doc_id, second.doc_id]
            assert [h.id for h in backend.search(SearchQuery(q="ihracat")).hits] == [first.doc_id]
            # The organisation's abbreviation, from the extraction, finds its document.
            assert [h.id for h in backend.search(SearchQuery(q="İZTO")).hits] == [first.doc_id]
            assert [h.id for h in backend.search(SearchQuery(q="org:izto")).hits] == [first.doc_id]
            assert backend.search(SearchQuery(event_from=date(2023, 9, 20), event_to=date(2023, 9, 21))).total == 1
            third = store.upsert_page(_page(3, "Alım heyeti", "Alım heyeti İzmir'e geldi."))
            assert index_store(store, backend, rebuild=False) == 3
            assert backend.count() == 3
            assert [h.id for h in backend.search(SearchQuery(q="alım heyeti")).hits] == [third.doc_id]
            store.mark_duplicate(third.doc_id, second.doc_id)
            assert index_store(store, backend, rebuild=False) == 2
            assert backend.count() == 2
            assert backend.search(SearchQuery(q="alım heyeti")).total == 0
            assert index_store(store, backend) == 2
            assert backend.count() == 2
        finally:
            backend.close()
