"""Item pipeline: extract each fetched page, upsert it into the document store, and catch near-duplicates."""

from __future__ import annotations

import asyncio
from typing import Self

from scrapy.crawler import Crawler

from crawler.dedup import DuplicateDetector
from crawler.events import CrawlEvent, EventKind
from crawler.extraction import extract_page
from crawler.items import ArticleItem
from crawler.spiders.news import NewsSpider
from kume.schema import Page
from kume.store import UpsertOutcome

_OUTCOME_EVENT = {
    UpsertOutcome.NEW: EventKind.NEW,
    UpsertOutcome.CHANGED: EventKind.CHANGED,
    UpsertOutcome.UNCHANGED: EventKind.UNCHANGED,
}


class StorePipeline:
    """Runs extraction and the store write off the reactor thread, so downloads go on meanwhile."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        spider = self.crawler.spider
        assert isinstance(spider, NewsSpider)
        try:
            event = await asyncio.to_thread(store_item, spider, item)
        except Exception as exc:
            event = CrawlEvent(kind=EventKind.ERROR, source=item.source, url=item.url, message=str(exc))
        spider.emit(event)
        return item


def store_item(spider: NewsSpider, item: ArticleItem) -> CrawlEvent:
    """Extract, store, and check one page against earlier texts; the event says what happened."""
    source = spider.source
    extracted = extract_page(
        item.raw, item.url, item.content_type, item.encoding, source.selectors, languages=source.languages
    )
    page = extracted.to_page(
        source=item.source,
        url=item.url,
        raw=item.raw,
        etag=item.etag,
        last_modified=item.last_modified,
        aliases=item.aliases,
    )
    result = spider.store.upsert_page(page)
    event = CrawlEvent(kind=_OUTCOME_EVENT[result.outcome], source=item.source, url=item.url, doc_id=result.doc_id)
    if result.outcome is not UpsertOutcome.UNCHANGED:
        event = _check_duplicate(spider, page, result.doc_id, event)
    return event


def _check_duplicate(spider: NewsSpider, page: Page, doc_id: str, event: CrawlEvent) -> CrawlEvent:
    """Keep the earlier-published text as the canonical document; the other becomes one of its aliases."""
    detector: DuplicateDetector = spider.duplicates
    text = f"{page.title}\n{page.body}"
    earlier_id = detector.check_and_add(doc_id, text)
    if earlier_id is None:
        return event
    earlier = spider.store.get(earlier_id)
    if earlier is not None and earlier.published and page.published and page.published < earlier.published:
        spider.store.mark_duplicate(earlier_id, doc_id)
        detector.replace(earlier_id, doc_id, text)
        message = f"original of {earlier.url}, which is now recorded as its copy"
        return event.model_copy(update={"kind": EventKind.DUPLICATE, "message": message})
    spider.store.mark_duplicate(doc_id, earlier_id)
    message = f"copy of {earlier.url if earlier else earlier_id}"
    return event.model_copy(update={"kind": EventKind.DUPLICATE, "duplicate_of": earlier_id, "message": message})
