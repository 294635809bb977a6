"""The one generic spider: discovers a registry source's articles and reports through listings, feeds and sitemaps."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding
from w3lib.url import canonicalize_url

from crawler.events import CrawlEvent, EventKind
from crawler.items import ArticleItem
from crawler.middlewares import OffsiteRedirect
from crawler.registry import SourceConfig
from crawler.signals import crawl_event
from kume.store import KnownPage, Store

# Query parameters and path segments sites use for "page N" of a listing.
PAGINATION_PARAMS = {"page", "sayfa", "p", "pg", "paged", "pagenum", "start", "offset"}
PAGINATION_PATH = re.compile(r"/(page|sayfa|p)/\d+/?$|/\d{1,3}/?$", re.IGNORECASE)
# Without article patterns, an article URL ends in a slug of several words, a numeric id, or a document.
ARTICLE_SLUG = re.compile(r"/[^/]*\w+-\w+-\w+[^/]*/?$|/\d{3,}(-[^/]*)?/?$|\.pdf$", re.IGNORECASE)

# How old a stored copy of a page without validators gets before it is fetched again (Settings.revisit_after_days).
DEFAULT_REVISIT_AFTER = timedelta(days=7)

LINK_EXTRACTOR = LinkExtractor(deny_extensions=[ext for ext in IGNORED_EXTENSIONS if ext != "pdf"])


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _without_pagination(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    parts = urlsplit(url)
    query = tuple(sorted((k, v) for k, v in parse_qsl(parts.query) if k.lower() not in PAGINATION_PARAMS))
    return PAGINATION_PATH.sub("", parts.path.rstrip("/")) or "/", query


class NewsSpider(scrapy.Spider):
    """Crawls one registry source. Listing pages are always re-read; known articles are asked for conditionally."""

    name = "kume_news"

    def __init__(
        self,
        source: SourceConfig,
        store: Store,
        max_pages: int | None = None,
        revisit_after: timedelta = DEFAULT_REVISIT_AFTER,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=f"kume_news:{source.id}", **kwargs)
        self.source = source
        self.store = store
        self.max_pages = max_pages
        self.revisit_after = revisit_after
        self.allowed_domains = list(source.allowed_domains)
        self._article_patterns = [re.compile(p) for p in source.article_patterns]
        self._listing_patterns = [re.compile(p) for p in source.listing_patterns]
        self._articles_seen: set[str] = set()
        self._articles_requested = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """The spider of `source`, reading what the store knows of its pages (KUME_STORE_PATH), revisiting pages
        without validators after KUME_REVISIT_AFTER_DAYS."""
        store = Store(crawler.settings["KUME_STORE_PATH"])
        revisit_after = timedelta(days=crawler.settings.getfloat("KUME_REVISIT_AFTER_DAYS", DEFAULT_REVISIT_AFTER.days))
        spider = super().from_crawler(crawler, *args, store=store, revisit_after=revisit_after, **kwargs)
        crawler.signals.connect(spider._close_store, signal=signals.spider_closed)
        return spider

    def _close_store(self) -> None:
        self.store.close()

    def emit(self, event: CrawlEvent) -> None:
        """Report a page no item will report (not fetched, or failed) to the EventStream extension."""
        self.crawler.signals.send_catch_log(signal=crawl_event, event=event)

    # -- discovery -------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        discovery = set(self.source.discovery)
        if "listing" in discovery:
            for url in self.source.start_urls:
                yield scrapy.Request(url, callback=self.parse_listing, errback=self.failed)
        if "rss" in discovery:
            for url in self.source.feeds:
                yield scrapy.Request(url, callback=self.parse_feed, errback=self.failed)
        if "sitemap" in discovery:
            for url in self.source.sitemaps:
                yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.failed)
            if not self.source.sitemaps:
                for url in self.source.start_urls[:1]:
                    parts = urlsplit(url)
                    robots = f"{parts.scheme}://{parts.netloc}/robots.txt"
                    yield scrapy.Request(robots, callback=self.parse_robots, errback=self.failed)

    def is_article(self, url: str) -> bool:
        target = path_and_query(url)
        if self._article_patterns:
            return any(p.search(target) for p in self._article_patterns)
        return bool(ARTICLE_SLUG.search(urlsplit(url).path)) and not self._matches_listing(url)

    def _matches_listing(self, url: str) -> bool:
        target = path_and_query(url)
        return any(p.search(target) for p in self._listing_patterns)

    @staticmethod
    def is_pagination(listing_url: str, url: str) -> bool:
        """A link to another page of the same listing: same path and filters, differing only by page number."""
        return url != listing_url and _without_pagination(url) == _without_pagination(listing_url)

    def parse_listing(self, response: Response) -> Iterable[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        rel_next = {response.urljoin(href) for href in response.css("link[rel=next]::attr(href)").getall()}
        rel_next |= {response.urljoin(href) for href in response.xpath("//a[contains(@rel, 'next')]/@href").getall()}
        candidates = [link.url for link in LINK_EXTRACTOR.extract_links(response)] + sorted(rel_next)
        for url in candidates:
            if self.is_article(url):
                request = self.article_request(url)
                if request is not None:
                    yield request
            elif url in rel_next or self._matches_listing(url) or self.is_pagination(response.url, url):
                yield scrapy.Request(url, callback=self.parse_listing, errback=self.failed)

    def parse_feed(self, response: Response) -> Iterable[scrapy.Request]:
        text = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        selector = scrapy.Selector(text=text, type="xml")
        selector.remove_namespaces()
        links = selector.xpath("//item/link/text()").getall() + selector.xpath("//entry/link/@href").getall()
        yield from self._candidate_requests(response.urljoin(link.strip()) for link in links)

    def parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        body = gunzip(response.body) if response.body[:2] == b"\x1f\x8b" else response.body
        sitemap = Sitemap(body)
        entries = [entry for entry in sitemap if "loc" in entry]
        if sitemap.type == "sitemapindex":
            for entry in entries:
                yield scrapy.Request(entry["loc"], callback=self.parse_sitemap, errback=self.failed)
            return
        for entry in entries:
            if self.is_article(entry["loc"]):
                request = self.article_request(entry["loc"], lastmod=_lastmod(entry.get("lastmod")))
                if request is not None:
                    yield request

    def parse_robots(self, response: Response) -> Iterable[scrapy.Request]:
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.failed)

    def _candidate_requests(self, urls: Iterable[str]) -> Iterable[scrapy.Request]:
        for url in urls:
            if self.is_article(url):
                request = self.article_request(url)
                if request is not None:
                    yield request

    # -- articles --------------------------------------------------------------

    def article_request(self, url: str, *, lastmod: datetime | None = None) -> scrapy.Request | None:
        """A request for an article, conditional when the store knows it; None when it need not be fetched.

        The revisit policy: a known page with validators (ETag, Last-Modified) is asked for conditionally
        on every crawl; one without them, which a server cannot answer 304 for, is fetched again once its
        copy is `revisit_after` old (its text hash then tells whether it changed). A sitemap's `lastmod`,
        where given, says when a page changed: newer than the copy means fetch now, older means not yet.
        """
        url = canonicalize_url(url)
        if url in self._articles_seen:
            return None
        if not self.source.allows(url):
            self._articles_seen.add(url)
            message = f"outside the source's domains ({', '.join(self.source.allowed_domains)})"
            self.emit(CrawlEvent(kind=EventKind.OFF_SITE, source=self.source.id, url=url, message=message))
            return None
        if self.max_pages is not None and self._articles_requested >= self.max_pages:
            return None
        self._articles_seen.add(url)
        known = self.store.known(url)
        headers: dict[str, str] = {}
        if known is not None:
            reason = self._not_due(known, lastmod)
            if reason is not None and (lastmod is not None or not (known.etag or known.last_modified)):
                self.emit(
                    CrawlEvent(
                        kind=EventKind.SKIPPED, source=self.source.id, url=url, doc_id=known.doc_id, message=reason
                    )
                )
                return None
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        self._articles_requested += 1
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.failed,
            headers=headers,
            meta={"handle_httpstatus_list": [304], "article": True},
        )

    def _not_due(self, known: KnownPage, lastmod: datetime | None) -> str | None:
        """Why a stored page need not be fetched again now, or None when it is due."""
        fetched = known.fetched_at
        if lastmod is not None and lastmod > fetched:
            return None
        if datetime.now(UTC) - fetched >= self.revisit_after:
            return None
        if lastmod is not None:
            return f"the sitemap's lastmod ({lastmod.isoformat()}) is not after the copy fetched {fetched.isoformat()}"
        return f"fetched {fetched.isoformat()}; a page without validators is revisited after {self.revisit_after}"

    def parse_article(self, response: Response) -> Iterable[ArticleItem]:
        original = response.request.url if response.request is not None else response.url
        if response.status == 304:
            known = self.store.known(original)
            self.emit(
                CrawlEvent(
                    kind=EventKind.NOT_MODIFIED,
                    source=self.source.id,
                    url=original,
                    doc_id=known.doc_id if known else None,
                )
            )
            return
        redirects = [canonicalize_url(u) for u in response.meta.get("redirect_urls", [])]
        url = canonicalize_url(response.url)
        content_type = _header(response, "Content-Type") or ""
        yield ArticleItem(
            source=self.source.id,
            url=url,
            raw=response.body,
            content_type=content_type or "text/html",
            encoding=http_content_type_encoding(content_type),
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            aliases=[u for u in redirects if u != url],
        )

    def failed(self, failure: Failure) -> None:
        request = failure.request if hasattr(failure, "request") else None
        url = request.url if request is not None else "?"
        exc = failure.value
        if isinstance(exc, HttpError):
            message = f"HTTP {exc.response.status}"
            url = exc.response.url
        elif isinstance(exc, IgnoreRequest) and "robots.txt" in str(exc):
            self.emit(CrawlEvent(kind=EventKind.DISALLOWED, source=self.source.id, url=url, message=str(exc)))
            return
        elif isinstance(exc, OffsiteRedirect):
            self.emit(CrawlEvent(kind=EventKind.OFF_SITE, source=self.source.id, url=url, message=str(exc)))
            return
        else:
            message = f"{type(exc).__name__}: {exc}".rstrip(": ")
        self.emit(CrawlEvent(kind=EventKind.ERROR, source=self.source.id, url=url, message=message))


def _lastmod(value: str | None) -> datetime | None:
    """A sitemap's W3C datetime (a date, or a date and time), in UTC when it names no zone; None if unreadable."""
    try:
        parsed = datetime.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
