"""Crawl throughput: kume's full crawl (discovery, extraction, store, dedup) vs a bare Scrapy spider.

Both crawl the same generated site (benchmarks/crawl_site.py) with the same
Scrapy settings (crawler.settings.scrapy_settings: robots.txt, AutoThrottle,
per-domain concurrency, timeouts, retries); the bare spider only follows the
same listing and article links and throws the responses away.
Usage: python benchmarks/crawl_throughput.py [--json] [--articles N] [--latency S] [--concurrency N]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import scrapy  # noqa: E402
from scrapy.crawler import CrawlerProcess  # noqa: E402

from benchmarks.crawl_site import REGISTRY_TOML, start_site  # noqa: E402
from crawler.registry import load_registry  # noqa: E402
from crawler.run import crawl  # noqa: E402
from crawler.settings import CrawlOptions, scrapy_settings  # noqa: E402
from kume.config import Settings  # noqa: E402


class BareSpider(scrapy.Spider):
    """Fetches the listing pages and the articles they link to, and nothing else."""

    name = "bare"

    def __init__(self, base_url: str, article_pattern: str, listing_pattern: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [f"{base_url}/haberler/1"]
        self.article = re.compile(article_pattern)
        self.listing = re.compile(listing_pattern)
        self.articles = 0

    def parse(self, response: scrapy.http.Response) -> Iterator[scrapy.Request]:
        for href in response.css("a::attr(href)").getall():
            path = href.split("://", 1)[-1]
            path = path[path.find("/") :] if "://" in href else href
            if self.article.search(path):
                yield response.follow(href, callback=self.count)
            elif self.listing.search(path):
                yield response.follow(href, callback=self.parse)

    def count(self, response: scrapy.http.Response) -> None:
        self.articles += 1

    def closed(self, reason: str) -> None:
        print(json.dumps({"articles": self.articles}))


def options_for(concurrency: int) -> CrawlOptions:
    return CrawlOptions(
        download_delay=0.0, autothrottle_start_delay=0.0, concurrency_per_domain=concurrency, retry_backoff=0.1
    )


def bare_child(base_url: str, concurrency: int) -> None:
    registry = load_registry_for(base_url)
    source = registry.get("bench")
    process = CrawlerProcess(scrapy_settings(Settings(data_dir=Path(tempfile.gettempdir())), options_for(concurrency)))
    process.crawl(
        BareSpider,
        base_url=base_url,
        article_pattern=source.article_patterns[0],
        listing_pattern=source.listing_patterns[0],
    )
    process.start()


def load_registry_for(base_url: str):
    path = Path(tempfile.mkdtemp()) / "sources.toml"
    path.write_text(REGISTRY_TOML, encoding="utf-8")
    return load_registry(path, base_url=base_url)


def run_bare(base_url: str, concurrency: int) -> tuple[int, float]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--bare-child", base_url, "--concurrency", str(concurrency)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    articles = json.loads(out.stdout.strip().splitlines()[-1])["articles"]
    return articles, seconds


def run_kume(base_url: str, concurrency: int) -> tuple[int, float, dict[str, Any]]:
    registry = load_registry_for(base_url)
    settings = Settings(data_dir=Path(tempfile.mkdtemp()) / "data")
    started = time.perf_counter()
    report = crawl(settings, registry, options=options_for(concurrency))
    seconds = time.perf_counter() - started
    stored = report.new + report.duplicates
    return stored, seconds, {"new": report.new, "duplicates": report.duplicates, "errors": len(report.errors)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the server waits before each answer")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent requests per domain")
    parser.add_argument("--bare-child", metavar="BASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_child:
        bare_child(args.bare_child, args.concurrency)
        return 0
    base_url, server = start_site(args.articles, args.latency)
    try:
        bare_articles, bare_seconds = run_bare(base_url, args.concurrency)
        kume_articles, kume_seconds, kume_counts = run_kume(base_url, args.concurrency)
    finally:
        server.terminate()
        server.join()
    bare_rate = bare_articles / bare_seconds
    kume_rate = kume_articles / kume_seconds
    result = {
        "site": {"articles": args.articles, "latency_s": args.latency, "concurrency_per_domain": args.concurrency},
        "bare_scrapy": {"pages": bare_articles, "seconds": round(bare_seconds, 1), "pages_per_s": round(bare_rate, 1)},
        "kume": {
            "pages": kume_articles,
            "seconds": round(kume_seconds, 1),
            "pages_per_s": round(kume_rate, 1),
            **kume_counts,
        },
        "ratio": round(kume_rate / bare_rate, 3),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
