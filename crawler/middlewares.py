"""Downloader middlewares: retries that back off, and redirect loops reported as errors."""

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


class RedirectLoopMiddleware:
    """Fail a request whose redirect leads back into its own redirect chain, with the chain in the error.

    Scrapy's duplicate filter would otherwise drop the looping request silently
    and the page would vanish without an error; this runs before Scrapy's
    RedirectMiddleware turns the response into a new request.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls()

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if response.status in (301, 302, 303, 307, 308) and location:
            target = safe_url_string(urljoin(request.url, location.decode("latin-1")))
            chain = [*request.meta.get("redirect_urls", []), request.url]
            if target in chain:
                raise IgnoreRequest(f"redirect loop: {' -> '.join([*chain, target])}")
        return response
