"""The extract stage over a real SQLite store: statuses, re-extraction, and projects linked across documents."""

from datetime import UTC, date, datetime
from pathlib import Path

from kume.config import load_settings
from kume.schema import Document, ExtractionStatus, Page
from kume.store import Store
from nlp.pipeline import PIPELINE_VERSION, Extractor
from pipeline.writer import Writer


def page(url: str, title: str, body: str, language: str | None = None) -> Page:
    return Page(
        source="test",
        url=url,
        fetched_at=datetime(2024, 5, 1, tzinfo=UTC),
        raw=f"<html>{title}{body}</html>".encode(),
        title=title,
        body=body,
        published=date(2024, 5, 1),
        language=language,
    )


PAGES = [
    page(
        "https://btso.example/kimya-rusya",
        "Kimya UR-GE üyeleri Rusya pazarına odaklandı",
        "Bursa Ticaret ve Sanayi Odası (BTSO) liderliğinde yürütülen Kimya UR-GE Projesi kapsamında firmalar "
        "Moskova'da ikili iş görüşmeleri yaptı.",
    ),
    page(
        "https://news.example/btso-kimya-almanya",
        "BTSO kimya firmaları Almanya'da",
        "Bursa Ticaret ve Sanayi Odası (BTSO) liderliğinde yürütülen Kimya Ur-Ge Projesi kapsamında kimya "
        "sektörü temsilcileri Köln'de fuara katıldı.",
    ),
    page(
        "https://btso.example/makine-italya",
        "Makine UR-GE Projesi İtalya'da",
        "Bursa Ticaret ve Sanayi Odası (BTSO) liderliğinde yürütülen Makine UR-GE Projesi kapsamında makine "
        "sektörü firmaları Milano'da ticaret heyetine katıldı.",
    ),
    page("https://empty.example/", "", ""),
    page("https://de.example/", "Handelsmission", "Der Verband organisierte eine Handelsmission nach Kasachstan."),
]


def test_extract_store_links_one_project_across_reports_and_keeps_two_apart(
    tmp_path: Path, extractor: Extractor
) -> None:
    settings = load_settings(data_dir=tmp_path)
    seen: list[tuple[Document, ExtractionStatus]] = []
    with Store(settings.store_path) as store:
        for item in PAGES:
            store.upsert_page(item)
        writer = Writer(settings, store, extractor=extractor)
        report = writer.extract(on_document=lambda d, e: seen.append((d, e.status)))
        assert (report.ok, report.empty, report.unsupported_language, report.errors) == (3, 1, 1, 0)
        assert len(seen) == 5
        assert report.projects == 2

        projects = {p.name: p for p in store.projects()}
        assert set(projects) == {"Kimya UR-GE Projesi", "Makine UR-GE Projesi"}
        kimya = projects["Kimya UR-GE Projesi"]
        assert len(kimya.document_ids) == 2
        assert set(kimya.names) == {"Kimya UR-GE Projesi", "Kimya Ur-Ge Projesi"}
        assert kimya.sector == "C20" and projects["Makine UR-GE Projesi"].sector == "C28"

        saved = [store.get(d.id) for d, _ in seen]
        project_ids = {p.name: p.project_id for d in saved if d and d.extraction for p in d.extraction.projects}
        assert project_ids["Kimya UR-GE Projesi"] == project_ids["Kimya Ur-Ge Projesi"] == kimya.id
        assert project_ids["Makine UR-GE Projesi"] != kimya.id

        # Everything is extracted by this version now: a second run has nothing to do unless forced.
        again = writer.extract()
        assert again.documents == 0
        forced = writer.extract(force=True)
        assert forced.documents == 5
        assert all(d.extraction and d.extraction.pipeline_version == PIPELINE_VERSION for d in store.documents())


def test_documents_in_order_with_two_processes(extractor: Extractor) -> None:
    documents = [
        Document(
            id=str(i),
            version=1,
            source="t",
            url=f"https://x.example/{i}",
            fetched_at=datetime(2024, 1, 1, tzinfo=UTC),
            title=title,
            body=body,
            raw_ref="",
            content_hash="",
        )
        for i, (title, body) in enumerate(
            [
                ("Heyet Almanya'da", "Oda heyeti Almanya'ya gitti."),
                ("", ""),
                ("Delegation", "The chamber sent a trade delegation to Spain."),
                ("Heyet Irak'ta", "Oda heyeti Irak'a gitti."),
            ]
        )
    ]
    results = list(extractor.extract_documents(documents, n_process=2, batch_size=2))
    assert [d.id for d, _ in results] == ["0", "1", "2", "3"]
    assert [{c.code for c in e.countries} for _, e in results] == [{"DE"}, set(), {"ES"}, {"IQ"}]
    assert results[1][1].status is ExtractionStatus.EMPTY
