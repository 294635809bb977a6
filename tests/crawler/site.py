"""A small news site served over real HTTP on 127.0.0.1, with every misbehaviour the crawler must survive."""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import urlsplit

from fpdf import FPDF

from tests.support.news_words import VOCABULARY

SLOW_SECONDS = 3.0
HUGE_BYTES = 20 * 1024 * 1024


def article_body(topic: str) -> str:
    """Four paragraphs of words drawn by a generator seeded with the topic, so articles share no passages."""
    rng = random.Random(topic)
    paragraphs = [" ".join(rng.choice(VOCABULARY) for _ in range(40)).capitalize() + "." for _ in range(4)]
    return "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


UNDECLARED_TITLE = "Iğdır'da kümelenme toplantısı: İşbirliği ağı güçleniyor"
MISDECLARED_TITLE = "Şanlıurfa'da çalıştay: Öğrenciler ve üreticiler buluştu"
TOPICS = ["makine", "tekstil", "gıda", "otomotiv", "mobilya", "kimya", "ambalaj", "seramik", "elektronik"]


def article_html(title: str, topic: str, *, charset: str = "utf-8", nav: str = "Haberler") -> str:
    return f"""<!DOCTYPE html><html lang="tr"><head><meta charset="{charset}"><title>{title} | Oda</title>
<meta property="article:published_time" content="2024-03-15"></head><body>
<header><nav><a href="/">Ana sayfa</a> <a href="/haberler">{nav}</a> <a href="/iletisim">İletişim</a></nav></header>
<main><article><h1>{title}</h1><time datetime="2024-03-15">15 Mart 2024</time>
{article_body(topic)}
</article></main>
<footer><p>Tüm hakları saklıdır. Oda iletişim bilgileri ve adres satırı burada yer alır.</p></footer></body></html>"""


def listing_html(title: str, links: list[str], extra: str = "") -> str:
    items = "\n".join(f'<li><a href="{href}">{href.rsplit("/", 1)[-1].replace("-", " ")}</a></li>' for href in links)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{extra}</head>
<body><nav><a href="/">Ana sayfa</a> <a href="/iletisim">İletişim</a></nav><h1>{title}</h1><ul>{items}</ul>
PAGINATION</body></html>"""


def make_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_title("Kumelenme Faaliyet Raporu 2024")
    pdf.set_creation_date(datetime(2024, 5, 2, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(
        0,
        8,
        "Kumelenme Faaliyet Raporu 2024\n\nUR-GE projesi kapsaminda makine sektorunde yurutulen ihtiyac analizi, "
        "egitim programlari ve yurt disi pazarlama faaliyetlerinin sonuclari bu raporda ozetlenmektedir. "
        "Proje kapsaminda on iki firma Almanya ve Polonya pazarlarina yonelik ticaret heyetlerine katildi.",
    )
    return bytes(pdf.output())


class LocalNewsSite:
    """Routes of the site; `hits` counts (path, status) of every response sent, for incremental-crawl checks."""

    def __init__(self, bulk_articles: int = 0, bulk_delay: float = 0.0) -> None:
        self.bulk_articles = bulk_articles
        self.bulk_delay = bulk_delay
        self.hits: Counter[tuple[str, int]] = Counter()
        self.arrivals: Counter[str] = Counter()  # requests received, counted before any slow answer
        self.flaky_failures = 2
        # The /tazelik/ pages: their text changes with `revision`; the sitemap gives `lastmod` when set.
        self.revision = 1
        self.lastmod: str | None = None
        # Where /haber/ic-servise-yonlendiren-haber redirects: an internal service a test runs beside the site.
        self.internal_url = "http://127.0.0.1:9/"
        self._lock = threading.Lock()
        self.pdf = make_pdf()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalNewsSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def article_hits(self, status: int) -> int:
        return sum(n for (path, code), n in self.hits.items() if code == status and "/haber/" in path)

    # -- content ---------------------------------------------------------------

    ARTICLES: ClassVar[dict[str, str]] = {f"/haber/ticaret-heyeti-haberi-{i}": TOPICS[i] for i in range(1, 6)}
    LISTING: ClassVar[dict[int, list[str]]] = {
        1: ["/haber/ticaret-heyeti-haberi-1", "/haber/ticaret-heyeti-haberi-2", "/private/haber/gizli-toplanti-notu"],
        2: ["/haber/ticaret-heyeti-haberi-3", "/haber/ticaret-heyeti-haberi-4"],
        3: [
            "/haber/ticaret-heyeti-haberi-5",
            "/haber/windows-1254-kodlu-haber",
            "/haber/iso-8859-9-kodlu-haber",
            "/raporlar/kumelenme-raporu-2024.pdf",
            "/haber/yonlendirme-baslangic-haberi",
            "/haber/dongu-a-haberi",
            "/haber/olmayan-sayfa-haberi",
            "/haber/kararsiz-sunucu-haberi",
            "/haber/yavas-sunucu-haberi",
            "/haber/cok-buyuk-sayfa-haberi",
            "/haber/bozuk-ikili-veri-haberi",
        ],
    }

    def route(self, path: str, query: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            body = f"User-agent: *\nDisallow: /private/\n\nSitemap: {self.base_url}/sitemap.xml\n"
            return 200, {"Content-Type": "text/plain"}, body.encode()
        if path == "/haberler":
            page = int(query.removeprefix("page=") or 1) if query.startswith("page=") or not query else 0
            if page not in self.LISTING:
                return 404, {"Content-Type": html}, b"<html><body>yok</body></html>"
            extra = f'<link rel="next" href="/haberler?page={page + 1}">' if page == 2 else ""
            text = listing_html(f"Haberler sayfa {page}", self.LISTING[page], extra)
            pagination = '<a href="/haberler?page=2">2</a>' if page == 1 else ""
            return 200, {"Content-Type": html}, text.replace("PAGINATION", pagination).encode()
        if path == "/rss.xml":
            body = (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Oda</title>'
                f"<item><title>RSS haberi</title><link>{self.base_url}/haber/yalnizca-rss-haberi</link></item>"
                "</channel></rss>"
            )
            return 200, {"Content-Type": "application/rss+xml"}, body.encode()
        if path == "/sitemap.xml":
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{self.base_url}/haber/yalnizca-site-haritasi-haberi</loc></url></urlset>"
            )
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if path == "/toplu/haberler":
            links = [f"/toplu/haber/toplu-haber-{i}-metni" for i in range(self.bulk_articles)]
            return 200, {"Content-Type": html}, listing_html("Toplu", links).replace("PAGINATION", "").encode()
        if path.startswith("/toplu/haber/"):
            time.sleep(self.bulk_delay)
            return self.cacheable(article_html(f"Toplu haber {path}", path).encode(), html, headers)
        if path.startswith("/kodlama/"):
            return self.route_charsets(path)
        if path.startswith("/tazelik/"):
            return self.route_freshness(path)
        if path == "/ayna/haberler":
            text = listing_html("Ayna haberler", ["/ayna/haber/yeniden-yayimlanan-basin-bulteni"])
            return 200, {"Content-Type": html}, text.replace("PAGINATION", "").encode()
        return self.route_article(path, headers)

    def route_article(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        html = "text/html; charset=utf-8"
        if path in self.ARTICLES or path in ("/haber/yalnizca-rss-haberi", "/haber/yalnizca-site-haritasi-haberi"):
            topic = self.ARTICLES.get(path, "ambalaj" if "rss" in path else "seramik")
            return self.cacheable(article_html(f"Ticaret heyeti: {topic}", topic).encode(), html, headers)
        if path == "/private/haber/gizli-toplanti-notu":
            return 200, {"Content-Type": html}, article_html("Gizli", "gizli").encode()
        if path == "/ayna/haber/yeniden-yayimlanan-basin-bulteni":
            # The same press release as article 1, republished under another headline and layout.
            text = article_html("Bursa'dan Düsseldorf'a heyet", TOPICS[1], nav="Ekonomi").replace("Oda", "Gazete")
            return self.cacheable(text.encode(), html, headers)
        if path == "/haber/windows-1254-kodlu-haber":
            text = article_html("Şırnak ve Iğdır'dan ihracatçılar", "değirmen", charset="windows-1254")
            return self.cacheable(text.encode("cp1254"), "text/html", headers)
        if path == "/haber/iso-8859-9-kodlu-haber":
            text = article_html("Güneydoğu'da kümelenme çalıştayı", "halı", charset="iso-8859-9")
            return self.cacheable(text.encode("iso-8859-9"), "text/html; charset=iso-8859-9", headers)
        if path == "/raporlar/kumelenme-raporu-2024.pdf":
            return self.cacheable(self.pdf, "application/pdf", headers)
        if path == "/haber/yonlendirme-baslangic-haberi":
            return 302, {"Location": "/haber/yonlendirme-ara-haberi"}, b""
        if path == "/haber/yonlendirme-ara-haberi":
            return 301, {"Location": "/haber/yonlendirilen-son-haber"}, b""
        if path == "/haber/yonlendirilen-son-haber":
            return self.cacheable(article_html("Yönlendirilen haber", "lojistik").encode(), html, headers)
        if path == "/haber/ic-servise-yonlendiren-haber":
            return 302, {"Location": self.internal_url}, b""
        if path == "/haber/dosyaya-yonlendiren-haber":
            return 302, {"Location": "file:///etc/passwd"}, b""
        if path == "/haber/baska-alana-yonlendiren-haber":
            elsewhere = self.base_url.replace("127.0.0.1", "localhost")
            return 302, {"Location": f"{elsewhere}/haber/ticaret-heyeti-haberi-1"}, b""
        if path == "/haber/dongu-a-haberi":
            return 302, {"Location": "/haber/dongu-b-haberi"}, b""
        if path == "/haber/dongu-b-haberi":
            return 302, {"Location": "/haber/dongu-a-haberi"}, b""
        if path == "/haber/kararsiz-sunucu-haberi":
            with self._lock:
                if self.flaky_failures > 0:
                    self.flaky_failures -= 1
                    return 503, {"Content-Type": html}, b"<html><body>bakim</body></html>"
            return self.cacheable(article_html("Kararsız sunucu", "elektronik").encode(), html, headers)
        if path == "/haber/yavas-sunucu-haberi":
            time.sleep(SLOW_SECONDS)
            return 200, {"Content-Type": html}, article_html("Yavaş", "fuar").encode()
        if path == "/haber/cok-buyuk-sayfa-haberi":
            filler = b"<p>" + b"dolgu metni " * 100 + b"</p>\n"
            return (
                200,
                {"Content-Type": html},
                b"<html><body>" + filler * (HUGE_BYTES // len(filler) + 1) + b"</body></html>",
            )
        if path == "/haber/bozuk-ikili-veri-haberi":
            return 200, {"Content-Type": html}, os.urandom(64 * 1024)
        return 404, {"Content-Type": html}, b"<html><body>Sayfa bulunamadi</body></html>"

    def route_charsets(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """Turkish pages whose charset the server does not say, or says wrong."""
        if path == "/kodlama/haberler":
            links = ["/kodlama/haber/bildirimsiz-1254-haberi", "/kodlama/haber/yanlis-bildirilmis-utf8-haberi"]
            return 200, {"Content-Type": "text/html"}, listing_html("Kodlama", links).replace("PAGINATION", "").encode()
        if path == "/kodlama/haber/bildirimsiz-1254-haberi":
            text = article_html(UNDECLARED_TITLE, "toplantı").replace('<meta charset="utf-8">', "")
            return 200, {"Content-Type": "text/html"}, text.encode("cp1254")
        if path == "/kodlama/haber/yanlis-bildirilmis-utf8-haberi":
            text = article_html(MISDECLARED_TITLE, "çalıştay").replace('<meta charset="utf-8">', "")
            return 200, {"Content-Type": "text/html; charset=iso-8859-1"}, text.encode("utf-8")
        return 404, {"Content-Type": "text/html"}, b"<html><body>yok</body></html>"

    def route_freshness(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """Pages without validators (no ETag, no Last-Modified, as many chamber CMSs), and links that leave the site."""
        html = "text/html; charset=utf-8"
        elsewhere = self.base_url.replace("127.0.0.1", "localhost")
        if path == "/tazelik/haberler":
            links = ["/tazelik/haber/dogrulayicisiz-haber-metni", f"{elsewhere}/tazelik/haber/baska-sitedeki-haber"]
            links.append("/tazelik/haber/baska-siteye-tasinan-haber")
            return 200, {"Content-Type": html}, listing_html("Tazelik", links).replace("PAGINATION", "").encode()
        if path == "/tazelik/sitemap.xml":
            lastmod = f"<lastmod>{self.lastmod}</lastmod>" if self.lastmod else ""
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{self.base_url}/tazelik/haber/site-haritali-haber-metni</loc>{lastmod}</url></urlset>"
            )
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if path == "/tazelik/haber/baska-siteye-tasinan-haber":
            return 301, {"Location": f"{elsewhere}/tazelik/haber/tasindigi-yer"}, b""
        if path in ("/tazelik/haber/dogrulayicisiz-haber-metni", "/tazelik/haber/site-haritali-haber-metni"):
            topic = f"{path} sürüm {self.revision}"
            return 200, {"Content-Type": html}, article_html(f"Düzeltilen haber {path[-20:]}", topic).encode()
        return 404, {"Content-Type": html}, b"<html><body>yok</body></html>"

    @staticmethod
    def cacheable(body: bytes, content_type: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": content_type, "ETag": etag}, body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                with site._lock:
                    site.arrivals[parts.path] += 1
                status, headers, body = site.route(
                    parts.path, parts.query, {k.lower(): v for k, v in self.headers.items()}
                )
                with site._lock:
                    site.hits[(parts.path, status)] += 1
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


REGISTRY_TOML = r"""
[[source]]
id = "oda"
name = "Test Odası"
kind = "chamber"
languages = ["tr"]
allowed_domains = ["{host}"]
start_urls = ["{base_url}/haberler"]
discovery = ["listing", "rss", "sitemap"]
feeds = ["{base_url}/rss.xml"]
article_patterns = ['/haber/[^/]+$', '/raporlar/[^/]+\.pdf$']
listing_patterns = ['/haberler(\?page=1)?$']
checked_live = false

[[source]]
id = "ayna"
name = "Ayna Gazetesi"
kind = "news_outlet"
languages = ["tr", "en"]
allowed_domains = ["{host}"]
start_urls = ["{base_url}/ayna/haberler"]
discovery = ["listing"]
article_patterns = ['/ayna/haber/[^/]+$']
checked_live = false
"""

BULK_REGISTRY_TOML = r"""
[[source]]
id = "toplu"
name = "Toplu Haber Odası"
kind = "chamber"
allowed_domains = ["{host}"]
start_urls = ["{base_url}/toplu/haberler"]
article_patterns = ['/toplu/haber/[^/]+$']
"""

FRESHNESS_REGISTRY_TOML = r"""
[[source]]
id = "tazelik"
name = "Tazelik Odası"
kind = "chamber"
allowed_domains = ["{host}"]
start_urls = ["{base_url}/tazelik/haberler"]
discovery = ["listing", "sitemap"]
sitemaps = ["{base_url}/tazelik/sitemap.xml"]
article_patterns = ['/tazelik/haber/[^/]+$']
"""

CHARSETS_REGISTRY_TOML = r"""
[[source]]
id = "kodlama"
name = "Kodlama Odası"
kind = "chamber"
languages = ["tr"]
allowed_domains = ["{host}"]
start_urls = ["{base_url}/kodlama/haberler"]
article_patterns = ['/kodlama/haber/[^/]+$']
"""
