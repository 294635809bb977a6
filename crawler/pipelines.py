"""Item pipelines, one job each and in this order: main text, store, near-duplicates.

Each builds what it needs in `from_crawler` from the crawl's settings (KUME_STORE_PATH) and does
its blocking work off the reactor thread, so downloads go on meanwhile.
"""

from __future__ import annotations

import asyncio
import threading
from typing import ClassVar, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.dedup import DuplicateDetector
from crawler.items import ArticleItem
from crawler.maintext import MainTextError, extract_main_text
from crawler.spiders.news import NewsSpider
from kume.store import Store, UpsertOutcome


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
    """Upserts the page into the document store: a new document, a new version, or unchanged."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(Store(crawler.settings["KUME_STORE_PATH"]))

    def close_spider(self) -> None:
        self.store.close()

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        assert item.page is not None, "MainTextPipeline runs first"
        result = await asyncio.to_thread(self.store.upsert_page, item.page)
        item.doc_id, item.outcome = result.doc_id, result.outcome
        return item


class NearDuplicatePipeline:
    """Checks a new or changed text against every earlier one (MinHash LSH over the store's signatures).

    The earlier-published text stays the canonical document; the other becomes one of its aliases.
    One detector serves every crawler of the process, so sources crawled side by side see each other's texts.
    """

    _shared: ClassVar[dict[str, tuple[Store, DuplicateDetector]]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, store: Store, detector: DuplicateDetector) -> None:
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
        return cls(store, detector)

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        if item.outcome is not UpsertOutcome.UNCHANGED:
            await asyncio.to_thread(self._check, item)
        return item

    def _check(self, item: ArticleItem) -> None:
        page, doc_id = item.page, item.doc_id
        assert page is not None and doc_id is not None, "StorePipeline runs first"
        text = f"{page.title}\n{page.body}"
        earlier_id = self.detector.check_and_add(doc_id, text)
        if earlier_id is None:
            return
        earlier = self.store.get(earlier_id)
        if earlier is not None and earlier.published and page.published and page.published < earlier.published:
            self.store.mark_duplicate(earlier_id, doc_id)
            self.detector.replace(earlier_id, doc_id, text)
            item.duplicate_message = f"original of {earlier.url}, which is now recorded as its copy"
            return
        self.store.mark_duplicate(doc_id, earlier_id)
        item.duplicate_of = earlier_id
        item.duplicate_message = f"copy of {earlier.url if earlier else earlier_id}"
