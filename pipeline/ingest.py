"""Ingest of one document, given by its text or by a URL of a registered source: what is asked and answered."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

from kume.schema import IsoDate, Page


class UrlRejected(ValueError):
    """A URL the write side will not fetch: outside every registered source, or a hop of it (crawler.fetch)."""


class FetchFailed(RuntimeError):
    """A registered source's page could not be fetched or read; names the URL."""


class IngestRequest(BaseModel):
    """A document given by its text, or (body left out) a URL fetched from a registered source."""

    url: str = Field(min_length=1, max_length=2048, examples=["https://www.example-tso.org.tr/haber/urge-kazakistan"])
    title: str | None = Field(default=None, max_length=1000, examples=["UR-GE heyeti Kazakistan'da"])
    body: str | None = Field(
        default=None, max_length=2_000_000, examples=["Odamızın UR-GE projesi kapsamında Almatı'da B2B görüşmeleri..."]
    )
    source: str = Field(default="api", min_length=1, max_length=200, examples=["demirci-tso"])
    published: IsoDate | None = None
    language: str | None = Field(default=None, max_length=8, examples=["tr"])

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str) -> str:
        """Only web pages: a javascript: or data: URL would become a link a reader clicks."""
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http:// or https:// URL")
        return value

    def page(self) -> Page:
        """The page a request with a body stands for, as if a crawl had fetched it now."""
        body = self.body or ""
        title = self.title or ""
        return Page(
            source=self.source,
            url=self.url,
            fetched_at=datetime.now(UTC),
            raw=f"{title}\n\n{body}".encode(),
            content_type="text/plain; charset=utf-8",
            encoding="utf-8",
            title=title,
            body=body,
            published=self.published,
            language=self.language,
        )


class IngestResult(BaseModel):
    id: str
    version: int
    outcome: str = Field(description="new, changed or unchanged", examples=["new"])
    extraction_status: str | None = Field(default=None, examples=["ok"])
    indexed: bool
