"""Scrapy settings of a kume crawl: politeness first, then the knobs tests and benchmarks turn."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from kume.config import Settings


class CrawlOptions(BaseModel):
    """Per-run crawl knobs; the defaults are those of a polite production crawl."""

    download_timeout: float = 30.0
    retry_times: int = 2
    retry_backoff: float = 2.0  # seconds before the first retry, doubled for each further one
    concurrency_per_domain: int = 2
    download_delay: float = 0.5
    autothrottle_start_delay: float = 1.0
    autothrottle_max_delay: float = 30.0
    max_size: int = 10 * 1024 * 1024
    warn_size: int = 2 * 1024 * 1024
    log_level: str = "WARNING"


# Retry server errors only: a 4xx will not change by asking again (408/429 included, we do not hammer).
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524]


def scrapy_settings(settings: Settings, options: CrawlOptions) -> dict[str, Any]:
    """Settings shared by kume's crawl and the bare benchmark spider (which adds no kume middleware or pipeline)."""
    return {
        "BOT_NAME": "kume",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": options.autothrottle_start_delay,
        "AUTOTHROTTLE_MAX_DELAY": options.autothrottle_max_delay,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(options.concurrency_per_domain),
        "DOWNLOAD_DELAY": options.download_delay,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": options.concurrency_per_domain,
        "DOWNLOAD_TIMEOUT": options.download_timeout,
        "DOWNLOAD_MAXSIZE": options.max_size,
        "DOWNLOAD_WARNSIZE": options.warn_size,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": options.retry_times,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "REDIRECT_MAX_TIMES": 10,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": options.log_level,
        "LOG_INSTALL_ROOT_HANDLER": True,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }


def kume_scrapy_settings(settings: Settings, options: CrawlOptions) -> dict[str, Any]:
    """The full kume crawl: shared settings plus backoff retries, redirect-loop errors, the item pipelines
    (main text, store, near-duplicates) and the event stream to the parent process."""
    return {
        **scrapy_settings(settings, options),
        "KUME_STORE_PATH": str(settings.store_path),
        "KUME_REVISIT_AFTER_DAYS": settings.revisit_after_days,
        "RETRY_BACKOFF_BASE": options.retry_backoff,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.middlewares.BackoffRetryMiddleware": 550,
            "crawler.middlewares.RedirectGuardMiddleware": 650,
        },
        "ITEM_PIPELINES": {
            "crawler.pipelines.MainTextPipeline": 100,
            "crawler.pipelines.StorePipeline": 200,
            "crawler.pipelines.NearDuplicatePipeline": 300,
        },
        "EXTENSIONS": {"crawler.extensions.EventStream": 0},
    }
