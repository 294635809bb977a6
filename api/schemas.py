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

from kume.labels import Label, activity_codes
from kume.schema import Document, EventStatus, Extraction, IsoDate, ProjectLink
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


class CountryReached(BaseModel):
    code: str = Field(examples=["KZ"])
    label: Label | None = None
    events: int = Field(description="Done events that reached it.")


class PlaceLabel(BaseModel):
    name: str = Field(description="Base form, as stored", examples=["Almatı"])
    country: str = Field(examples=["KZ"])
    label: Label


class CodeLabel(BaseModel):
    code: str = Field(examples=["KZ"])
    label: Label | None = None


class DossierEvent(BaseModel):
    """One event of a project, however many documents tell it."""

    id: str
    activity: str = Field(examples=["trade_delegation"])
    activity_label: Label | None = None
    status: EventStatus
    start: str | None = Field(default=None, description="ISO date or YYYY-MM", examples=["2023-10-09"])
    end: str | None = None
    countries: list[CodeLabel] = Field(default_factory=list)
    cities: list[PlaceLabel] = Field(default_factory=list)
    firms: int | None = Field(default=None, description="Companies taking part (the largest count a source states).")
    sources: list[SourceLink] = Field(default_factory=list, description="Every document telling it, oldest first.")


class ActivityCount(BaseModel):
    value: str = Field(examples=["trade_delegation"])
    label: Label | None = None
    done: int
    planned: int


class ProjectDossier(BaseModel):
    id: str
    name: str
    label: Label = Field(description="In each language the name its documents in that language give it, and its code.")
    names: list[str] = Field(default_factory=list)
    code: str | None = Field(default=None, examples=["21.UR-GE.016"])
    program: str | None = Field(default=None, examples=["UR-GE"])
    program_label: Label | None = None
    coordinator: str | None = None
    province: str | None = Field(default=None, description="Turkish province of the coordinator.")
    province_label: Label | None = None
    sector: str | None = None
    sector_label: Label | None = None
    events: list[DossierEvent] = Field(default_factory=list, description="Done and planned events, oldest first.")
    countries_reached: list[CountryReached] = Field(
        default_factory=list, description="Countries of done events, most events first."
    )
    firms_total: int = Field(default=0, description="Firms summed over done events that state a count.")
    activity_counts: list[ActivityCount] = Field(default_factory=list)
    links: list[ProjectLink] = Field(default_factory=list, description="Each mention and why it joined the project.")
    documents: list[SourceLink] = Field(default_factory=list, description="Every document naming the project.")


class ScoreboardBy(StrEnum):
    PROJECT = "project"
    PROGRAM = "program"
    COORDINATOR = "coordinator"
    PROVINCE = "province"
    SECTOR = "sector"


# Columns a scoreboard sorts by besides an activity code.
SCOREBOARD_COLUMNS = ("events", "planned", "countries", "firms", "first", "last", "documents", "projects", "label")
MAX_SCOREBOARD_SIZE = 1000


class ScoreboardRow(BaseModel):
    """What one project, programme, coordinator, province or sector did: events counted once however many
    documents tell them."""

    key: str = Field(description="Project id, programme code, coordinator, province or NACE division.")
    label: Label
    project_id: str | None = Field(default=None, description="When the row is a project.")
    events: int = Field(description="Done events (deduplicated across documents).")
    planned: int = Field(description="Events announced and not (yet) reported done.")
    by_activity: dict[str, int] = Field(description="Done events per activity code.")
    countries: int = Field(description="Distinct countries of done events.")
    country_codes: list[str] = Field(description="Those countries, most events first.")
    firms: int = Field(description="Firms summed over done events that state a count.")
    first: str | None = Field(default=None, description="Start of the earliest done event (ISO day or YYYY-MM).")
    last: str | None = Field(default=None, description="End of the latest done event.")
    documents: int = Field(description="Distinct documents telling the row's events (done or planned).")
    projects: int = Field(description="Distinct projects among the row's events.")


class Scoreboard(BaseModel):
    by: ScoreboardBy
    total: int = Field(description="Rows before `size` cut the list.")
    activities: list[str] = Field(description="Activity codes with done events in the rows, one column each.")
    activity_labels: dict[str, Label] = Field(default_factory=dict)
    rows: list[ScoreboardRow]


class CountMode(StrEnum):
    DOCUMENTS = "documents"
    EVENTS = "events"


class Timeseries(BaseModel):
    interval: Interval
    field: str
    split_by: str | None = None
    count: CountMode = CountMode.DOCUMENTS
    buckets: list[HistogramBucket] = Field(description="Every period from the first to the last, empty ones as 0.")


class TopValues(BaseModel):
    facet: str
    count: CountMode = CountMode.DOCUMENTS
    total: int = Field(description="Documents (or events) matching the query.")
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


COUNT_DESCRIPTION = (
    "documents: matching documents; events: events (deduplicated across documents) matching the facet filters "
    "events have (country, sector, program, project, organization, activity), dated by their start, else by "
    "their first source's publication; a text query `q` counts documents only."
)


class TimeseriesParams(FilterParams):
    interval: Interval = Interval.MONTH
    split_by: Facet | None = Field(default=None, description="Split each period's count by this facet's values.")
    date_field: Literal["published", "event"] = Field(
        default="published", description="Count by publication date or by the event dates stated in the text."
    )
    count: CountMode = Field(default=CountMode.DOCUMENTS, description=COUNT_DESCRIPTION)


class TopParams(FilterParams):
    facet: Facet = Field(description="The facet whose most frequent values to list.", examples=["country"])
    size: int = Field(default=10, ge=1, le=200)
    count: CountMode = Field(default=CountMode.DOCUMENTS, description=COUNT_DESCRIPTION)


ScoreboardFilter = Annotated[str, Field(min_length=1, max_length=200)]


class ScoreboardParams(BaseModel):
    """Which rows a scoreboard compares, over which events, in which order."""

    model_config = ConfigDict(extra="forbid")

    by: ScoreboardBy = Field(default=ScoreboardBy.PROJECT, description="What a row is.")
    year: int | None = Field(
        default=None, ge=1900, le=2100, description="Events of this year (by start, else first publication)."
    )
    date_from: IsoDate | None = Field(default=None, description="Events ending on or after (YYYY-MM-DD).")
    date_to: IsoDate | None = Field(default=None, description="Events starting on or before (YYYY-MM-DD).")
    program: ScoreboardFilter | None = Field(default=None, description="Programme code or name", examples=["UR-GE"])
    country: ScoreboardFilter | None = Field(
        default=None, description="Events reaching this country: ISO code or name (tr/en)", examples=["Almanya"]
    )
    sector: ScoreboardFilter | None = Field(default=None, description="NACE Rev. 2 division", examples=["C13"])
    province: ScoreboardFilter | None = Field(
        default=None, description="Turkish province of the coordinator", examples=["Kayseri"]
    )
    activity: ScoreboardFilter | None = Field(default=None, description="Activity code", examples=["trade_delegation"])
    sort: str = Field(
        default="events",
        description="A column (" + ", ".join(SCOREBOARD_COLUMNS) + ") or an activity code.",
        json_schema_extra={"enum": [*SCOREBOARD_COLUMNS, *activity_codes()]},
    )
    order: Literal["desc", "asc"] = "desc"
    size: int = Field(default=50, ge=1, le=MAX_SCOREBOARD_SIZE, description="Rows to answer (after sorting).")
    format: Literal["json", "csv"] = Field(default="json", description="csv: UTF-8 with BOM, a column per activity.")

    @model_validator(mode="after")
    def _valid(self) -> ScoreboardParams:
        if self.sort not in SCOREBOARD_COLUMNS and self.sort not in activity_codes():
            raise ValueError(
                f"sort: {self.sort!r} is no column; columns: {', '.join([*SCOREBOARD_COLUMNS, *activity_codes()])}"
            )
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date_from ({self.date_from}) is after date_to ({self.date_to})")
        return self


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
