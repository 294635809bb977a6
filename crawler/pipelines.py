"""Item pipelines, one job each and in this order: main text, store, near-duplicates.

Each builds what it needs in `from_crawler` from the crawl's settings (KUME_STORE_PATH) and does
its blocking work off the reactor thread, so downloads go on meanwhile.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.dedup import DuplicateDetector
from crawler.events import CrawlEvent, EventKind
from crawler.items import ArticleItem
from crawler.maintext import MainTextError, extract_main_text
from crawler.spiders.news import NewsSpider
from kume.schema import Page
from kume.store import Store, UpsertOutcome, UpsertResult


class MainTextPipeline:
    """Turns the fetched bytes into a page with title, body, date and language; drops a page without text."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        spider = self.crawler.spider
        assert isinstance(spider, NewsSpider)
        source = spider.source
        try:
            text = await asyncio.to_thread(
                extract_main_text,
                item.raw,
                item.url,
                item.content_type,
                item.encoding,
                source.selectors,
                languages=source.languages,
            )
        except MainTextError as exc:
            raise DropItem(str(exc)) from exc
        item.warning = text.warning
        item.page = text.to_page(
            source=item.source,
            url=item.url,
            raw=item.raw,
            etag=item.etag,
            last_modified=item.last_modified,
            aliases=item.aliases,
        )
        return item


class StorePipeline:
    """Upserts the page into the document store: a new document, a new version, or unchanged.

    A new or changed text is stored together with a note that its near-duplicate check is due
    (NearDuplicatePipeline removes it), so a crawl killed between the two leaves no copy unchecked.
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(Store(crawler.settings["KUME_STORE_PATH"]))

    def close_spider(self) -> None:
        self.store.close()

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        assert item.page is not None, "MainTextPipeline runs first"
        result = await asyncio.to_thread(self._store, item.page)
        item.doc_id, item.outcome = result.doc_id, result.outcome
        return item

    def _store(self, page: Page) -> UpsertResult:
        with self.store.transaction():
            result = self.store.upsert_page(page)
            if result.outcome is not UpsertOutcome.UNCHANGED:
                self.store.await_duplicate_check(result.doc_id)
        return result


@dataclass(frozen=True)
class _Verdict:
    duplicate_of: str | None
    message: str


class NearDuplicatePipeline:
    """Checks a new or changed text against every earlier one (MinHash LSH over the store's signatures).

    The earlier-published text stays the canonical document; the other becomes one of its aliases.
    One detector serves every crawler of the process, so sources crawled side by side see each other's texts.
    The check, the signature it keeps and the mark it makes are one transaction with the end of the
    store's note that the check is due; when a spider opens, the checks an earlier crawl of its source
    left undone (killed after storing a page) are made first.
    """

    _shared: ClassVar[dict[str, tuple[Store, DuplicateDetector]]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, crawler: Crawler, store: Store, detector: DuplicateDetector) -> None:
        self.crawler = crawler
        self.store = store
        self.detector = detector

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = str(crawler.settings["KUME_STORE_PATH"])
        with cls._shared_lock:
            if path not in cls._shared:
                store = Store(path)
                cls._shared[path] = (store, DuplicateDetector(store))
            store, detector = cls._shared[path]
        return cls(crawler, store, detector)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        assert isinstance(spider, NewsSpider)
        for doc_id in self.store.pending_duplicate_checks(spider.source.id):
            document = self.store.get(doc_id)
            if document is None or self.store.is_duplicate(doc_id):
                self.store.duplicate_check_done(doc_id)
                continue
            verdict = self._check(doc_id, f"{document.title}\n{document.body}", document.published)
            if verdict is not None:
                message = f"{verdict.message} (checked now: the crawl that stored it stopped before its check)"
                spider.emit(
                    CrawlEvent(
                        kind=EventKind.DUPLICATE,
                        source=document.source,
                        url=document.url,
                        doc_id=doc_id,
                        duplicate_of=verdict.duplicate_of,
                        message=message,
                    )
                )

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.outcome is not UpsertOutcome.UNCHANGED:
            page, doc_id = item.page, item.doc_id
            assert page is not None and doc_id is not None, "StorePipeline runs first"
            verdict = await asyncio.to_thread(self._check, doc_id, f"{page.title}\n{page.body}", page.published)
            if verdict is not None:
                item.duplicate_of, item.duplicate_message = verdict.duplicate_of, verdict.message
        return item

    def _check(self, doc_id: str, text: str, published: date | None) -> _Verdict | None:
        """Check, remember and mark one stored text, in one transaction; what it turned out to be, if a duplicate."""
        with self.store.transaction():
            verdict = self._compare(doc_id, text, published)
            self.store.duplicate_check_done(doc_id)
        return verdict

    def _compare(self, doc_id: str, text: str, published: date | None) -> _Verdict | None:
        earlier_id = self.detector.check_and_add(doc_id, text)
        if earlier_id is None:
            return None
        earlier = self.store.get(earlier_id)
        if earlier is not None and earlier.published and published and published < earlier.published:
            self.store.mark_duplicate(earlier_id, doc_id)
            self.detector.replace(earlier_id, doc_id, text)
            return _Verdict(None, f"original of {earlier.url}, which is now recorded as its copy")
        self.store.mark_duplicate(doc_id, earlier_id)
        return _Verdict(earlier_id, f"copy of {earlier.url if earlier else earlier_id}")
