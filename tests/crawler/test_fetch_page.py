"""fetch_page: one URL of a registered source, over real HTTP, for the API's ingest-by-URL."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.fetch import FetchError, UrlNotAllowed, fetch_page, public_address
from crawler.maintext import MainTextError
from crawler.registry import Registry, load_registry
from kume.config import Settings
from tests.crawler.site import REGISTRY_TOML, LocalNewsSite


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


def test_private_addresses_are_refused_unless_the_setting_allows_them(site: LocalNewsSite, tmp_path: Path) -> None:
    guarded = Settings(data_dir=tmp_path / "data")  # the default: public addresses only
    registry_file = tmp_path / "sources.toml"
    registry_file.write_text(REGISTRY_TOML, encoding="utf-8")
    before = sum(site.arrivals.values())
    by_ip = load_registry(registry_file, base_url=site.base_url)
    with pytest.raises(UrlNotAllowed, match=r"127\.0\.0\.1, not a public address"):
        fetch_page(guarded, by_ip, site.base_url + "/haber/ticaret-heyeti-haberi-1")
    by_name = load_registry(registry_file, base_url=site.base_url.replace("127.0.0.1", "localhost"))
    with pytest.raises(UrlNotAllowed, match=r"localhost is at .*not a public address"):
        fetch_page(guarded, by_name, site.base_url.replace("127.0.0.1", "localhost") + "/haber/ticaret-heyeti-haberi-1")
    assert sum(site.arrivals.values()) == before, "a private address was requested"


def test_every_redirect_hop_is_checked_before_it_is_requested(
    site: LocalNewsSite, registry: Registry, settings: Settings
) -> None:
    internal = _CountingServer()
    site.internal_url = internal.url + "admin/"
    with internal:
        with pytest.raises(UrlNotAllowed, match=r"port \d+ is none the source's registry URLs use"):
            fetch_page(settings, registry, site.base_url + "/haber/ic-servise-yonlendiren-haber")
        with pytest.raises(UrlNotAllowed, match="only absolute http and https"):
            fetch_page(settings, registry, site.base_url + "/haber/dosyaya-yonlendiren-haber")
        before = site.hits[("/haber/ticaret-heyeti-haberi-1", 200)]
        with pytest.raises(UrlNotAllowed, match="outside source 'oda'"):
            fetch_page(settings, registry, site.base_url + "/haber/baska-alana-yonlendiren-haber")
        assert site.hits[("/haber/ticaret-heyeti-haberi-1", 200)] == before
    assert internal.requests == [], "the internal service behind a redirect was requested"
    with pytest.raises(UrlNotAllowed, match="only absolute http and https"):
        fetch_page(settings, registry, "ftp://127.0.0.1/haber/x")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("100.64.0.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("224.0.0.251", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert public_address(address) is public


class _CountingServer:
    """An HTTP service on 127.0.0.1 that records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/"

    def __enter__(self) -> _CountingServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
