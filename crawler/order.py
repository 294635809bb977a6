"""What the parent process tells the crawl child: one JSON document on the child's standard input.

Nothing is written to disk for it, so a killed crawl leaves no file with the registry and user agent behind.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from crawler.registry import Registry
from crawler.settings import CrawlOptions

# Lines on the child's stdout that carry an event; anything else a library prints there is ignored.
EVENT_PREFIX = "KUME-EVENT "
# Exit statuses of the child besides Scrapy's own: its parent is gone; the crawl locks were not its parent's.
EXIT_PARENT_GONE = 4
EXIT_LOCK_LOST = 5


class CrawlOrder(BaseModel):
    data_dir: Path
    user_agent: str
    revisit_after_days: float
    registry: Registry
    source_ids: list[str]
    max_pages: int | None = None
    options: CrawlOptions = Field(default_factory=CrawlOptions)
    parent_pid: int = Field(description="The process that waits for the child; the child ends when it is gone.")
    lock_owner: str = Field(description="Holder of the sources' crawl locks, which hands them to the child.")
