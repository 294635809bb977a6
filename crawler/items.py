"""Items the spider hands to the pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArticleItem:
    """One fetched article page or PDF, before extraction."""

    source: str
    url: str
    raw: bytes
    content_type: str
    encoding: str | None
    etag: str | None
    last_modified: str | None
    aliases: list[str] = field(default_factory=list)
