"""The HTTP API and the researchers' web page: thin FastAPI routes over `SearchService`.

Query parameters are declared as pydantic models (one field per facet of the
backend contract) with unknown parameters forbidden, so every bad parameter is
answered with a 422 that names it. Backend or store failures become 503s.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, get_args

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from kume.config import Settings
from kume.store import Store, StoreError
from search_api.contract import (
    FACETS,
    BackendUnavailable,
    Interval,
    InvalidQuery,
    QuerySyntaxError,
    SearchHit,
    SearchQuery,
    SearchResult,
    Sort,
)
from search_api.service import (
    MAX_EXPORT,
    CrawlAlreadyRunning,
    CrawlJob,
    DocumentDetail,
    DocumentNotFound,
    FetchFailed,
    IngestRequest,
    IngestResult,
    ProjectDossier,
    ProjectNotFound,
    ProjectSummary,
    SearchService,
    Suggestion,
    SuggestKind,
    Timeseries,
    TopValues,
    UnknownSource,
    UrlRejected,
)

if TYPE_CHECKING:
    from crawler.registry import Registry
    from search_api.contract import SearchBackend

WEB_DIR = Path(__file__).parent / "web"
SWAGGER_UI = "/vendor/swagger-ui"
log = logging.getLogger(__name__)
MAX_PAGE_SIZE = 100
T = TypeVar("T")

Facet = Literal["country", "city", "sector", "program", "project", "organization", "activity", "language", "source"]
assert set(get_args(Facet)) == set(FACETS), "the API's facet list must follow search_api.contract.FACETS"

FacetValue = Annotated[str, Field(min_length=1, max_length=200)]


class FilterParams(BaseModel):
    """What to match: free text, facet values (OR within a facet, AND across facets) and date ranges."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(
        default="",
        max_length=500,
        description="Words in Turkish or English (all must match), or a query in the query language: "
        'AND/OR/NOT, -word, "phrases", prefix*, (groups), title:, country:, sector:, program:, project:, '
        "org:, activity:, city:, date:[2023-01-01 TO 2023-12-31], event:[...] (see the README).",
        examples=["Kazakistan ticaret heyeti"],
    )
    country: list[FacetValue] = Field(default_factory=list, description="ISO 3166-1 alpha-2", examples=[["KZ", "RU"]])
    city: list[FacetValue] = Field(default_factory=list, examples=[["Almatı"]])
    sector: list[FacetValue] = Field(default_factory=list, description="NACE Rev. 2 division", examples=[["C20"]])
    program: list[FacetValue] = Field(default_factory=list, examples=[["UR-GE"]])
    project: list[FacetValue] = Field(default_factory=list, description="Project ids (see /v1/projects)")
    organization: list[FacetValue] = Field(default_factory=list, examples=[["Demirci Ticaret ve Sanayi Odası"]])
    activity: list[FacetValue] = Field(default_factory=list, examples=[["trade_delegation"]])
    language: list[FacetValue] = Field(default_factory=list, examples=[["tr"]])
    source: list[FacetValue] = Field(default_factory=list, description="Source registry ids")
    date_from: date | None = Field(
        default=None, description="Published on or after (ISO date)", examples=["2023-01-01"]
    )
    date_to: date | None = Field(default=None, description="Published on or before (ISO date)", examples=["2024-12-31"])
    event_from: date | None = Field(default=None, description="An event date on or after (ISO date)")
    event_to: date | None = Field(default=None, description="An event date on or before (ISO date)")

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
    cursor: str | None = Field(default=None, max_length=2000, description="next_cursor of the previous page.")
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


class CrawlRequest(BaseModel):
    source: str = Field(min_length=1, max_length=200, description="A source registry id.", examples=["demirci-tso"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Message(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, object]] = {
    422: {"model": Message, "description": "A parameter is invalid; the message names it."},
    503: {"model": Message, "description": "The search backend or the store cannot be reached."},
}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        location = [str(p) for p in error.get("loc", ()) if p not in ("query", "body", "path", "header")]
        name = ".".join(location) or "request"
        parts.append(f"{name}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def create_app(
    settings: Settings,
    *,
    backend: SearchBackend | None = None,
    store: Store | None = None,
    registry: Registry | None = None,
) -> FastAPI:
    """The API and web page over `settings.data_dir` and `settings.backend`.

    A backend, store or crawler registry may be passed in (tests, demo sites
    on 127.0.0.1); otherwise they are opened from the settings.
    """
    if backend is None:
        from search_api.backends import open_backend

        backend = open_backend(settings)
    service = SearchService(settings, store or Store(settings.store_path), backend, registry=registry)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()

    app = FastAPI(
        title="kume",
        summary="Search news about Turkey's export-cluster programmes (UR-GE, KOBİ clustering, EU-funded clusters).",
        version="1",
        lifespan=lifespan,
        # FastAPI's own pages load Swagger UI and ReDoc from a CDN; /docs below serves a vendored copy.
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="kume API",
            swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png",
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_message(exc)}, status_code=422)

    @app.exception_handler(InvalidQuery)
    async def invalid_query(_: Request, exc: InvalidQuery) -> JSONResponse:
        # A query that does not parse says where it broke; an unknown value lists the values that exist.
        return JSONResponse({"detail": f"q: {exc}" if isinstance(exc, QuerySyntaxError) else str(exc)}, 422)

    @app.exception_handler(BackendUnavailable)
    async def backend_down(_: Request, exc: BackendUnavailable) -> JSONResponse:
        return JSONResponse({"detail": f"search backend unavailable: {exc}"}, status_code=503)

    @app.exception_handler(StoreError)
    async def store_down(_: Request, exc: StoreError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # A bug must still answer in the API's JSON shape; the traceback goes to the log, not to the client.
        log.exception("internal error serving %s", request.url.path)
        return JSONResponse({"detail": f"internal error serving {request.url.path}; see the server log"}, 500)

    def key_matches(given: str | None, *accepted: SecretStr | None) -> bool:
        keys = [k.get_secret_value() for k in accepted if k is not None]
        return given is not None and any(secrets.compare_digest(given.encode(), k.encode()) for k in keys)

    def read_access(
        x_api_key: Annotated[str | None, Header(description="Needed when a read key is set.")] = None,
    ) -> None:
        if settings.read_api_key is not None and not key_matches(x_api_key, settings.read_api_key, settings.api_key):
            raise HTTPException(401, "X-API-Key header missing or wrong: this server's read endpoints need a key")

    def write_access(
        x_api_key: Annotated[str | None, Header(description="The write key (Settings.api_key).")] = None,
    ) -> None:
        if settings.api_key is None:
            raise HTTPException(403, "write endpoints are disabled: this server has no api_key configured")
        if not key_matches(x_api_key, settings.api_key):
            raise HTTPException(401, "X-API-Key header missing or wrong")

    read = [Depends(read_access)]
    write = [Depends(write_access)]

    @app.get("/healthz", tags=["health"])
    def healthz() -> Health:
        """The process is up."""
        return Health()

    @app.get("/readyz", tags=["health"], responses={503: {"model": Message}})
    def readyz() -> JSONResponse:
        """The store and the search backend both answer."""
        readiness = service.readiness()
        if readiness.ready:
            return JSONResponse(readiness.model_dump())
        reasons = [r for r in (readiness.store, readiness.backend) if r != "ok"]
        return JSONResponse({"detail": "; ".join(reasons), **readiness.model_dump()}, status_code=503)

    async def answer(backend_read: Callable[..., T], *args: Any) -> T:
        """A backend read, run where it costs least.

        An in-process backend computes the answer holding the GIL and its own lock, so a hop to the
        thread pool only adds switching; a backend that waits on a server goes to the pool, so other
        requests proceed meanwhile.
        """
        if service.backend.answers_in_process:
            return backend_read(*args)
        return await run_in_threadpool(backend_read, *args)

    @app.get("/v1/search", tags=["search"], dependencies=read, responses=ERRORS)
    async def search(params: Annotated[SearchParams, Query()]) -> SearchResult:
        """Documents matching text, facet filters and date ranges, with highlights, facet counts and a cursor."""
        query = params.query(
            size=params.size,
            cursor=params.cursor,
            sort=params.sort,
            facets=list(params.facets),
            facet_size=params.facet_size,
            highlight=params.highlight,
        )
        try:
            return await answer(service.search, query)
        except ValueError as exc:
            if params.cursor is None or isinstance(exc, QuerySyntaxError):
                raise
            raise HTTPException(422, f"cursor: not a cursor this search returned ({exc})") from exc

    @app.get("/v1/documents/{doc_id}", tags=["documents"], dependencies=read, responses={404: {"model": Message}})
    def document(doc_id: Annotated[str, PathParam(max_length=200)]) -> DocumentDetail:
        """A stored document with its extracted facts; every span's offsets point into `text`."""
        try:
            return service.document(doc_id)
        except DocumentNotFound as exc:
            raise HTTPException(404, str(exc)) from exc

    @app.get("/v1/projects", tags=["projects"], dependencies=read)
    def projects() -> list[ProjectSummary]:
        """Every project the cross-document linker knows."""
        return service.projects()

    @app.get("/v1/projects/{project_id}", tags=["projects"], dependencies=read, responses={404: {"model": Message}})
    def project(project_id: Annotated[str, PathParam(max_length=200)]) -> ProjectDossier:
        """A project's dossier: programme, code, coordinator, sector, countries and a dated timeline with sources."""
        try:
            return service.project(project_id)
        except ProjectNotFound as exc:
            raise HTTPException(404, str(exc)) from exc

    @app.get("/v1/stats/timeseries", tags=["stats"], dependencies=read, responses=ERRORS)
    async def timeseries(params: Annotated[TimeseriesParams, Query()]) -> Timeseries:
        """Matching documents per month, quarter or year, optionally split by a facet."""
        return await answer(
            service.timeseries, params.query(size=0), params.interval, params.split_by, params.date_field
        )

    @app.get("/v1/stats/top", tags=["stats"], dependencies=read, responses=ERRORS)
    async def top(params: Annotated[TopParams, Query()]) -> TopValues:
        """The most frequent values of a facet among matching documents."""
        return await answer(service.top, params.query(size=0), params.facet, params.size)

    @app.get("/v1/suggest", tags=["search"], dependencies=read, responses=ERRORS)
    def suggest(params: Annotated[SuggestParams, Query()]) -> list[Suggestion]:
        """Completions for organisations, projects, countries or sectors."""
        return service.suggest(params.kind, params.prefix, params.size, params.lang)

    @app.get(
        "/v1/export",
        tags=["search"],
        dependencies=read,
        responses={
            200: {"content": {"application/x-ndjson": {}, "text/csv": {}}, "description": "One line per document."},
            **ERRORS,
        },
        response_class=StreamingResponse,
    )
    def export(params: Annotated[ExportParams, Query()]) -> StreamingResponse:
        """Every matching document (up to `limit`) as CSV or NDJSON, streamed."""
        query = params.query(sort=params.sort, highlight=False)
        hits = service.export(query, params.limit)
        # The first page is fetched before the response starts, so a backend that is down
        # still gets its 503 instead of a 200 cut short.
        first = next(hits, None)
        lines = _csv_lines(first, hits) if params.format == "csv" else _ndjson_lines(first, hits)
        media = "text/csv; charset=utf-8" if params.format == "csv" else "application/x-ndjson"
        filename = f"kume-export.{params.format}"
        return StreamingResponse(
            iterate_in_threadpool(lines),
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @app.post("/v1/ingest", tags=["write"], dependencies=write, responses={**ERRORS, 401: {"model": Message}})
    def ingest(request: IngestRequest) -> IngestResult:
        """Store, extract and index one document: given by its text, or by a URL of a registered source."""
        try:
            return service.ingest(request)
        except UrlRejected as exc:
            raise HTTPException(422, f"url: {exc}") from exc
        except FetchFailed as exc:
            raise HTTPException(502, str(exc)) from exc

    @app.post(
        "/v1/crawl", tags=["write"], dependencies=write, status_code=202, responses={**ERRORS, 409: {"model": Message}}
    )
    def crawl(request: CrawlRequest) -> CrawlJob:
        """Crawl one registered source in the background, then extract and index; poll /v1/crawl/{job_id}."""
        try:
            return service.start_crawl(request.source)
        except UnknownSource as exc:
            raise HTTPException(422, f"source: {exc}") from exc
        except CrawlAlreadyRunning as exc:
            raise HTTPException(409, str(exc)) from exc

    @app.get("/v1/crawl/{job_id}", tags=["write"], dependencies=write, responses={404: {"model": Message}})
    def crawl_status(job_id: Annotated[str, PathParam(max_length=100)]) -> CrawlJob:
        """Status of a crawl job."""
        job = service.crawl_job(job_id)
        if job is None:
            raise HTTPException(404, f"no crawl job {job_id!r}")
        return job

    app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="web")
    return app


EXPORT_COLUMNS = ("id", "url", "source", "published", "language", "title", "country", "sector", "program", "activity")


def _csv_lines(first: SearchHit | None, rest: Iterator[SearchHit]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for hit in _chain(first, rest):
        row = hit.model_dump(mode="json")
        writer.writerow(
            [" ".join(v) if isinstance(v := row[c], list) else ("" if v is None else v) for c in EXPORT_COLUMNS]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _ndjson_lines(first: SearchHit | None, rest: Iterator[SearchHit]) -> Iterator[str]:
    for hit in _chain(first, rest):
        yield json.dumps(hit.model_dump(mode="json", exclude={"highlights", "score"}), ensure_ascii=False) + "\n"


def _chain(first: SearchHit | None, rest: Iterator[SearchHit]) -> Iterator[SearchHit]:
    if first is not None:
        yield first
        yield from rest


def app_from_environment() -> FastAPI:
    """`create_app` over `load_settings()` (KUME_* variables, kume.toml): for `uvicorn --factory` and its workers."""
    from kume.config import load_settings

    return create_app(load_settings())
