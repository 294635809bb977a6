"""Downloader middlewares: retries that back off, and redirects that loop or leave the site reported."""

from __future__ import annotations

import asyncio
from typing import Self
from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from w3lib.url import safe_url_string

from crawler.registry import SourceConfig


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy, but each retry waits base * 2**(n-1) seconds so a struggling server gets air.

    Scrapy re-queues a retry immediately; nothing in it spaces retries out.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    async def process_request(self, request: Request) -> None:
        retries = int(request.meta.get("retry_times", 0))
        if retries:
            await asyncio.sleep(self.backoff_base * 2 ** (retries - 1))


class RedirectLoop(IgnoreRequest):
    """A redirect leads back into its own chain."""


class OffsiteRedirect(IgnoreRequest):
    """A redirect leads outside the spider's allowed domains."""


class RedirectGuardMiddleware:
    """Fail a request whose redirect loops or leaves the spider's allowed domains, with the chain in the error.

    Scrapy would otherwise drop both silently (its duplicate filter the looping request, its offsite
    filter the off-site one) and the page would vanish without a word; this runs before Scrapy's
    RedirectMiddleware turns the response into a new request, so the spider's errback hears of it.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if response.status in (301, 302, 303, 307, 308) and location:
            target = safe_url_string(urljoin(request.url, location.decode("latin-1")))
            chain = [*request.meta.get("redirect_urls", []), request.url, target]
            if target in chain[:-1]:
                raise RedirectLoop(f"redirect loop: {' -> '.join(chain)}")
            source = getattr(self.crawler.spider, "source", None)  # kume's NewsSpider crawls one registry source
            if isinstance(source, SourceConfig) and not source.allows(target):
                raise OffsiteRedirect(f"redirects off-site: {' -> '.join(chain)}")
        return response
