"""A crawl killed with SIGKILL mid-way and started again stores every page exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from crawler.events import EventKind
from crawler.registry import load_registry
from crawler.run import child_command, crawl, make_order, parse_event
from crawler.settings import CrawlOptions
from kume.config import Settings
from kume.process import current_owner
from kume.store import Store
from tests.crawler.site import BULK_REGISTRY_TOML, LocalNewsSite

ARTICLES = 40
KILL_AFTER = 8


def test_sigkilled_crawl_resumes_and_stores_every_page_once(tmp_path: Path) -> None:
    options = CrawlOptions(download_delay=0, autothrottle_start_delay=0, concurrency_per_domain=2)
    with LocalNewsSite(bulk_articles=ARTICLES, bulk_delay=0.05) as site:
        (tmp_path / "sources.toml").write_text(BULK_REGISTRY_TOML, encoding="utf-8")
        registry = load_registry(tmp_path / "sources.toml", base_url=site.base_url)
        settings = Settings(data_dir=tmp_path / "data")

        # The child as crawl() starts it: this process takes the source's crawl lock and hands it over.
        order = make_order(settings, registry, options=options, lock_owner=current_owner())
        with Store(settings.store_path) as store:
            assert not store.lock_crawls(order.source_ids, order.lock_owner)
        argv, env = child_command()
        child = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
        )
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(order.model_dump_json())
        child.stdin.close()
        stored_before_kill = 0
        for line in child.stdout:
            event = parse_event(line)
            if event is not None and event.kind is EventKind.NEW:
                stored_before_kill += 1
                if stored_before_kill == KILL_AFTER:
                    os.kill(child.pid, signal.SIGKILL)
                    break
        assert child.wait() == -signal.SIGKILL
        child.stdout.close()

        with Store(settings.store_path) as store:
            survived_urls = {doc.url for doc in store.documents()}
        survived = len(survived_urls)
        assert KILL_AFTER <= survived < ARTICLES, "the kill must land mid-crawl"

        # The killed child's lock is stale: the next crawl takes it over.
        report = crawl(settings, registry, options=options)

    assert report.errors == []
    assert report.new == ARTICLES - survived
    assert report.not_modified == survived  # pages stored before the kill are not downloaded again
    with Store(settings.store_path) as store:
        documents = list(store.documents(include_duplicates=True))
        assert len(documents) == ARTICLES
        assert len({doc.url for doc in documents}) == ARTICLES
        assert all(store.versions_count(doc.id) == 1 for doc in documents)
        store.check()
    for url in survived_urls:  # pages in flight at the kill are fetched again; stored ones never
        assert site.hits[(url.removeprefix(site.base_url), 200)] == 1
