"""Progress events the crawl child process streams back, and the report they add up to."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class EventKind(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    NOT_MODIFIED = "not_modified"  # the server answered 304 to a conditional GET
    SKIPPED = "skipped"  # known URL without validators: not downloaded again
    DISALLOWED = "disallowed"  # robots.txt forbids it
    DUPLICATE = "duplicate"  # stored, then recognised as a near-duplicate of another document
    ERROR = "error"


class CrawlEvent(BaseModel):
    """One article page (or PDF) handled by the crawl."""

    kind: EventKind
    source: str
    url: str
    doc_id: str | None = None
    duplicate_of: str | None = None
    message: str | None = None


class CrawlError(BaseModel):
    url: str
    message: str
    source: str | None = None


class CrawlReport(BaseModel):
    """Counts of one crawl.

    `downloads` counts article responses with status 200; a page found to be a
    near-duplicate counts under `duplicates`, not `new`.
    """

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    not_modified: int = 0
    skipped: int = 0
    disallowed: int = 0
    duplicates: int = 0
    downloads: int = 0
    errors: list[CrawlError] = Field(default_factory=list)

    def add(self, event: CrawlEvent) -> None:
        match event.kind:
            case EventKind.NEW:
                self.new += 1
                self.downloads += 1
            case EventKind.CHANGED:
                self.changed += 1
                self.downloads += 1
            case EventKind.UNCHANGED:
                self.unchanged += 1
                self.downloads += 1
            case EventKind.NOT_MODIFIED:
                self.not_modified += 1
            case EventKind.SKIPPED:
                self.skipped += 1
            case EventKind.DISALLOWED:
                self.disallowed += 1
            case EventKind.DUPLICATE:
                self.duplicates += 1
                self.downloads += 1
            case EventKind.ERROR:
                self.errors.append(CrawlError(url=event.url, message=event.message or "", source=event.source))
