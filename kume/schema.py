"""The document schema every stage shares.

A `Page` is what the crawler hands to the store (raw bytes plus the text it
pulled out of them); a `Document` is what the store hands to every later stage
(one version of one canonical URL, with the extraction result when there is
one). The extraction result carries the pipeline version that produced it so
that a newer pipeline can re-extract from the store without crawling again.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def sha256_hex(data: bytes) -> str:
    """Content address of raw bytes in the store."""
    return hashlib.sha256(data).hexdigest()


def text_hash(title: str, body: str) -> str:
    """Hash of the extracted text; a page whose text is unchanged is not a new version.

    Whitespace is collapsed so that re-indented markup or a rotated banner
    outside the article body does not create versions.
    """
    normalised = " ".join(title.split()) + "\n" + " ".join(body.split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def document_id(canonical_url: str) -> str:
    """Stable document id derived from the canonical URL."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


def _iso_date_only(value: object) -> object:
    # Pydantic's lax dates also take numbers as Unix times ("0" is 1970-01-01): a date a person sends is YYYY-MM-DD.
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date as YYYY-MM-DD")
    if isinstance(value, int | float):
        raise ValueError("must be a date as YYYY-MM-DD, not a number")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A calendar date given by a client (query parameter or JSON): ISO 8601's YYYY-MM-DD and nothing else.
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


class Page(BaseModel):
    """One fetched page or PDF, ready for the store."""

    source: str = Field(description="Registry id of the source that published it.")
    url: str = Field(description="Canonical URL (after redirects and canonicalisation).")
    fetched_at: datetime
    raw: bytes = Field(repr=False, description="Exact bytes as fetched.")
    content_type: str = "text/html"
    encoding: str | None = Field(default=None, description="Character encoding used to decode raw.")
    title: str = ""
    body: str = ""
    published: date | None = None
    language: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    aliases: list[str] = Field(default_factory=list, description="Other URLs that led to this page.")


class Span(BaseModel):
    """Where a fact was found: character offsets into `title + "\\n\\n" + body`."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    text: str


class CountryFact(BaseModel):
    code: str = Field(description="ISO 3166-1 alpha-2", examples=["KZ"])
    mentions: list[Span] = Field(default_factory=list)


class CityFact(BaseModel):
    name: str = Field(description="Base form without suffixes", examples=["Almatı"])
    country: str = Field(description="ISO 3166-1 alpha-2 of the city's country", examples=["KZ"])
    mentions: list[Span] = Field(default_factory=list)


class SectorFact(BaseModel):
    code: str = Field(description="NACE Rev. 2 division", examples=["C13"])
    mentions: list[Span] = Field(default_factory=list)


class ProgramFact(BaseModel):
    code: str = Field(examples=["UR-GE"], description="UR-GE, KOBI-KUMELENME, TURQUALITY, EU-FUNDED or OTHER")
    mentions: list[Span] = Field(default_factory=list)


class ProjectFact(BaseModel):
    name: str
    code: str | None = Field(default=None, examples=["21.UR-GE.016"])
    program: str | None = Field(default=None, examples=["UR-GE"])
    coordinator: str | None = None
    sector: str | None = None
    project_id: str | None = Field(default=None, description="Cross-document project id assigned by the linker.")
    mentions: list[Span] = Field(default_factory=list)


class OrganizationFact(BaseModel):
    names: list[str] = Field(description="Surface forms naming one organisation: full name first, then abbreviations.")
    role: str | None = Field(default=None, description="coordinator, funder, host or visited, where stated")
    mentions: list[Span] = Field(default_factory=list)


class ActivityFact(BaseModel):
    code: str = Field(examples=["trade_delegation"])
    mentions: list[Span] = Field(default_factory=list)


class DateFact(BaseModel):
    start: str = Field(description="ISO date, or YYYY-MM for a month", examples=["2023-07-09"])
    end: str = Field(examples=["2023-07-15"])
    mentions: list[Span] = Field(default_factory=list)


class MoneyFact(BaseModel):
    amount: float
    currency: str = Field(description="ISO 4217", examples=["EUR"])
    mentions: list[Span] = Field(default_factory=list)


class EventStatus(StrEnum):
    DONE = "done"
    PLANNED = "planned"


class EventPlace(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str = Field(description="Base form without suffixes, as in `cities`", examples=["Almatı"])
    country: str = Field(description="ISO 3166-1 alpha-2", examples=["KZ"])


class EventFact(BaseModel):
    """One concrete activity the text reports or announces (shared/eval/README.md, "events")."""

    activity: str = Field(description="From the activity vocabulary", examples=["trade_delegation"])
    project: str | None = Field(
        default=None,
        description="The project it belongs to: its code when the text gives one, else its name as in `projects`",
        examples=["21.UR-GE.016"],
    )
    countries: list[str] = Field(
        default_factory=list,
        description="Where it takes place abroad, or where the foreign buyers come from (ISO 3166-1 alpha-2)",
    )
    cities: list[EventPlace] = Field(default_factory=list, description="Where it takes place")
    start: str | None = Field(default=None, description="ISO date, or YYYY-MM for a month", examples=["2023-07-09"])
    end: str | None = Field(default=None, examples=["2023-07-15"])
    status: EventStatus = Field(description="done: reported as having happened (or happening); planned: announced")
    firms: int | None = Field(default=None, description="Exact number of companies taking part, when stated")
    mentions: list[Span] = Field(default_factory=list, description="The words that name the activity")
    evidence: list[Span] = Field(
        default_factory=list,
        description="The words its countries, cities, dates, firm count and status were read from",
    )


class ExtractionStatus(StrEnum):
    OK = "ok"
    EMPTY = "empty"
    UNSUPPORTED_LANGUAGE = "unsupported_language"
    ERROR = "error"


class Extraction(BaseModel):
    """Facts extracted from one document version by one pipeline version."""

    pipeline_version: str
    status: ExtractionStatus = ExtractionStatus.OK
    message: str | None = None
    language: str | None = None
    countries: list[CountryFact] = Field(default_factory=list)
    cities: list[CityFact] = Field(default_factory=list)
    sectors: list[SectorFact] = Field(default_factory=list)
    programs: list[ProgramFact] = Field(default_factory=list)
    projects: list[ProjectFact] = Field(default_factory=list)
    organizations: list[OrganizationFact] = Field(default_factory=list)
    activities: list[ActivityFact] = Field(default_factory=list)
    event_dates: list[DateFact] = Field(default_factory=list)
    money: list[MoneyFact] = Field(default_factory=list)
    events: list[EventFact] = Field(default_factory=list)


class Document(BaseModel):
    """One version of one canonical URL, as the store returns it."""

    id: str
    version: int
    source: str
    url: str
    fetched_at: datetime
    published: date | None = None
    language: str | None = None
    title: str = ""
    body: str = ""
    raw_ref: str = Field(description="sha256 of the raw bytes kept in the store")
    content_type: str = "text/html"
    content_hash: str = Field(description="text_hash(title, body)")
    aliases: list[str] = Field(
        default_factory=list, description="Other URLs of the same document (redirects, syndicated copies)."
    )
    extraction: Extraction | None = None

    @property
    def text(self) -> str:
        """The text extraction runs on; fact offsets point into it."""
        return f"{self.title}\n\n{self.body}" if self.title else self.body


class ProjectLink(BaseModel):
    """Why one mention was linked to a project: the merge, explained."""

    document_id: str
    name: str = Field(description='The name the document mentioned the project by, without who speaks ("Odamızın")')
    reason: str = Field(
        description="new (it started the project), code (same official code), name (same name, normalised) or "
        "translation (the same coordinator's project named in another language)",
        examples=["code"],
    )


class ProjectRecord(BaseModel):
    """One project as the cross-document linker knows it; dossiers are built from it."""

    id: str
    name: str = Field(description="Longest proper name seen")
    names: list[str] = Field(default_factory=list, description="Every name the project was mentioned by")
    code: str | None = None
    program: str | None = None
    coordinator: str | None = None
    province: str | None = Field(default=None, description="Turkish province of the coordinating organisation")
    sector: str | None = None
    document_ids: list[str] = Field(default_factory=list)
    links: list[ProjectLink] = Field(default_factory=list, description="Each mention and why it joined, oldest first")


class EventSource(BaseModel):
    """One document telling an event."""

    document_id: str
    ordinal: int = Field(description="Position of the event among the document's extraction.events")
    status: EventStatus
    published: date | None = None


class EventRecord(BaseModel):
    """One event as the cross-document event linker knows it: the same trip told by several documents is one."""

    id: str
    activity: str
    project_id: str | None = None
    organization: str | None = Field(default=None, description="Who organised it, where no project is known")
    status: EventStatus = Field(description="done once any source reports it done")
    start: str | None = None
    end: str | None = None
    countries: list[str] = Field(default_factory=list)
    cities: list[EventPlace] = Field(default_factory=list)
    firms: int | None = Field(default=None, description="The largest firm count any source states")
    sources: list[EventSource] = Field(default_factory=list)
