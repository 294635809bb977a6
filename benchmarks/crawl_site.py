"""The generated news site the crawl-throughput benchmark crawls: N articles behind paginated listings.

Pages are rendered on request from a seeded generator (nothing on disk), and
every response waits `latency` seconds first, standing in for the network
round trip to a real publisher.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import socket
from typing import Any

from aiohttp import web

from tests.support.news_words import VOCABULARY

PER_LISTING = 20

REGISTRY_TOML = r"""
[[source]]
id = "bench"
name = "Benchmark Odası"
kind = "chamber"
allowed_domains = ["{host}"]
start_urls = ["{base_url}/haberler/1"]
article_patterns = ['^/haber/\d+-[a-z-]+$']
listing_patterns = ['^/haberler/\d+$']
"""

NAV = "".join(f'<li><a href="/bolum/{w}">{w.capitalize()}</a></li>' for w in VOCABULARY[:12])


def article_page(number: int) -> str:
    rng = random.Random(number)
    title = " ".join(rng.choice(VOCABULARY) for _ in range(8)).capitalize()
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(40, 90))).capitalize() + ".</p>"
        for _ in range(rng.randint(4, 9))
    )
    related = "".join(f'<li><a href="/bolum/{w}">{w} haberleri</a></li>' for w in rng.sample(VOCABULARY, 5))
    return (
        f'<!DOCTYPE html><html lang="tr"><head><meta charset="utf-8"><title>{title} | Oda</title>'
        f'<meta property="article:published_time" content="2024-{1 + number % 12:02d}-{1 + number % 28:02d}">'
        f"</head><body><header><nav><ul>{NAV}</ul></nav></header><main><article><h1>{title}</h1>{paragraphs}"
        f"</article><aside><h3>İlgili</h3><ul>{related}</ul></aside></main>"
        f"<footer><p>Oda iletişim ve adres bilgileri. Tüm hakları saklıdır.</p></footer></body></html>"
    )


def listing_page(page: int, articles: int) -> str:
    pages = (articles + PER_LISTING - 1) // PER_LISTING
    first = (page - 1) * PER_LISTING
    items = "".join(
        f'<li><a href="/haber/{n}-ticaret-heyeti-haberi">Haber {n}</a></li>'
        for n in range(first, min(first + PER_LISTING, articles))
    )
    pager = f'<a rel="next" href="/haberler/{page + 1}">Sonraki</a>' if page < pages else ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Haberler {page}</title></head>'
        f"<body><nav><ul>{NAV}</ul></nav><ul>{items}</ul>{pager}</body></html>"
    )


def make_app(articles: int, latency: float) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        await asyncio.sleep(latency)
        path = request.path
        if path == "/robots.txt":
            return web.Response(text="User-agent: *\nDisallow: /bolum/\n")
        if path.startswith("/haberler/"):
            page = int(path.rsplit("/", 1)[1])
            return web.Response(text=listing_page(page, articles), content_type="text/html")
        if path.startswith("/haber/"):
            number = int(path.removeprefix("/haber/").split("-", 1)[0])
            if number < articles:
                return web.Response(text=article_page(number), content_type="text/html")
        return web.Response(status=404, text="yok")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    return app


def _serve(sock: socket.socket, articles: int, latency: float) -> None:
    web.run_app(make_app(articles, latency), sock=sock, print=None, handle_signals=True)


def start_site(articles: int, latency: float) -> tuple[str, Any]:
    """Serve the site from its own process, off the crawler's GIL; returns (base_url, process)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    process = multiprocessing.get_context("fork").Process(target=_serve, args=(sock, articles, latency), daemon=True)
    process.start()
    sock.close()
    return f"http://127.0.0.1:{port}", process
