"""The contract every search backend fulfils, and the types it speaks.

The embedded backend (SQLite FTS5) and the Elasticsearch/OpenSearch backend
implement `SearchBackend`; the service layer and the indexer only ever talk to
this protocol. Text analysis happens in Python before a backend sees the text
(see `search_api.analysis`), so every backend indexes and queries the same terms.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, Field

from kume.labels import Label

if TYPE_CHECKING:
    from search_api.vocabulary import Vocabulary


class Facet(StrEnum):
    """Facet fields: keyword lists on every indexed document, filterable and countable."""

    COUNTRY = "country"
    CITY = "city"
    SECTOR = "sector"
    PROGRAM = "program"
    PROJECT = "project"
    ORGANIZATION = "organization"
    ACTIVITY = "activity"
    LANGUAGE = "language"
    SOURCE = "source"


FACETS: tuple[str, ...] = tuple(facet.value for facet in Facet)
# What each facet's values are, for the people and programs that filter by them.
FACET_VALUES: dict[Facet, tuple[str, list[str]]] = {
    Facet.COUNTRY: ("ISO 3166-1 alpha-2", ["KZ", "RU"]),
    Facet.CITY: ("City or region, base form", ["Almatı"]),
    Facet.SECTOR: ("NACE Rev. 2 division", ["C20"]),
    Facet.PROGRAM: ("Support programme", ["UR-GE"]),
    Facet.PROJECT: ("Project ids (see /v1/projects)", []),
    Facet.ORGANIZATION: ("Organisation, full name", ["Demirci Ticaret ve Sanayi Odası"]),
    Facet.ACTIVITY: ("Activity code", ["trade_delegation"]),
    Facet.LANGUAGE: ("ISO 639-1 language code", ["tr"]),
    Facet.SOURCE: ("Source registry ids", []),
}


class DateRange(BaseModel):
    start: str = Field(description="ISO date or YYYY-MM")
    end: str


class EntityName(BaseModel):
    """A surface form the extraction found for one facet value ("OASO" for an organisation named in full)."""

    facet: str
    value: str
    name: str


class IndexDocument(BaseModel):
    """What a backend indexes for one document: its text and its facts flattened to keywords."""

    id: str
    url: str
    source: str
    language: str | None = None
    title: str = ""
    body: str = ""
    published: date | None = None
    country: list[str] = Field(default_factory=list)
    city: list[str] = Field(default_factory=list)
    sector: list[str] = Field(default_factory=list)
    program: list[str] = Field(default_factory=list)
    project: list[str] = Field(default_factory=list, description="Project ids (or names when unlinked).")
    organization: list[str] = Field(default_factory=list)
    activity: list[str] = Field(default_factory=list)
    event_dates: list[DateRange] = Field(default_factory=list)
    names: list[EntityName] = Field(
        default_factory=list, description="Other names of its facet values, so a query naming one finds the document."
    )


class Sort(StrEnum):
    RELEVANCE = "relevance"
    DATE_DESC = "date_desc"
    DATE_ASC = "date_asc"


class Interval(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class SearchQuery(BaseModel):
    q: str = Field(
        default="",
        description="A query in the query language of search_api.query (Lucene query_string conventions); "
        "plain words must all match.",
    )
    filters: dict[str, list[str]] = Field(
        default_factory=dict, description="Facet -> accepted values (OR within a facet, AND across facets)."
    )
    published_from: date | None = None
    published_to: date | None = None
    event_from: date | None = None
    event_to: date | None = None
    sort: Sort = Sort.RELEVANCE
    size: int = Field(default=10, ge=0, le=100)
    cursor: str | None = Field(default=None, description="Opaque search-after cursor from a previous page.")
    facets: list[str] = Field(default_factory=list, description="Facets to count.")
    facet_size: int = Field(default=20, ge=1, le=1000)
    highlight: bool = True


class Span(BaseModel):
    start: int = Field(description="Offset of the first character, in the fragment's text.")
    end: int = Field(description="Offset after the last character.")


class Highlight(BaseModel):
    """A fragment of the body as plain text (not HTML), with where the query's words matched in it."""

    text: str
    matches: list[Span] = Field(default_factory=list)


class EntityMatch(BaseModel):
    """Why a hit matched without (or besides) its words: the query named one of its facet values."""

    facet: str = Field(examples=["country"])
    value: str = Field(examples=["KZ"])
    named_as: str = Field(description="The query's words that named it.", examples=["Kazakhstan"])


class SearchHit(BaseModel):
    id: str
    url: str
    source: str
    title: str
    language: str | None = None
    published: date | None = None
    score: float = 0.0
    highlights: list[Highlight] = Field(default_factory=list, description="Body fragments with the matched words.")
    matched: list[EntityMatch] = Field(default_factory=list)
    country: list[str] = Field(default_factory=list)
    city: list[str] = Field(default_factory=list)
    sector: list[str] = Field(default_factory=list)
    program: list[str] = Field(default_factory=list)
    project: list[str] = Field(default_factory=list)
    organization: list[str] = Field(default_factory=list)
    activity: list[str] = Field(default_factory=list)
    event_dates: list[DateRange] = Field(default_factory=list)


class FacetCount(BaseModel):
    value: str
    count: int
    label: Label | None = Field(
        default=None, description="The value's name in Turkish and English, where one exists (filled by the API)."
    )


class SearchResult(BaseModel):
    total: int
    hits: list[SearchHit]
    facets: dict[str, list[FacetCount]] = Field(default_factory=dict)
    next_cursor: str | None = None


class HistogramBucket(BaseModel):
    period: str = Field(description="2023-07, 2023-Q3 or 2023")
    split: str | None = Field(default=None, description="Value of the split facet, if split.")
    count: int
    label: Label | None = Field(
        default=None, description="The split value's name in Turkish and English, where one exists (filled by the API)."
    )


class IndexedValue(BaseModel):
    """A facet value the index holds, how many documents have it, and the other names they give it."""

    facet: str
    value: str
    count: int
    names: list[str] = Field(default_factory=list)


class InvalidQuery(ValueError):
    """A query names an unknown facet or field, or carries a cursor this backend did not make."""


class InvalidCursor(InvalidQuery):
    """A cursor this backend did not make for this search (crafted, truncated, from another sort)."""


class QuerySyntaxError(InvalidQuery):
    """The query text does not parse: `position` is the offset in it where it broke."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.position = position
        self.message = message


class UnknownFilterValue(InvalidQuery):
    """A facet value that names nothing the index holds; `known` lists values it does hold (closest first)."""

    def __init__(self, facet: str, value: str, known: list[str], total: int) -> None:
        more = f" (of {total})" if total > len(known) else ""
        super().__init__(f"unknown {facet} {value!r}; the index holds{more}: {', '.join(known) or 'none'}")
        self.facet = facet
        self.value = value
        self.known = known


class BackendUnavailable(RuntimeError):
    """The search backend cannot be reached; the store still holds every document."""


class SearchBackend(Protocol):
    """Indexing and querying, identical in behaviour for every backend."""

    #: True when a query is computed in this process (it holds the CPU), False when it waits on a server.
    answers_in_process: bool

    def bulk_upsert(self, docs: Iterable[IndexDocument]) -> int:
        """Index or replace documents; returns how many were written."""
        ...

    def delete(self, ids: Iterable[str]) -> int: ...

    def rebuild(self, docs: Iterable[IndexDocument]) -> int:
        """Replace the whole index with `docs`; readers see the old index until the switch."""
        ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def histogram(
        self, query: SearchQuery, interval: Interval, split_by: str | None = None, field: str = "published"
    ) -> list[HistogramBucket]:
        """Counts of matching documents per period of `field` (published or event date)."""
        ...

    def suggest(self, facet: str, prefix: str, size: int = 10) -> list[FacetCount]:
        """Values of `facet` starting with `prefix` (case- and accent-insensitive), most frequent first."""
        ...

    def indexed_values(self) -> list[IndexedValue]:
        """Every value of every facet in the index, with its document count and names (for query resolution)."""
        ...

    def vocabulary(self) -> Vocabulary:
        """The index's values by label and entity names (kept until the index changes, or briefly on a server).

        `vocabulary().resolve_filters(query)` is how a caller accepts filter values as people type them.
        """
        ...

    def count(self) -> int: ...

    def ping(self) -> None:
        """Raise BackendUnavailable unless the backend answers."""
        ...

    def close(self) -> None: ...
