"""The write side's flows over a real crawl of the local test site: schedules, crawl-and-update from the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.registry import load_registry
from kume.config import Settings
from kume.store import Store
from pipeline.writer import Writer
from tests.crawler.site import REGISTRY_TOML, LocalNewsSite


def kume(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kume_cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_sources_are_due_by_their_schedule(tmp_path: Path) -> None:
    registry_file = tmp_path / "sources.toml"
    registry_file.write_text(REGISTRY_TOML.replace('id = "ayna"', 'id = "ayna"\nschedule = "every 30m"'), "utf-8")
    registry = load_registry(registry_file, base_url="http://127.0.0.1:9")
    with Store(tmp_path / "store.sqlite3") as store:
        writer = Writer(Settings(data_dir=tmp_path), store, registry=registry)
        now = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
        assert writer.due_sources(now) == ["oda", "ayna"]  # never crawled
        store.record_crawl("oda", now - timedelta(hours=1))
        store.record_crawl("ayna", now - timedelta(hours=1))
        assert writer.due_sources(now) == ["ayna"]  # every 30m is due, the default every 6h is not
        assert writer.due_sources(now + timedelta(hours=5)) == ["oda", "ayna"]


def test_crawl_due_sources_and_update_from_the_cli(tmp_path: Path) -> None:
    registry_file = tmp_path / "sources.toml"
    registry_file.write_text(REGISTRY_TOML, encoding="utf-8")
    data_dir = tmp_path / "data"
    with LocalNewsSite() as site:
        crawl = ["crawl", "--registry", str(registry_file), "--base-url", site.base_url, "--due", "--update"]
        first = kume(data_dir, *crawl)
        # The site serves some broken pages on purpose: the crawl finishes with each of them named (exit 1).
        assert first.returncode == 1, first.stderr
        assert "extracted, linked and indexed" in first.stderr
        found = kume(data_dir, "search", "Almanya", "--json")
        assert found.returncode == 0, found.stderr
        hits = json.loads(found.stdout)["hits"]
        assert hits and all(hit["url"].startswith(site.base_url) for hit in hits)
        with Store(data_dir / "store.sqlite3") as store:
            assert set(store.last_crawls()) == {"oda", "ayna"}
            assert store.unlinked_ids() == []
        requests_before = sum(site.hits.values())
        second = kume(data_dir, *crawl)
        assert second.returncode == 0, second.stderr
        assert "no source is due" in second.stderr
        assert sum(site.hits.values()) == requests_before, "a source that was not due was crawled"
