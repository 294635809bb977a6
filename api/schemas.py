"""What the HTTP API takes and answers: query parameters and response bodies, in one place.

Facet parameters and the facet names a request may count come from the search contract
(search_api.contract.Facet), so a facet the index gains is filterable and countable here too.
The write side's own types (ingest, crawl jobs) are defined by the pipeline and answered as they are.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from kume.schema import Document, Extraction, IsoDate
from search_api.contract import FACET_VALUES, FACETS, Facet, FacetCount, HistogramBucket, Interval, SearchQuery, Sort

MAX_PAGE_SIZE = 100
# Pages of this size are what a cursor walk asks the backend for; the contract caps a page at 100.
EXPORT_PAGE_SIZE = 100
MAX_EXPORT = 10_000

FacetValue = Annotated[str, Field(min_length=1, max_length=200)]


def _facet_filters() -> type[BaseModel]:
    fields: dict[str, Any] = {
        facet.value: (
            list[FacetValue],
            Field(default_factory=list, description=about, examples=[examples] if examples else None),
        )
        for facet, (about, examples) in FACET_VALUES.items()
    }
    return create_model("FacetFilters", __config__=ConfigDict(extra="forbid"), **fields)


if TYPE_CHECKING:
    FacetFilters = BaseModel
else:
    FacetFilters = _facet_filters()


# -- answers -------------------------------------------------------------------


class DocumentDetail(BaseModel):
    """A stored document with its extracted facts; fact offsets point into `text`."""

    id: str
    version: int
    url: str
    source: str
    published: date | None = None
    language: str | None = None
    fetched_at: datetime
    title: str
    body: str
    text: str = Field(description='title + "\\n\\n" + body: the string every fact span indexes into.')
    aliases: list[str] = Field(default_factory=list)
    extraction: Extraction | None = None

    @classmethod
    def of(cls, doc: Document) -> DocumentDetail:
        return cls(
            id=doc.id,
            version=doc.version,
            url=doc.url,
            source=doc.source,
            published=doc.published,
            language=doc.language,
            fetched_at=doc.fetched_at,
            title=doc.title,
            body=doc.body,
            text=doc.text,
            aliases=doc.aliases,
            extraction=doc.extraction,
        )


class ProjectSummary(BaseModel):
    id: str
    name: str
    code: str | None = None
    program: str | None = None
    coordinator: str | None = None
    sector: str | None = None
    document_count: int


class SourceLink(BaseModel):
    document_id: str
    url: str
    title: str
    source: str
    published: date | None = None


class TimelineEntry(BaseModel):
    """One dated step of a project: an event date stated in a document, else the document's publication date."""

    start: str = Field(description="ISO date or YYYY-MM", examples=["2023-07-09"])
    end: str = Field(examples=["2023-07-15"])
    dated_by: str = Field(description="event (a date stated in the text) or published", examples=["event"])
    activities: list[str] = Field(default_factory=list, examples=[["trade_delegation", "b2b_meetings"]])
    countries: list[str] = Field(default_factory=list, examples=[["KZ"]])
    source: SourceLink


class ProjectDossier(BaseModel):
    id: str
    name: str
    names: list[str] = Field(default_factory=list)
    code: str | None = Field(default=None, examples=["21.UR-GE.016"])
    program: str | None = Field(default=None, examples=["UR-GE"])
    coordinator: str | None = None
    sector: str | None = None
    sectors: list[str] = Field(default_factory=list, description="Every sector the project's documents are about.")
    countries: list[str] = Field(default_factory=list)
    activities: list[FacetCount] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list, description="Oldest first.")
    documents: list[SourceLink] = Field(default_factory=list)


class Timeseries(BaseModel):
    interval: Interval
    field: str
    split_by: str | None = None
    buckets: list[HistogramBucket]


class TopValues(BaseModel):
    facet: str
    total: int = Field(description="Documents matching the query.")
    values: list[FacetCount]


class SuggestKind(StrEnum):
    ORGANIZATION = "organization"
    PROJECT = "project"
    COUNTRY = "country"
    SECTOR = "sector"


class Suggestion(BaseModel):
    kind: SuggestKind
    value: str = Field(description="What to filter by (a facet value or a project id).")
    label: str = Field(description="What to show.")
    count: int


class SourceInfo(BaseModel):
    """A registered source: who publishes, in which languages, how often kume crawls it."""

    id: str = Field(examples=["demirci-tso"])
    name: str = Field(examples=["Demirci Ticaret ve Sanayi Odası"])
    kind: str = Field(examples=["chamber"], description="chamber, exporters_association, ministry or news_outlet")
    languages: list[str] = Field(examples=[["tr"]])
    schedule: str = Field(examples=["every 6h"])
    checked_live: bool = Field(description="Whether the registry entry was checked against the live site.")
    last_crawled: datetime | None = Field(default=None, description="When its last crawl finished.")


class Readiness(BaseModel):
    ready: bool
    store: str
    backend: str


# -- requests ------------------------------------------------------------------


class FilterParams(FacetFilters):
    """What to match: free text, facet values (OR within a facet, AND across facets) and date ranges."""

    q: str = Field(
        default="",
        max_length=500,
        description="Words in Turkish or English (all must match), or a query in the query language: "
        'AND/OR/NOT, -word, "phrases", prefix*, (groups), title:, country:, sector:, program:, project:, '
        "org:, activity:, city:, date:[2023-01-01 TO 2023-12-31], event:[...] (see the README).",
        examples=["Kazakistan ticaret heyeti"],
    )
    date_from: IsoDate | None = Field(
        default=None, description="Published on or after (YYYY-MM-DD)", examples=["2023-01-01"]
    )
    date_to: IsoDate | None = Field(
        default=None, description="Published on or before (YYYY-MM-DD; not before date_from)", examples=["2024-12-31"]
    )
    event_from: IsoDate | None = Field(default=None, description="An event date on or after (YYYY-MM-DD)")
    event_to: IsoDate | None = Field(
        default=None, description="An event date on or before (YYYY-MM-DD; not before event_from)"
    )

    @model_validator(mode="after")
    def _ranges_in_order(self) -> FilterParams:
        for low, high in (("date_from", "date_to"), ("event_from", "event_to")):
            start, end = getattr(self, low), getattr(self, high)
            if start and end and start > end:
                raise ValueError(f"{low} ({start}) is after {high} ({end})")
        return self

    def query(self, **extra: object) -> SearchQuery:
        filters = {facet: values for facet in FACETS if (values := getattr(self, facet))}
        return SearchQuery(
            q=self.q,
            filters=filters,
            published_from=self.date_from,
            published_to=self.date_to,
            event_from=self.event_from,
            event_to=self.event_to,
            **extra,
        )


class SearchParams(FilterParams):
    size: int = Field(default=10, ge=0, le=MAX_PAGE_SIZE, description=f"Hits per page (at most {MAX_PAGE_SIZE}).")
    cursor: str | None = Field(
        default=None, min_length=1, max_length=2000, description="next_cursor of the previous page."
    )
    sort: Sort = Sort.RELEVANCE
    facets: list[Facet] = Field(default_factory=list, description="Facets to count.", examples=[["country", "sector"]])
    facet_size: int = Field(default=20, ge=1, le=200, description="Values counted per facet.")
    highlight: bool = True


class TimeseriesParams(FilterParams):
    interval: Interval = Interval.MONTH
    split_by: Facet | None = Field(default=None, description="Split each period's count by this facet's values.")
    date_field: Literal["published", "event"] = Field(
        default="published", description="Count by publication date or by the event dates stated in the text."
    )


class TopParams(FilterParams):
    facet: Facet = Field(description="The facet whose most frequent values to list.", examples=["country"])
    size: int = Field(default=10, ge=1, le=200)


class ExportParams(FilterParams):
    format: Literal["csv", "ndjson"] = "ndjson"
    limit: int = Field(default=1000, ge=1, le=MAX_EXPORT, description=f"At most this many documents (<= {MAX_EXPORT}).")
    sort: Sort = Sort.DATE_DESC


class SuggestParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: SuggestKind = Field(description="What to complete.", examples=["organization"])
    prefix: str = Field(default="", max_length=200, examples=["Demir"])
    size: int = Field(default=10, ge=1, le=50)
    lang: Literal["tr", "en"] = Field(default="tr", description="Language of country labels.")


class SavedSearchRequest(FilterParams):
    """A search to keep under a name: its feed and webhook announce each document that newly matches it."""

    name: str = Field(min_length=1, max_length=200, examples=["Kazakistan ticaret heyetleri"])
    webhook_url: str | None = Field(
        default=None,
        max_length=2048,
        description="Where to POST each new match (JSON, signed with X-Kume-Signature-256).",
        examples=["https://dash.example.org/hooks/kume"],
    )


class SavedSearchInfo(BaseModel):
    id: str
    name: str
    query: SearchQuery
    created_at: datetime
    feed_url: str = Field(description="Atom feed of the new matches; its URL is its key, share it with care.")
    webhook_url: str | None = None
    webhook_secret: str | None = Field(
        default=None, description="Only in the answer that creates the search: the key of the webhook's signature."
    )


class SearchMatch(BaseModel):
    document_id: str
    version: int
    matched_at: datetime
    url: str
    title: str
    published: date | None = None


class CrawlRequest(BaseModel):
    source: str = Field(min_length=1, max_length=200, description="A source registry id.", examples=["demirci-tso"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Message(BaseModel):
    detail: str


# The error answers each kind of route can give, every one a Message (FastAPI's own validation array is
# never sent: api.app answers a 422 with one message naming each bad parameter).
_THROTTLED = {
    "model": Message,
    "description": "Too many wrong API keys from this client; wait as Retry-After says.",
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
}
ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": Message, "description": "A parameter is invalid; the message names it."},
    503: {"model": Message, "description": "The search backend or the store cannot be reached."},
}
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Message, "description": "This server has a read key, and X-API-Key is missing or wrong."},
    429: _THROTTLED,
    **ERRORS,
}
OWNER_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Message, "description": "X-API-Key is missing, or not one of this server's keys."},
    429: _THROTTLED,
    **ERRORS,
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Message, "description": "X-API-Key is missing or wrong."},
    403: {"model": Message, "description": "This server has no write key: writes are disabled."},
    413: {"model": Message, "description": "The request body is larger than the server takes."},
    429: _THROTTLED,
    **ERRORS,
}
