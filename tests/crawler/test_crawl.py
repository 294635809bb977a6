"""A full crawl of the local test site over real HTTP, then an incremental second crawl."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.events import CrawlEvent, CrawlReport
from crawler.registry import Registry, load_registry
from crawler.run import crawl
from crawler.settings import CrawlOptions
from kume.config import Settings
from kume.schema import Document
from kume.store import Store
from tests.crawler.site import (
    CHARSETS_REGISTRY_TOML,
    MISDECLARED_TITLE,
    REGISTRY_TOML,
    UNDECLARED_TITLE,
    LocalNewsSite,
)


@dataclass
class TwoCrawls:
    site: LocalNewsSite
    settings: Settings
    first: CrawlReport
    first_events: list[CrawlEvent]
    first_hits: Counter[tuple[str, int]]
    first_arrivals: Counter[str]
    second: CrawlReport
    documents: dict[str, Document]

    def url(self, path: str) -> str:
        return self.site.base_url + path

    def errors(self) -> dict[str, str]:
        return {error.url: error.message for error in self.first.errors}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoCrawls]:
    tmp = tmp_path_factory.mktemp("crawl")
    options = CrawlOptions(
        download_timeout=1.0, retry_backoff=0.05, download_delay=0, autothrottle_start_delay=0, concurrency_per_domain=8
    )
    with LocalNewsSite() as site:
        (tmp / "sources.toml").write_text(REGISTRY_TOML, encoding="utf-8")
        registry: Registry = load_registry(tmp / "sources.toml", base_url=site.base_url)
        settings = Settings(data_dir=tmp / "data")
        events: list[CrawlEvent] = []
        first = crawl(settings, registry, on_page=events.append, options=options)
        first_hits, first_arrivals = Counter(site.hits), Counter(site.arrivals)
        second = crawl(settings, registry, options=options)
        with Store(settings.store_path) as store:
            documents = {doc.url: doc for doc in store.documents(include_duplicates=True)}
        yield TwoCrawls(site, settings, first, events, first_hits, first_arrivals, second, documents)


def test_listing_pagination_feed_and_sitemap_discover_every_article(crawled: TwoCrawls) -> None:
    for i in range(1, 6):  # pages 1, 2 (numbered link) and 3 (rel=next) of the listing
        assert crawled.url(f"/haber/ticaret-heyeti-haberi-{i}") in crawled.documents
    assert crawled.url("/haber/yalnizca-rss-haberi") in crawled.documents
    assert crawled.url("/haber/yalnizca-site-haritasi-haberi") in crawled.documents
    assert crawled.first.new == 12
    assert len(crawled.first_events) == crawled.first.new + crawled.first.duplicates + crawled.first.disallowed + len(
        crawled.first.errors
    )


def test_robots_txt_disallowed_section_is_never_fetched(crawled: TwoCrawls) -> None:
    assert not any(path.startswith("/private/") for path, _ in crawled.first_hits)
    assert crawled.first.disallowed == 1
    assert not any("/private/" in url for url in crawled.documents)


def test_turkish_legacy_charsets_are_decoded(crawled: TwoCrawls) -> None:
    cp1254 = crawled.documents[crawled.url("/haber/windows-1254-kodlu-haber")]
    assert cp1254.title == "Şırnak ve Iğdır'dan ihracatçılar"
    iso = crawled.documents[crawled.url("/haber/iso-8859-9-kodlu-haber")]
    assert iso.title == "Güneydoğu'da kümelenme çalıştayı"
    assert cp1254.language == "tr"


def test_pdf_report_is_stored_with_title_and_date(crawled: TwoCrawls) -> None:
    pdf = crawled.documents[crawled.url("/raporlar/kumelenme-raporu-2024.pdf")]
    assert pdf.content_type == "application/pdf"
    assert pdf.title == "Kumelenme Faaliyet Raporu 2024"
    assert pdf.published is not None and pdf.published.isoformat() == "2024-05-02"


def test_redirect_chain_stores_the_final_url_with_the_others_as_aliases(crawled: TwoCrawls) -> None:
    final = crawled.documents[crawled.url("/haber/yonlendirilen-son-haber")]
    assert set(final.aliases) == {
        crawled.url("/haber/yonlendirme-baslangic-haberi"),
        crawled.url("/haber/yonlendirme-ara-haberi"),
    }
    assert crawled.url("/haber/yonlendirme-baslangic-haberi") not in crawled.documents


def test_failures_are_reported_per_url_and_nothing_of_them_is_stored(crawled: TwoCrawls) -> None:
    errors = crawled.errors()
    loop = [message for url, message in errors.items() if "dongu" in url]
    assert len(loop) == 1 and "redirect loop" in loop[0]
    assert errors[crawled.url("/haber/olmayan-sayfa-haberi")] == "HTTP 404"
    assert "took longer than 1.0 seconds" in errors[crawled.url("/haber/yavas-sunucu-haberi")]
    assert "larger than download max size" in errors[crawled.url("/haber/cok-buyuk-sayfa-haberi")]
    assert "content is binary" in errors[crawled.url("/haber/bozuk-ikili-veri-haberi")]
    assert len(errors) == 5
    for path in ("dongu", "olmayan", "yavas", "cok-buyuk", "bozuk"):
        assert not any(path in url for url in crawled.documents)
    # The 404 is not retried; the timeout is, with backoff, before giving up.
    assert crawled.first_hits[("/haber/olmayan-sayfa-haberi", 404)] == 1
    assert crawled.first_arrivals["/haber/yavas-sunucu-haberi"] == 3


def test_flaky_endpoint_is_retried_until_it_answers(crawled: TwoCrawls) -> None:
    assert crawled.first_hits[("/haber/kararsiz-sunucu-haberi", 503)] == 2
    assert crawled.url("/haber/kararsiz-sunucu-haberi") in crawled.documents


def test_syndicated_copy_is_kept_once_with_its_url_recorded(crawled: TwoCrawls) -> None:
    original = crawled.documents[crawled.url("/haber/ticaret-heyeti-haberi-1")]
    copy_url = crawled.url("/ayna/haber/yeniden-yayimlanan-basin-bulteni")
    assert crawled.first.duplicates == 1
    assert copy_url in original.aliases
    with Store(crawled.settings.store_path) as store:
        canonical_urls = {doc.url for doc in store.documents()}
    assert copy_url not in canonical_urls
    assert original.url in canonical_urls


def test_second_crawl_downloads_no_unchanged_article(crawled: TwoCrawls) -> None:
    second = crawled.second
    assert second.new == second.changed == second.unchanged == second.downloads == 0
    assert second.not_modified == len(crawled.documents)
    for url in crawled.documents:
        path = url.removeprefix(crawled.site.base_url)
        assert crawled.site.hits[(path, 200)] == crawled.first_hits[(path, 200)], path
    # Listing pages are read again to find new articles.
    assert crawled.site.hits[("/haberler", 200)] > crawled.first_hits[("/haberler", 200)]
    with Store(crawled.settings.store_path) as store:
        assert all(store.versions_count(doc.id) == 1 for doc in crawled.documents.values())


def test_max_pages_caps_article_requests(crawled: TwoCrawls, tmp_path: Path) -> None:
    registry = load_registry(crawled.settings.data_dir.parent / "sources.toml", base_url=crawled.site.base_url)
    settings = Settings(data_dir=tmp_path / "data")
    options = CrawlOptions(download_delay=0, autothrottle_start_delay=0)
    report = crawl(settings, registry, ["ayna"], max_pages=1, options=options)
    assert report.new == 1
    with Store(settings.store_path) as store:
        assert store.count() == 1


def test_turkish_pages_without_or_with_a_wrong_charset_are_read_as_turkish(tmp_path: Path) -> None:
    """A windows-1254 page that declares no charset, and UTF-8 declared as iso-8859-1 (with a warning)."""
    (tmp_path / "sources.toml").write_text(CHARSETS_REGISTRY_TOML, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")
    options = CrawlOptions(download_delay=0, autothrottle_start_delay=0)
    with LocalNewsSite() as site:
        report = crawl(settings, load_registry(tmp_path / "sources.toml", base_url=site.base_url), options=options)
    assert report.new == 2 and report.errors == []
    with Store(settings.store_path) as store:
        titles = {doc.url.rsplit("/", 1)[-1]: doc.title for doc in store.documents()}
    assert titles == {"bildirimsiz-1254-haberi": UNDECLARED_TITLE, "yanlis-bildirilmis-utf8-haberi": MISDECLARED_TITLE}
    assert [warning.url.rsplit("/", 1)[-1] for warning in report.warnings] == ["yanlis-bildirilmis-utf8-haberi"]
    # iso-8859-1 is read as its WHATWG superset windows-1252 (w3lib), which the warning names.
    assert "charset is cp1252, but its bytes are UTF-8" in report.warnings[0].message
