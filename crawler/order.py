"""What the parent process tells the crawl child: one JSON file per crawl."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from crawler.registry import Registry
from crawler.settings import CrawlOptions

# Lines on the child's stdout that carry an event; anything else a library prints there is ignored.
EVENT_PREFIX = "KUME-EVENT "


class CrawlOrder(BaseModel):
    data_dir: Path
    user_agent: str
    registry: Registry
    source_ids: list[str]
    max_pages: int | None = None
    options: CrawlOptions = Field(default_factory=CrawlOptions)
