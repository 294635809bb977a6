"""A small news site on 127.0.0.1 for the ingest and crawl tests, counting the requests it gets."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ARTICLE_TEMPLATE = """<!doctype html>
<html lang="tr"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="{published}"></head>
<body><header><nav><a href="/haberler">Haberler</a></nav></header>
<article><h1>{title}</h1><time datetime="{published}">{published}</time>
{paragraphs}
</article><footer>Örnek Ticaret Odası</footer></body></html>"""

ARTICLES = {
    "/haberler/mobilya-urge-irak-heyeti": (
        "Mobilya UR-GE projesi kapsamında Irak'a ticaret heyeti",
        "2024-05-06",
        [
            "Kayseri Ticaret Odası'nın yürüttüğü Mobilya Sektörü UR-GE Projesi kapsamında 12 firma "
            "Erbil ve Bağdat'a ticaret heyeti düzenledi.",
            "Heyet programında Iraklı alıcılarla ikili iş görüşmeleri yapıldı ve firmalar yeni siparişler aldı.",
            "Proje kapsamında bir sonraki adım olarak Almanya'daki bir mobilya fuarına katılım planlanıyor.",
        ],
    ),
    "/haberler/gida-alim-heyeti": (
        "Gıda kümesine Azerbaycan'dan alım heyeti",
        "2024-06-10",
        [
            "Gıda ihracatçılarının UR-GE projesi kapsamında Azerbaycan'dan gelen alım heyeti Kayseri'de ağırlandı.",
            "Bakü'den gelen toptancılar kuru meyve ve şekerleme üreticileriyle ikili iş görüşmeleri gerçekleştirdi.",
            "Görüşmelerin ardından firmalar Azerbaycan pazarına yönelik yeni ihracat bağlantıları kurdu.",
        ],
    ),
}


def article_html(path: str) -> str:
    title, published, paragraphs = ARTICLES[path]
    return ARTICLE_TEMPLATE.format(
        title=title, published=published, paragraphs="\n".join(f"<p>{p}</p>" for p in paragraphs)
    )


def listing_html() -> str:
    links = "\n".join(f'<li><a href="{path}">{title}</a></li>' for path, (title, _, _) in ARTICLES.items())
    head = '<head><meta charset="utf-8"><title>Haberler</title></head>'
    return f"<!doctype html><html>{head}<body><ul>{links}</ul></body></html>"


@dataclass
class Site:
    base_url: str
    requests: list[str] = field(default_factory=list)


@contextmanager
def news_site() -> Iterator[Site]:
    site = Site(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(self.path)
            if self.path == "/robots.txt":
                body, status = "User-agent: *\nAllow: /\n", 200
            elif self.path == "/haberler":
                body, status = listing_html(), 200
            elif self.path in ARTICLES:
                body, status = article_html(self.path), 200
            else:
                body, status = "not found", 404
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


REGISTRY_TOML = """
[[source]]
id = "ornek-oda"
name = "Örnek Ticaret Odası"
kind = "chamber"
languages = ["tr"]
allowed_domains = ["{host}"]
start_urls = ["{base_url}/haberler"]
discovery = ["listing"]
article_patterns = ['/haberler/[^/]+$']
listing_patterns = ['/haberler$']
"""


def write_registry(directory: Path) -> Path:
    path = directory / "sources.toml"
    path.write_text(REGISTRY_TOML, encoding="utf-8")
    return path
