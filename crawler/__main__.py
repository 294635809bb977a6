"""The crawl child process: `python -m crawler` reads its CrawlOrder on stdin, runs Scrapy, streams events on stdout.

Twisted's reactor cannot be restarted within a process, so `crawler.run.crawl` runs every crawl here,
in a fresh interpreter. The child ends with its parent, so no orphan goes on writing to the store and
loading the publisher: the kernel kills it when the parent dies (Linux PR_SET_PDEATHSIG, the same call
the test nodes use), and a watcher thread ends it when the parent is gone in any other way (another
system; a parent gone before the kernel was asked). The watcher also renews the crawl locks the child
holds, so that a process of another host sees they are not stale.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

from scrapy.crawler import CrawlerProcess

from crawler.order import EXIT_LOCK_LOST, EXIT_PARENT_GONE, CrawlOrder
from crawler.settings import kume_scrapy_settings
from crawler.spiders.news import NewsSpider
from kume.config import Settings
from kume.process import current_owner
from kume.store import Store, StoreError

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_CHECK_SECONDS = 0.5
RENEW_SECONDS = 10.0

log = logging.getLogger("crawler.child")


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux; a no-op elsewhere).

    SIGKILL, not SIGTERM: nobody reads the events any more, and every store write is one transaction,
    so stopping at any point loses nothing but the pages in flight, which the next crawl fetches.
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def watch_parent(parent_pid: int, store: Store, owner: str) -> None:
    """End this process as soon as its parent is gone; renew its crawl locks meanwhile."""

    def watch() -> None:
        renewed = time.monotonic()
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != parent_pid:
                log.error("the process that started this crawl (pid %d) is gone; stopping", parent_pid)
                os._exit(EXIT_PARENT_GONE)
            if time.monotonic() - renewed >= RENEW_SECONDS:
                try:
                    store.renew_crawls(owner)
                except StoreError as exc:  # a busy store: the next round renews them
                    log.warning("cannot renew the crawl locks: %s", exc)
                renewed = time.monotonic()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main() -> int:
    die_with_parent()
    order = CrawlOrder.model_validate_json(sys.stdin.read())
    if os.getppid() != order.parent_pid:
        return EXIT_PARENT_GONE  # it died before the kernel was asked to end this process with it
    settings = Settings(
        data_dir=order.data_dir, user_agent=order.user_agent, revisit_after_days=order.revisit_after_days
    )
    owner = current_owner()
    store = Store(settings.store_path)
    if not store.hand_over_crawls(order.source_ids, order.lock_owner, owner):
        print(f"the crawl locks of {', '.join(order.source_ids)} are no longer held by this crawl", file=sys.stderr)
        return EXIT_LOCK_LOST
    watch_parent(order.parent_pid, store, owner)
    process = CrawlerProcess(kume_scrapy_settings(settings, order.options))
    for source_id in order.source_ids:
        process.crawl(NewsSpider, source=order.registry.get(source_id), max_pages=order.max_pages)
    process.start()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 1:
        print("usage: python -m crawler < ORDER.json", file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main())
