"""The crawl the CLI and the API start: Scrapy in a child process (crawler.__main__), its events streamed back."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path

from crawler.events import CrawlEvent, CrawlReport
from crawler.order import EVENT_PREFIX, CrawlOrder
from crawler.registry import Registry
from crawler.settings import CrawlOptions
from kume.config import Settings
from kume.process import current_owner, owner_of
from kume.store import CrawlLock, Store

__all__ = ["CrawlEvent", "CrawlFailed", "CrawlReport", "SourceBusy", "crawl"]

REPO_ROOT = Path(__file__).resolve().parents[1]


class CrawlFailed(RuntimeError):
    """The crawl child process died; pages it stored before that stay stored."""

    def __init__(self, status: int, log_tail: str) -> None:
        super().__init__(f"crawl child exited with status {status}: {log_tail}")
        self.status = status


class SourceBusy(RuntimeError):
    """Another live process is crawling a source into this store; nothing was crawled."""

    def __init__(self, held: dict[str, CrawlLock]) -> None:
        super().__init__(
            "; ".join(
                f"source {source!r} is already being crawled into this store (since "
                f"{lock.acquired_at:%Y-%m-%d %H:%M:%S} UTC); try again when that crawl has finished"
                for source, lock in sorted(held.items())
            )
        )
        self.held = held


def log_path(settings: Settings) -> Path:
    """Where the crawl child's Scrapy log goes."""
    return settings.data_dir / "logs" / "crawl.log"


def make_order(
    settings: Settings,
    registry: Registry,
    source_ids: list[str] | None = None,
    *,
    max_pages: int | None = None,
    options: CrawlOptions | None = None,
    lock_owner: str,
) -> CrawlOrder:
    """The order for a crawl child this process starts; raise KeyError naming an unknown source id."""
    ids = source_ids if source_ids else [source.id for source in registry.sources]
    for source_id in ids:
        registry.get(source_id)
    return CrawlOrder(
        data_dir=settings.data_dir,
        user_agent=settings.user_agent,
        revisit_after_days=settings.revisit_after_days,
        registry=registry,
        source_ids=ids,
        max_pages=max_pages,
        options=options or CrawlOptions(),
        parent_pid=os.getpid(),
        lock_owner=lock_owner,
    )


def child_command() -> tuple[list[str], dict[str, str]]:
    """argv and environment of the crawl child process (its order goes to its standard input)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return [sys.executable, "-m", "crawler"], env


def parse_event(line: str) -> CrawlEvent | None:
    """The event a child's stdout line carries, if it carries one."""
    if not line.startswith(EVENT_PREFIX):
        return None
    return CrawlEvent.model_validate_json(line[len(EVENT_PREFIX) :])


def crawl(
    settings: Settings,
    registry: Registry,
    source_ids: list[str] | None = None,
    *,
    max_pages: int | None = None,
    on_page: Callable[[CrawlEvent], None] | None = None,
    options: CrawlOptions | None = None,
) -> CrawlReport:
    """Crawl the given sources (default: all) into the document store and count what happened.

    Scrapy runs in a fresh child process per call, so this can be called any
    number of times in one Python process; its events stream back to
    `on_page` as they happen. `max_pages` caps article requests per source.
    Scrapy's log goes to `log_path(settings)`.

    One crawl per source per store at a time: the sources' crawl locks are taken here (SourceBusy
    when another live process holds one), handed to the child, and released when it ends; the
    child dies with this process.
    """
    owner = current_owner()
    order = make_order(settings, registry, source_ids, max_pages=max_pages, options=options, lock_owner=owner)
    with Store(settings.store_path) as store:
        held = store.lock_crawls(order.source_ids, owner)
    if held:
        raise SourceBusy(held)
    argv, env = child_command()
    report = CrawlReport()
    log_file = log_path(settings)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    child_owner = owner
    try:
        with (
            log_file.open("ab") as log,
            subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                text=True,
                encoding="utf-8",
            ) as child,
        ):
            child_owner = owner_of(child.pid)
            try:
                assert child.stdin is not None and child.stdout is not None
                try:
                    child.stdin.write(order.model_dump_json())
                    child.stdin.close()
                except BrokenPipeError:
                    pass  # it stopped before reading its order; its status and log say why
                for line in child.stdout:
                    event = parse_event(line)
                    if event is None:
                        continue
                    report.add(event)
                    if on_page is not None:
                        on_page(event)
                returncode = child.wait()
            finally:
                # A failing on_page or an interrupt must not leave an orphaned crawl writing to the store.
                if child.poll() is None:
                    child.kill()
                    child.wait()
    finally:
        with Store(settings.store_path) as store:
            store.unlock_crawls(order.source_ids, [owner, child_owner])
    if returncode != 0:
        raise CrawlFailed(returncode, _tail(log_file))
    return report


def _tail(path: Path, lines: int = 5) -> str:
    with path.open(encoding="utf-8", errors="replace") as handle:
        return " | ".join(line.rstrip() for line in deque(handle, maxlen=lines))
