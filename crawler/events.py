"""Progress events the crawl child process streams back, and the report they add up to."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class EventKind(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    NOT_MODIFIED = "not_modified"  # the server answered 304 to a conditional GET
    SKIPPED = "skipped"  # known URL not due for a revisit (crawler.spiders.news.NewsSpider.article_request)
    DISALLOWED = "disallowed"  # robots.txt forbids it
    OFF_SITE = "off_site"  # it lies, or redirects, outside the source's allowed domains
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
    downloaded: bool = Field(default=False, description="Its response became an item (a 200 with text).")
    warning: str | None = Field(default=None, description="Stored, but something about it needs a look.")


class PageMessage(BaseModel):
    """An error or a warning about one page."""

    url: str
    message: str
    source: str | None = None


class CrawlReport(BaseModel):
    """Counts of one crawl.

    `downloads` counts article responses with status 200 that became items; a page found to be a
    near-duplicate counts under `duplicates`, not `new`.
    """

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    not_modified: int = 0
    skipped: int = Field(default=0, description="Known pages not due for a revisit, so not requested.")
    disallowed: int = Field(default=0, description="Pages robots.txt forbids.")
    off_site: int = Field(default=0, description="Pages that lie or redirect outside the source's domains.")
    duplicates: int = 0
    downloads: int = 0
    errors: list[PageMessage] = Field(default_factory=list)
    warnings: list[PageMessage] = Field(default_factory=list, description="Pages stored, but with something amiss.")

    def add(self, event: CrawlEvent) -> None:
        if event.downloaded:
            self.downloads += 1
        if event.warning:
            self.warnings.append(PageMessage(url=event.url, message=event.warning, source=event.source))
        match event.kind:
            case EventKind.NEW:
                self.new += 1
            case EventKind.CHANGED:
                self.changed += 1
            case EventKind.UNCHANGED:
                self.unchanged += 1
            case EventKind.NOT_MODIFIED:
                self.not_modified += 1
            case EventKind.SKIPPED:
                self.skipped += 1
            case EventKind.DISALLOWED:
                self.disallowed += 1
            case EventKind.OFF_SITE:
                self.off_site += 1
            case EventKind.DUPLICATE:
                self.duplicates += 1
            case EventKind.ERROR:
                self.errors.append(PageMessage(url=event.url, message=event.message or "", source=event.source))

    def summary(self) -> str:
        """One line of counts, for people."""
        return (
            f"new {self.new}, changed {self.changed}, unchanged {self.unchanged}, not modified {self.not_modified}, "
            f"skipped {self.skipped} (not due for a revisit), disallowed {self.disallowed} (robots.txt), "
            f"off-site {self.off_site}, duplicates {self.duplicates}, warnings {len(self.warnings)}, "
            f"errors {len(self.errors)}"
        )
