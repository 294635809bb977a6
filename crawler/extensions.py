"""The crawl child's report to its parent: one event line on stdout per article page."""

from __future__ import annotations

import logging
import os
import sys
import threading
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.python.failure import Failure

from crawler.events import CrawlEvent, EventKind
from crawler.items import ArticleItem
from crawler.order import EVENT_PREFIX, EXIT_PARENT_GONE
from crawler.signals import crawl_event
from kume.store import UpsertOutcome

_OUTCOME_EVENT = {
    UpsertOutcome.NEW: EventKind.NEW,
    UpsertOutcome.CHANGED: EventKind.CHANGED,
    UpsertOutcome.UNCHANGED: EventKind.UNCHANGED,
}
log = logging.getLogger(__name__)
# Every crawler of the child process writes to the one stdout; pipelines finish items on worker threads.
_STDOUT_LOCK = threading.Lock()


def item_event(item: ArticleItem) -> CrawlEvent:
    """What became of an item that went through every pipeline."""
    event = CrawlEvent(kind=EventKind.ERROR, source=item.source, url=item.url, doc_id=item.doc_id)
    if item.outcome is None:
        return event.model_copy(update={"message": "no pipeline stored it"})
    stored = {"downloaded": True, "warning": item.warning}
    if item.duplicate_message is not None:
        duplicate = {"kind": EventKind.DUPLICATE, "duplicate_of": item.duplicate_of, "message": item.duplicate_message}
        return event.model_copy(update={**stored, **duplicate})
    return event.model_copy(update={**stored, "kind": _OUTCOME_EVENT[item.outcome]})


class EventStream:
    """Writes a CrawlEvent line (EVENT_PREFIX + JSON) for every item and every event the spider sends."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        stream = cls()
        crawler.signals.connect(stream.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(stream.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(stream.item_error, signal=signals.item_error)
        crawler.signals.connect(stream.emit, signal=crawl_event)
        return stream

    def emit(self, event: CrawlEvent) -> None:
        with _STDOUT_LOCK:
            try:
                sys.stdout.write(EVENT_PREFIX + event.model_dump_json() + "\n")
                sys.stdout.flush()
            except BrokenPipeError:
                # The parent stopped reading: it is gone, and so is whoever holds this crawl. Stop at once,
                # as its death signal would (crawler.__main__); every page stored so far stays stored.
                log.error("the parent process stopped reading the crawl's events; stopping")
                os._exit(EXIT_PARENT_GONE)

    def item_scraped(self, item: ArticleItem, **_: Any) -> None:
        self.emit(item_event(item))

    def item_dropped(self, item: ArticleItem, exception: BaseException, **_: Any) -> None:
        self.emit(CrawlEvent(kind=EventKind.ERROR, source=item.source, url=item.url, message=str(exception)))

    def item_error(self, item: ArticleItem, failure: Failure, **_: Any) -> None:
        self.emit(CrawlEvent(kind=EventKind.ERROR, source=item.source, url=item.url, message=str(failure.value)))
