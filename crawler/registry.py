"""The source registry: which sites kume crawls and how to discover their news and reports.

One `[[source]]` table per source in a TOML file. URLs may carry a `{base_url}`
placeholder and `allowed_domains` entries may be `"{host}"`, so the same file
format serves the real registry, the bundled demo site and test sites on
127.0.0.1.
"""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_REGISTRY = Path(__file__).with_name("sources.toml")

SCHEDULE_PATTERN = r"^every (?P<count>[1-9][0-9]*)(?P<unit>[mhd])$"
_SCHEDULE_UNITS = {"m": "minutes", "h": "hours", "d": "days"}

DiscoveryMethod = Literal["listing", "rss", "sitemap"]
SourceKind = Literal["chamber", "exporters_association", "ministry", "news_outlet"]


class RegistryError(ValueError):
    """The registry file is missing or an entry in it is invalid; the message names the file and entry."""


class Selectors(BaseModel):
    """CSS selectors that override generic extraction for one source."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    body: str | None = None
    date: str | None = None


class SourceConfig(BaseModel):
    """One publisher: where its news lives and how to find the articles."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_-]+$")
    name: str
    kind: SourceKind
    languages: list[str] = Field(default_factory=lambda: ["tr"])
    allowed_domains: list[str] = Field(min_length=1)
    start_urls: list[str] = Field(default_factory=list)
    discovery: list[DiscoveryMethod] = Field(default_factory=lambda: list[DiscoveryMethod](["listing"]))
    feeds: list[str] = Field(default_factory=list)
    sitemaps: list[str] = Field(default_factory=list)
    article_patterns: list[str] = Field(default_factory=list)
    listing_patterns: list[str] = Field(default_factory=list)
    schedule: str = Field(
        default="every 6h",
        pattern=SCHEDULE_PATTERN,
        description="How often `kume crawl --due` crawls it: every N minutes (m), hours (h) or days (d).",
    )
    checked_live: bool = False
    selectors: Selectors | None = None

    @field_validator("languages")
    @classmethod
    def _iso_639_1(cls, value: list[str]) -> list[str]:
        for code in value:
            if not re.fullmatch(r"[a-z]{2}", code):
                raise ValueError(f"language {code!r} is not an ISO 639-1 code")
        return value

    @field_validator("article_patterns", "listing_patterns")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc
        return value

    @field_validator("start_urls", "feeds", "sitemaps")
    @classmethod
    def _absolute_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"{url!r} is not an absolute http(s) URL")
        return value

    @property
    def interval(self) -> timedelta:
        """The time between two crawls that `schedule` asks for."""
        match = re.fullmatch(SCHEDULE_PATTERN, self.schedule)
        assert match is not None, "validated by the field's pattern"
        return timedelta(**{_SCHEDULE_UNITS[match["unit"]]: int(match["count"])})

    def allows(self, url: str) -> bool:
        """Whether the URL's host is one of this source's domains (or a subdomain of one)."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == domain.lower() or host.endswith("." + domain.lower()) for domain in self.allowed_domains)


class Registry(BaseModel):
    """All sources of one registry file."""

    path: Path | None = None
    base_url: str | None = None
    sources: list[SourceConfig]

    def get(self, source_id: str) -> SourceConfig:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources)
        raise KeyError(f"no source {source_id!r} in registry {self.path} (known: {known})")

    def source_for_url(self, url: str) -> SourceConfig | None:
        """The first source whose allowed domains contain the URL's host."""
        return next((source for source in self.sources if source.allows(url)), None)


def _substitute(value: object, base_url: str | None, host: str | None) -> object:
    if isinstance(value, str):
        if "{base_url}" in value:
            if base_url is None:
                raise ValueError(f"{value!r} uses {{base_url}} but no base URL was given")
            value = value.replace("{base_url}", base_url.rstrip("/"))
        if "{host}" in value:
            if host is None:
                raise ValueError(f"{value!r} uses {{host}} but no base URL was given")
            value = value.replace("{host}", host)
        return value
    if isinstance(value, list):
        return [_substitute(item, base_url, host) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, base_url, host) for key, item in value.items()}
    return value


def load_registry(path: Path | None = None, base_url: str | None = None) -> Registry:
    """Read and validate a registry file (default: the shipped one), filling in `{base_url}` and `{host}`."""
    path = Path(path) if path is not None else DEFAULT_REGISTRY
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RegistryError(f"cannot read source registry {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"source registry {path} is not valid TOML: {exc}") from exc
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise RegistryError(f"source registry {path} has no [[source]] entries")
    host = urlsplit(base_url).hostname if base_url else None
    sources: list[SourceConfig] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        label = f"entry #{position}" + (
            f" (id={entry.get('id')!r})" if isinstance(entry, dict) and "id" in entry else ""
        )
        try:
            source = SourceConfig.model_validate(_substitute(entry, base_url, host))
        except (ValidationError, ValueError) as exc:
            raise RegistryError(f"source registry {path}, {label}: {exc}") from exc
        if source.id in seen:
            raise RegistryError(f"source registry {path}, {label}: duplicate id {source.id!r}")
        seen.add(source.id)
        sources.append(source)
    return Registry(path=path, base_url=base_url, sources=sources)
