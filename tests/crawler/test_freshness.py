"""Pages whose server sends no validators are revisited by age or by the sitemap's lastmod; off-site pages are counted.

Crawls of the local site's /tazelik/ source, whose two articles send neither ETag nor Last-Modified
and whose text the test corrects between crawls.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.events import CrawlEvent, EventKind
from crawler.registry import load_registry
from crawler.run import crawl
from crawler.settings import CrawlOptions
from kume.config import Settings
from kume.store import Store
from tests.crawler.site import FRESHNESS_REGISTRY_TOML, LocalNewsSite

FAST = CrawlOptions(download_delay=0, autothrottle_start_delay=0, concurrency_per_domain=4)
PLAIN = "/tazelik/haber/dogrulayicisiz-haber-metni"
MAPPED = "/tazelik/haber/site-haritali-haber-metni"


def test_pages_without_validators_are_revisited_and_corrections_kept(tmp_path: Path) -> None:
    registry_file = tmp_path / "sources.toml"
    registry_file.write_text(FRESHNESS_REGISTRY_TOML, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")
    with LocalNewsSite() as site:
        registry = load_registry(registry_file, base_url=site.base_url)
        events: list[CrawlEvent] = []
        first = crawl(settings, registry, options=FAST, on_page=events.append)
        assert first.new == 2 and first.errors == []
        # One article linked on another host, one that redirects there: both counted, and said where they went.
        assert first.off_site == 2
        off_site = {event.url: event.message or "" for event in events if event.kind is EventKind.OFF_SITE}
        moved = site.base_url + "/tazelik/haber/baska-siteye-tasinan-haber"
        assert "redirects off-site" in off_site[moved] and "localhost" in off_site[moved]

        # The publisher corrects both articles. A fresh copy is not fetched again: skipped, and the summary says so.
        site.revision = 2
        command = ["--data-dir", str(settings.data_dir), "crawl", "--registry", str(registry_file)]
        cli = subprocess.run(
            [sys.executable, "-m", "kume_cli", *command, "--base-url", site.base_url],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert cli.returncode == 0, cli.stderr
        summary = " ".join(cli.stderr.split())  # rich wraps lines at the terminal's width
        assert "skipped 2 (not due for a revisit)" in summary and "off-site 2" in summary

        # The sitemap's lastmod says the mapped one changed after the copy was fetched: it is fetched now.
        site.lastmod = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
        third = crawl(settings, registry, options=FAST)
        assert (third.changed, third.skipped) == (1, 1)

        # Once a copy is older than the revisit age, the other one is fetched too; the unchanged text stays one version.
        aged = Settings(data_dir=settings.data_dir, revisit_after_days=0)
        fourth = crawl(aged, registry, options=FAST)
        assert (fourth.changed, fourth.unchanged, fourth.skipped) == (1, 1, 0)

    with Store(settings.store_path) as store:
        for path in (PLAIN, MAPPED):
            known = store.known(site.base_url + path)
            assert known is not None and store.versions_count(known.doc_id) == 2
            document = store.get(known.doc_id)
            assert document is not None and document.url.endswith(path)
