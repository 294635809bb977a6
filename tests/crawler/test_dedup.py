from __future__ import annotations

import asyncio
import random
from pathlib import Path

from crawler.dedup import DuplicateDetector, signature
from crawler.events import CrawlEvent, EventKind
from crawler.fetch import fetch_page
from crawler.items import ArticleItem
from crawler.pipelines import StorePipeline
from crawler.registry import load_registry
from crawler.run import crawl
from crawler.settings import CrawlOptions
from kume.config import Settings
from kume.store import Store, UpsertOutcome
from tests.crawler.site import REGISTRY_TOML, LocalNewsSite
from tests.support.news_words import VOCABULARY


def text(seed: int, words: int = 200) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCABULARY) for _ in range(words))


def test_republished_text_matches_and_distinct_text_does_not(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite3")
    detector = DuplicateDetector(store)
    release = text(1)
    assert detector.check_and_add("ministry", release) is None
    republished = "Birliğimizden duyuru: " + release + " Kaynak: Ticaret Bakanlığı"
    assert detector.check_and_add("association", republished) == "ministry"
    assert detector.check_and_add("other", text(2)) is None
    assert detector.check_and_add("ministry", release) is None  # a document never duplicates itself
    store.close()


def test_signatures_survive_a_restart_and_can_be_handed_over(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    with Store(path) as store:
        DuplicateDetector(store).check_and_add("late-copy", text(3))
    with Store(path) as store:
        second = DuplicateDetector(store)
        assert second.check_and_add("original", text(3)) == "late-copy"
        second.replace("late-copy", "original", text(3))
    with Store(path) as store:
        assert DuplicateDetector(store).check_and_add("another-copy", text(3)) == "original"


def test_short_texts_are_not_compared() -> None:
    assert signature("UR-GE heyeti yola çıktı") is None


def test_a_copy_stored_by_a_crawl_killed_before_its_check_is_marked_by_the_next_crawl(tmp_path: Path) -> None:
    """What a kill between the store and the near-duplicate pipelines leaves on disk, then a real crawl."""
    options = CrawlOptions(download_delay=0, autothrottle_start_delay=0, concurrency_per_domain=4)
    (tmp_path / "sources.toml").write_text(REGISTRY_TOML, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", allow_private_addresses=True)  # the site is on 127.0.0.1
    with LocalNewsSite() as site:
        registry = load_registry(tmp_path / "sources.toml", base_url=site.base_url)
        crawl(settings, registry, ["oda"], options=options)  # the original, with its signature
        copy_url = site.base_url + "/ayna/haber/yeniden-yayimlanan-basin-bulteni"
        # As the ayna crawl fetches it (fetch_page names the first source of the host, and both are on 127.0.0.1).
        page = fetch_page(settings, registry, copy_url).model_copy(update={"source": "ayna"})
        item = ArticleItem(
            source="ayna",
            url=page.url,
            raw=page.raw,
            content_type=page.content_type,
            encoding=page.encoding,
            etag=page.etag,
            last_modified=page.last_modified,
            page=page,
        )
        with Store(settings.store_path) as store:
            stored = asyncio.run(StorePipeline(store).process_item(item))  # ... and the crawl dies here
            assert stored.outcome is UpsertOutcome.NEW and not store.is_duplicate(stored.doc_id or "")

        events: list[CrawlEvent] = []
        report = crawl(settings, registry, ["ayna"], options=options, on_page=events.append)

    assert report.not_modified == 1  # the copy itself is not downloaded again...
    assert report.duplicates == 1  # ... but its check is made, and reported
    with Store(settings.store_path) as store:
        assert store.is_duplicate(stored.doc_id or "")
        original = store.known(site.base_url + "/haber/ticaret-heyeti-haberi-1")
        assert original is not None and store.copies_of(original.doc_id) == [stored.doc_id]
        assert store.pending_duplicate_checks("ayna") == []
    marked = [event for event in events if event.kind is EventKind.DUPLICATE]
    assert marked and "stopped before its check" in (marked[0].message or "")
