"""The crawl child process: `python -m crawler JOB.json` runs Scrapy and streams events on stdout.

Twisted's reactor cannot be restarted within a process, so `crawler.run.crawl`
runs every crawl here, in a fresh interpreter.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from scrapy.crawler import CrawlerProcess

from crawler.dedup import DuplicateDetector
from crawler.events import CrawlEvent
from crawler.jobs import EVENT_PREFIX, CrawlJob
from crawler.settings import kume_scrapy_settings
from crawler.spiders.news import NewsSpider
from kume.config import Settings
from kume.store import Store


def main(job_file: Path) -> int:
    job = CrawlJob.model_validate_json(job_file.read_text(encoding="utf-8"))
    settings = Settings(data_dir=job.data_dir, user_agent=job.user_agent)
    lock = threading.Lock()

    def emit(event: CrawlEvent) -> None:
        with lock:
            sys.stdout.write(EVENT_PREFIX + event.model_dump_json() + "\n")
            sys.stdout.flush()

    store = Store(settings.store_path)
    duplicates = DuplicateDetector(settings.store_path)
    try:
        process = CrawlerProcess(kume_scrapy_settings(settings, job.options), install_root_handler=True)
        for source_id in job.source_ids:
            process.crawl(
                NewsSpider,
                source=job.registry.get(source_id),
                store=store,
                duplicates=duplicates,
                emit=emit,
                max_pages=job.max_pages,
            )
        process.start()
    finally:
        duplicates.close()
        store.close()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m crawler JOB.json", file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main(Path(sys.argv[1])))
