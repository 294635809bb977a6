"""The crawl child process: `python -m crawler ORDER.json` runs Scrapy and streams events on stdout.

Twisted's reactor cannot be restarted within a process, so `crawler.run.crawl`
runs every crawl here, in a fresh interpreter.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scrapy.crawler import CrawlerProcess

from crawler.order import CrawlOrder
from crawler.settings import kume_scrapy_settings
from crawler.spiders.news import NewsSpider
from kume.config import Settings


def main(order_file: Path) -> int:
    order = CrawlOrder.model_validate_json(order_file.read_text(encoding="utf-8"))
    settings = Settings(data_dir=order.data_dir, user_agent=order.user_agent)
    process = CrawlerProcess(kume_scrapy_settings(settings, order.options))
    for source_id in order.source_ids:
        process.crawl(NewsSpider, source=order.registry.get(source_id), max_pages=order.max_pages)
    process.start()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m crawler ORDER.json", file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main(Path(sys.argv[1])))
