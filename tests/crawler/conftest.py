from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.registry import Registry, load_registry
from crawler.settings import CrawlOptions
from kume.config import Settings
from tests.crawler.site import REGISTRY_TOML, LocalNewsSite


@pytest.fixture
def site() -> Iterator[LocalNewsSite]:
    with LocalNewsSite() as running:
        yield running


@pytest.fixture
def registry(site: LocalNewsSite, tmp_path: Path) -> Registry:
    path = tmp_path / "sources.toml"
    path.write_text(REGISTRY_TOML, encoding="utf-8")
    return load_registry(path, base_url=site.base_url)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a site on 127.0.0.1: fetch_page may fetch loopback addresses."""
    return Settings(data_dir=tmp_path / "data", allow_private_addresses=True)


@pytest.fixture
def options() -> CrawlOptions:
    """Fast but still polite-shaped: short timeout and backoff so failure cases finish in seconds."""
    return CrawlOptions(
        download_timeout=1.0,
        retry_backoff=0.05,
        download_delay=0.0,
        autothrottle_start_delay=0.0,
        concurrency_per_domain=8,
        log_level="INFO",
    )
