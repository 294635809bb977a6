"""The item the spider hands to the item pipelines, and what each pipeline adds to it."""

from __future__ import annotations

from dataclasses import dataclass, field

from kume.schema import Page
from kume.store import UpsertOutcome


@dataclass
class ArticleItem:
    """One fetched article page or PDF; the pipelines fill in the rest, in order."""

    source: str
    url: str
    raw: bytes
    content_type: str
    encoding: str | None
    etag: str | None
    last_modified: str | None
    aliases: list[str] = field(default_factory=list)
    # MainTextPipeline: the page with its main text, and what about it needs a look (e.g. a wrong charset).
    page: Page | None = None
    warning: str | None = None
    # StorePipeline: the document it became and whether its text was new.
    doc_id: str | None = None
    outcome: UpsertOutcome | None = None
    # NearDuplicatePipeline: what it nearly duplicates (it is a copy, or the original of an earlier copy).
    duplicate_message: str | None = None
    duplicate_of: str | None = None
