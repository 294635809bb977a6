"""The search service: one typed layer over the document store and the search backend.

The HTTP routes in `search_api.app` only translate requests into calls on
`SearchService` and its answers (pydantic models) back into JSON, so every
behaviour here can be used and tested without HTTP.
"""

from __future__ import annotations

import bisect
import os
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from kume.config import Settings
from kume.schema import Document, Extraction, Page, ProjectRecord
from kume.store import Store
from search_api.analysis import fold_key
from search_api.contract import (
    FacetCount,
    HistogramBucket,
    Interval,
    SearchBackend,
    SearchHit,
    SearchQuery,
    SearchResult,
)

if TYPE_CHECKING:
    from crawler.registry import Registry
    from nlp.pipeline import Extractor

# Pages of this size are what a cursor walk asks the backend for; the contract caps a page at 100.
EXPORT_PAGE_SIZE = 100
MAX_EXPORT = 10_000


class DocumentNotFound(LookupError):
    pass


class ProjectNotFound(LookupError):
    pass


class UnknownSource(LookupError):
    pass


class UrlRejected(ValueError):
    """A URL the service will not fetch: outside every registered source's allowed domains."""


class FetchFailed(RuntimeError):
    """A registered source's page could not be fetched or read; names the URL."""


class CrawlAlreadyRunning(RuntimeError):
    pass


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


class IngestRequest(BaseModel):
    """A document given by its text, or (body left out) a URL fetched from a registered source."""

    url: str = Field(min_length=1, max_length=2048, examples=["https://www.example-tso.org.tr/haber/urge-kazakistan"])
    title: str | None = Field(default=None, max_length=1000, examples=["UR-GE heyeti Kazakistan'da"])
    body: str | None = Field(
        default=None, max_length=2_000_000, examples=["Odamızın UR-GE projesi kapsamında Almatı'da B2B görüşmeleri..."]
    )
    source: str = Field(default="api", min_length=1, max_length=200, examples=["demirci-tso"])
    published: date | None = None
    language: str | None = Field(default=None, max_length=8, examples=["tr"])


class IngestResult(BaseModel):
    id: str
    version: int
    outcome: str = Field(description="new, changed or unchanged", examples=["new"])
    extraction_status: str | None = Field(default=None, examples=["ok"])
    indexed: bool


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class CrawlJob(BaseModel):
    id: str
    source: str
    status: JobStatus
    created_at: datetime
    finished_at: datetime | None = None
    message: str | None = None
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[str] = Field(default_factory=list, description="URL: message, for each page that failed.")
    indexed: int = 0


class Readiness(BaseModel):
    ready: bool
    store: str
    backend: str


# -- the pipeline stages the service calls ---------------------------------------


def _starts_with(prefix: str, forms: list[str]) -> bool:
    """Whether a form, or any word of one, starts with `prefix` (case- and accent-insensitive)."""
    wanted = fold_key(prefix)
    keys = [fold_key(form) for form in forms if form]
    return not wanted or any(key.startswith(wanted) or f" {wanted}" in f" {key.replace('-', ' ')}" for key in keys)


def _now() -> datetime:
    return datetime.now(UTC)


class SearchService:
    """Everything the API does, over one store and one search backend.

    The nlp extractor and the crawler registry are loaded on first use: a
    read-only deployment never pays for the spaCy pipelines.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        backend: SearchBackend,
        *,
        registry: Registry | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.backend = backend
        self._registry = registry
        self._extractor: Extractor | None = None
        # Extraction and project linking read and rewrite many documents: one pass at a time.
        self._extraction_lock = threading.Lock()
        # Read-modify-write of this process's own jobs; jobs themselves live in the store.
        self._jobs_lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    # -- reading ---------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        return self.backend.search(query)

    def document(self, doc_id: str) -> DocumentDetail:
        doc = self.store.get(doc_id)
        if doc is None:
            raise DocumentNotFound(f"no document with id {doc_id!r}")
        return DocumentDetail.of(doc)

    def projects(self) -> list[ProjectSummary]:
        return [
            ProjectSummary(
                id=p.id,
                name=p.name,
                code=p.code,
                program=p.program,
                coordinator=p.coordinator,
                sector=p.sector,
                document_count=len(p.document_ids),
            )
            for p in self.store.projects()
        ]

    def project(self, project_id: str) -> ProjectDossier:
        record = self.store.project(project_id)
        if record is None:
            raise ProjectNotFound(f"no project with id {project_id!r}")
        return self._dossier(record)

    def _dossier(self, record: ProjectRecord) -> ProjectDossier:
        timeline: list[TimelineEntry] = []
        links: list[SourceLink] = []
        countries: set[str] = set()
        sectors: set[str] = {record.sector} if record.sector else set()
        activity_counts: dict[str, int] = {}
        for doc_id in record.document_ids:
            doc = self.store.get(doc_id)
            if doc is None:
                continue
            link = SourceLink(
                document_id=doc.id, url=doc.url, title=doc.title, source=doc.source, published=doc.published
            )
            links.append(link)
            extraction = doc.extraction or Extraction(pipeline_version="none")
            doc_countries = sorted({c.code for c in extraction.countries})
            activities = sorted({a.code for a in extraction.activities})
            dated_activities = activities_by_date(doc.text, extraction)
            countries.update(doc_countries)
            sectors.update(s.code for s in extraction.sectors)
            for code in activities:
                activity_counts[code] = activity_counts.get(code, 0) + 1
            if extraction.event_dates:
                timeline.extend(
                    TimelineEntry(
                        start=d.start,
                        end=d.end,
                        dated_by="event",
                        activities=date_activities,
                        countries=doc_countries,
                        source=link,
                    )
                    for d, date_activities in zip(extraction.event_dates, dated_activities, strict=True)
                )
            elif doc.published:
                day = doc.published.isoformat()
                timeline.append(
                    TimelineEntry(
                        start=day,
                        end=day,
                        dated_by="published",
                        activities=activities,
                        countries=doc_countries,
                        source=link,
                    )
                )
        timeline.sort(key=lambda entry: (entry.start, entry.end, entry.source.document_id))
        links.sort(key=lambda link: (link.published or date.min, link.document_id))
        return ProjectDossier(
            id=record.id,
            name=record.name,
            names=record.names,
            code=record.code,
            program=record.program,
            coordinator=record.coordinator,
            sector=record.sector,
            sectors=sorted(sectors),
            countries=sorted(countries),
            activities=[
                FacetCount(value=code, count=n)
                for code, n in sorted(activity_counts.items(), key=lambda item: (-item[1], item[0]))
            ],
            timeline=timeline,
            documents=links,
        )

    def timeseries(
        self, query: SearchQuery, interval: Interval, split_by: str | None = None, field: str = "published"
    ) -> Timeseries:
        buckets = self.backend.histogram(query, interval, split_by=split_by, field=field)
        return Timeseries(interval=interval, field=field, split_by=split_by, buckets=buckets)

    def top(self, query: SearchQuery, facet: str, size: int = 10) -> TopValues:
        counted = query.model_copy(update={"size": 0, "facets": [facet], "facet_size": size, "cursor": None})
        result = self.backend.search(counted)
        return TopValues(facet=facet, total=result.total, values=result.facets.get(facet, [])[:size])

    def suggest(self, kind: SuggestKind, prefix: str, size: int = 10, language: str = "tr") -> list[Suggestion]:
        """Completions of `prefix`; country labels in `language` (tr or en)."""
        if kind is SuggestKind.PROJECT:
            return self._suggest_projects(prefix, size)
        if kind is SuggestKind.COUNTRY:
            return self._suggest_countries(prefix, size, language)
        return [
            Suggestion(kind=kind, value=c.value, label=c.value, count=c.count)
            for c in self.backend.suggest(kind.value, prefix, size)
        ]

    def _suggest_countries(self, prefix: str, size: int, language: str) -> list[Suggestion]:
        # The index holds ISO codes, but people type names ("Kaz", "Alman", "Germ"): the codes in
        # the index are matched by code and by their Turkish and English names from CLDR (Babel).
        from babel import Locale

        names = {lang: Locale(lang).territories for lang in ("tr", "en")}
        query = SearchQuery(size=0, facets=["country"], facet_size=1000)
        indexed = self.backend.search(query).facets.get("country", [])
        return [
            Suggestion(
                kind=SuggestKind.COUNTRY,
                value=counted.value,
                label=names.get(language, names["tr"]).get(counted.value, counted.value),
                count=counted.count,
            )
            for counted in indexed
            if _starts_with(prefix, [counted.value, *(table.get(counted.value, "") for table in names.values())])
        ][:size]

    def _suggest_projects(self, prefix: str, size: int) -> list[Suggestion]:
        # The index's project facet holds linker ids, which nobody types: projects are matched
        # by any word of any of their names or their code instead.
        matches = [
            Suggestion(
                kind=SuggestKind.PROJECT,
                value=record.id,
                label=f"{record.name} ({record.code})" if record.code else record.name,
                count=len(record.document_ids),
            )
            for record in self.store.projects()
            if _starts_with(prefix, [record.name, *record.names, record.code or ""])
        ]
        matches.sort(key=lambda s: (-s.count, s.label))
        return matches[:size]

    def export(self, query: SearchQuery, limit: int) -> Iterator[SearchHit]:
        """Every hit of `query`, up to `limit`, walking the backend's cursors page by page."""
        page_query = query.model_copy(update={"size": min(EXPORT_PAGE_SIZE, limit), "facets": [], "cursor": None})
        sent = 0
        while sent < limit:
            result = self.backend.search(page_query)
            for hit in result.hits[: limit - sent]:
                yield hit
                sent += 1
            if not result.next_cursor or not result.hits:
                return
            page_query = page_query.model_copy(update={"cursor": result.next_cursor})

    def readiness(self) -> Readiness:
        from kume.store import StoreError
        from search_api.contract import BackendUnavailable

        store_state = backend_state = "ok"
        try:
            self.store.check()
        except StoreError as exc:
            store_state = str(exc)
        try:
            self.backend.ping()
        except BackendUnavailable as exc:
            backend_state = f"search backend unavailable: {exc}"
        return Readiness(ready=store_state == backend_state == "ok", store=store_state, backend=backend_state)

    # -- writing -------------------------------------------------------------------

    def ingest(self, request: IngestRequest) -> IngestResult:
        """Store, extract and index one document given by its text or by a registered source's URL."""
        page = self._page_from_text(request) if request.body is not None else self._fetch(request.url)
        upserted = self.store.upsert_page(page)
        indexed = self._extract_and_index({upserted.doc_id})
        doc = self.store.get(upserted.doc_id)
        if doc is None:  # the upsert above committed it; absent only if the store was swapped underneath
            raise DocumentNotFound(f"document {upserted.doc_id} for {page.url} vanished from the store")
        return IngestResult(
            id=doc.id,
            version=doc.version,
            outcome=upserted.outcome.value,
            extraction_status=doc.extraction.status.value if doc.extraction else None,
            indexed=upserted.doc_id in indexed,
        )

    def _extract_and_index(self, doc_ids: set[str]) -> set[str]:
        """Extract what the store lacks, re-link projects, and index `doc_ids` and every document linking touched.

        Linking may give a project mention in an older document a new project id,
        so documents with project mentions are re-indexed along with the new ones.
        """
        from nlp.run import extract_store

        with self._extraction_lock:
            extracted: set[str] = set()
            extract_store(
                self.store,
                self.settings,
                extractor=self._extractor_instance(),
                on_document=lambda doc, _extraction: extracted.add(doc.id),
            )
            linked = {doc_id for record in self.store.projects() for doc_id in record.document_ids}
            docs = [doc for doc_id in sorted(doc_ids | extracted | linked) if (doc := self.store.get(doc_id))]
            self._index(docs)
        return {doc.id for doc in docs}

    def _page_from_text(self, request: IngestRequest) -> Page:
        body = request.body or ""
        title = request.title or ""
        return Page(
            source=request.source,
            url=request.url,
            fetched_at=_now(),
            raw=f"{title}\n\n{body}".encode(),
            content_type="text/plain; charset=utf-8",
            encoding="utf-8",
            title=title,
            body=body,
            published=request.published,
            language=request.language,
        )

    def _fetch(self, url: str) -> Page:
        from crawler.extraction import ExtractionError
        from crawler.run import FetchError, UrlNotAllowed, fetch_page

        try:
            return fetch_page(self.settings, self.registry, url)
        except UrlNotAllowed as exc:
            raise UrlRejected(f"{exc}; it was not fetched") from exc
        except (FetchError, ExtractionError) as exc:
            raise FetchFailed(f"cannot ingest {url}: {exc}") from exc

    def _extractor_instance(self) -> Extractor:
        if self._extractor is None:
            from nlp.pipeline import Extractor

            self._extractor = Extractor(self.settings)
        return self._extractor

    def _index(self, docs: list[Document]) -> int:
        from search_api.indexer import to_index_document

        return self.backend.bulk_upsert(to_index_document(doc) for doc in docs)

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            from crawler.registry import load_registry

            self._registry = load_registry(None)
        return self._registry

    def source_ids(self) -> list[str]:
        return [source.id for source in self.registry.sources]

    def start_crawl(self, source_id: str) -> CrawlJob:
        if source_id not in self.source_ids():
            raise UnknownSource(f"no registered source {source_id!r}; known: {', '.join(self.source_ids())}")
        job = CrawlJob(id=uuid.uuid4().hex, source=source_id, status=JobStatus.QUEUED, created_at=_now())
        for _ in range(2):  # a second try after retiring a job whose process is gone
            running_id = self.store.claim_crawl_job(job.id, source_id, _owner(), job.model_dump_json())
            if running_id is None:
                break
            running = self.crawl_job(running_id)
            if running is not None and running.status in _ACTIVE:
                raise CrawlAlreadyRunning(f"source {source_id!r} is already being crawled by job {running_id}")
        else:
            raise CrawlAlreadyRunning(f"source {source_id!r} is already being crawled")
        thread = threading.Thread(target=self._run_crawl, args=(job.id,), name=f"crawl-{source_id}", daemon=True)
        self._threads.append(thread)
        thread.start()
        return job

    def crawl_job(self, job_id: str) -> CrawlJob | None:
        """A crawl job started by any API process; an active one whose process has died is marked failed."""
        found = self.store.crawl_job(job_id)
        if found is None:
            return None
        record, owner, active = found
        job = CrawlJob.model_validate_json(record)
        if active and not _owner_alive(owner):
            job = job.model_copy(
                update={
                    "status": JobStatus.FAILED,
                    "finished_at": _now(),
                    "message": f"the server process running it ({owner}) stopped before it finished",
                }
            )
            self.store.update_crawl_job(job_id, job.model_dump_json(), active=False)
        return job

    def _update_job(self, job_id: str, **changes: Any) -> None:
        with self._jobs_lock:
            current = self.crawl_job(job_id)
            assert current is not None, f"crawl job {job_id} vanished from the store"
            job = current.model_copy(update=changes)
            self.store.update_crawl_job(job_id, job.model_dump_json(), active=job.status in _ACTIVE)

    def _run_crawl(self, job_id: str) -> None:
        from crawler.run import crawl

        job = self.crawl_job(job_id)
        assert job is not None, f"crawl job {job_id} vanished from the store"
        source = job.source
        self._update_job(job_id, status=JobStatus.RUNNING)
        try:
            report = crawl(self.settings, self.registry, [source])
            self._update_job(
                job_id,
                new=report.new,
                changed=report.changed,
                unchanged=report.unchanged,
                errors=[f"{e.url}: {e.message}" for e in report.errors],
            )
            indexed = len(self._extract_and_index({doc.id for doc in self.store.documents() if doc.source == source}))
        except Exception as exc:  # a background job has no caller to raise to: its status carries the error
            self._update_job(
                job_id, status=JobStatus.FAILED, finished_at=_now(), message=f"{type(exc).__name__}: {exc}"
            )
            return
        self._update_job(job_id, status=JobStatus.DONE, finished_at=_now(), indexed=indexed)

    def wait_for_jobs(self, timeout: float | None = None) -> None:
        """Join the crawl threads started so far (used at shutdown and by tests)."""
        for thread in list(self._threads):
            thread.join(timeout)

    def close(self) -> None:
        self.wait_for_jobs(timeout=30)
        self.backend.close()
        self.store.close()


_ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
# Where a sentence ends, for telling which date an activity is told of next to.
_SENTENCE_END = re.compile(r"[.!?…](?=\s)|\n")


def activities_by_date(text: str, extraction: Extraction) -> list[list[str]]:
    """For each event date of a document, the activities it dates, in code order.

    Each activity mention goes to the nearest date mention, preferring one in its own sentence, so a
    report of a needs analysis in March and a trade delegation in July dates each by its own
    sentence; with one date, every activity goes to it. An activity without offsets goes with every date.
    """
    boundaries = [match.end() for match in _SENTENCE_END.finditer(text)]

    def sentence(offset: int) -> int:
        return bisect.bisect_right(boundaries, offset)

    dated = [
        (number, span.start, sentence(span.start))
        for number, fact in enumerate(extraction.event_dates)
        for span in fact.mentions
    ]
    per_date: list[set[str]] = [set() for _ in extraction.event_dates]
    for activity in extraction.activities:
        if not activity.mentions or not dated:
            for codes in per_date:
                codes.add(activity.code)
            continue
        for span in activity.mentions:
            own = sentence(span.start)
            number = min(dated, key=lambda mention: (mention[2] != own, abs(mention[1] - span.start)))[0]
            per_date[number].add(activity.code)
    return [sorted(codes) for codes in per_date]


def _owner() -> str:
    """Which process runs a crawl job: host and pid, so another process can tell whether it is still there."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return True  # another machine's process cannot be checked from here; trust its record
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True
