"""fetch_page: one URL of a registered source, over real HTTP, for the API's ingest-by-URL."""

from __future__ import annotations

import re

import pytest

from crawler.maintext import MainTextError
from crawler.registry import Registry
from crawler.run import FetchError, UrlNotAllowed, fetch_page
from kume.config import Settings
from tests.crawler.site import LocalNewsSite


def test_fetches_and_extracts_a_registered_page(site: LocalNewsSite, registry: Registry, settings: Settings) -> None:
    page = fetch_page(settings, registry, site.base_url + "/haber/windows-1254-kodlu-haber")
    assert page.source == "oda"
    assert page.title == "Şırnak ve Iğdır'dan ihracatçılar"
    assert page.encoding == "cp1254"
    assert page.language == "tr"
    assert page.etag is not None
    assert page.published is not None


def test_redirects_are_followed_and_recorded(site: LocalNewsSite, registry: Registry, settings: Settings) -> None:
    page = fetch_page(settings, registry, site.base_url + "/haber/yonlendirme-baslangic-haberi")
    assert page.url == site.base_url + "/haber/yonlendirilen-son-haber"
    assert site.base_url + "/haber/yonlendirme-baslangic-haberi" in page.aliases


def test_pdf_report(site: LocalNewsSite, registry: Registry, settings: Settings) -> None:
    page = fetch_page(settings, registry, site.base_url + "/raporlar/kumelenme-raporu-2024.pdf")
    assert page.content_type == "application/pdf"
    assert page.title == "Kumelenme Faaliyet Raporu 2024"


def test_refuses_urls_outside_the_registry_and_robots(
    site: LocalNewsSite, registry: Registry, settings: Settings
) -> None:
    with pytest.raises(UrlNotAllowed, match="http://localhost"):
        fetch_page(settings, registry, f"http://localhost:{site.server.server_port}/haber/ticaret-heyeti-haberi-1")
    with pytest.raises(UrlNotAllowed, match=r"robots\.txt"):
        fetch_page(settings, registry, site.base_url + "/private/haber/gizli-toplanti-notu")
    assert not any(path.startswith("/private/") for path, _ in site.hits)


def test_server_and_content_failures_name_the_url(site: LocalNewsSite, registry: Registry, settings: Settings) -> None:
    missing = site.base_url + "/haber/olmayan-sayfa-haberi"
    with pytest.raises(FetchError, match=re.escape(f"{missing}: HTTP 404")):
        fetch_page(settings, registry, missing)
    junk = site.base_url + "/haber/bozuk-ikili-veri-haberi"
    with pytest.raises(MainTextError, match="content is binary"):
        fetch_page(settings, registry, junk)
    huge = site.base_url + "/haber/cok-buyuk-sayfa-haberi"
    with pytest.raises(FetchError, match="larger than"):
        fetch_page(settings, registry, huge)
    slow = site.base_url + "/haber/yavas-sunucu-haberi"
    with pytest.raises(FetchError, match="Timeout"):
        fetch_page(settings, registry, slow, timeout=0.5)
