"""The write side over one store and one search backend: every stage, and the flows through them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from crawler.events import CrawlEvent, CrawlReport
from crawler.fetch import FetchError, UrlNotAllowed, fetch_page
from crawler.maintext import MainTextError
from crawler.registry import Registry, load_registry
from crawler.run import crawl
from crawler.settings import CrawlOptions
from kume.config import Settings
from kume.schema import Document, Extraction, Page
from kume.store import Store
from nlp.pipeline import PIPELINE_VERSION, Extractor
from pipeline.events import link_events
from pipeline.extract import ExtractReport, extract_documents, needs_extraction
from pipeline.follow import follow
from pipeline.ingest import FetchFailed, IngestRequest, IngestResult, UrlRejected
from pipeline.link import link_documents
from search_api.contract import SearchBackend
from search_api.indexer import index_documents, index_store

log = logging.getLogger(__name__)


class Writer:
    """Crawls, extracts, links (projects, then events) and indexes into one store and one backend.

    The spaCy pipelines and the source registry are loaded on first use (unless given), so a process that only
    indexes (or an API that only reads) never pays for them. Flows that link run one at a time in a
    process; across processes the store's transactions keep linking consistent.
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        backend: SearchBackend | None = None,
        *,
        registry: Registry | None = None,
        extractor: Extractor | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self._backend = backend
        self._registry = registry
        self._extractor = extractor
        self._lock = threading.Lock()

    @property
    def backend(self) -> SearchBackend:
        if self._backend is None:
            raise RuntimeError("this writer has no search backend: it can crawl, extract and link, not index")
        return self._backend

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = load_registry(None)
        return self._registry

    @property
    def extractor(self) -> Extractor:
        if self._extractor is None:
            self._extractor = Extractor(self.settings)
        return self._extractor

    # -- stages over the store -------------------------------------------------

    def crawl(
        self,
        source_ids: list[str] | None = None,
        *,
        max_pages: int | None = None,
        on_event: Callable[[CrawlEvent], None] | None = None,
        options: CrawlOptions | None = None,
    ) -> CrawlReport:
        """Crawl registered sources (default: all) into the store; nothing is extracted or indexed."""
        report = crawl(self.settings, self.registry, source_ids, max_pages=max_pages, on_page=on_event, options=options)
        finished = datetime.now(UTC)
        for source_id in source_ids or [source.id for source in self.registry.sources]:
            self.store.record_crawl(source_id, finished)
        return report

    def due_sources(self, now: datetime | None = None) -> list[str]:
        """Sources never crawled, or whose last crawl is at least their schedule's interval ago, and which no
        other process is crawling now."""
        now = now or datetime.now(UTC)
        last = self.store.last_crawls()
        busy = self.store.crawl_locks()
        return [
            source.id
            for source in self.registry.sources
            if source.id not in busy and (source.id not in last or now - last[source.id] >= source.interval)
        ]

    def extract(
        self,
        *,
        force: bool = False,
        n_process: int = 1,
        on_document: Callable[[Document, Extraction], None] | None = None,
    ) -> ExtractReport:
        """Extract every document that lacks an extraction by this pipeline version (all with `force`), then link
        every document not linked yet."""
        with self._lock:
            documents = self.store.documents(missing_extraction_for=None if force else PIPELINE_VERSION)
            report = extract_documents(
                self.store, self.extractor, documents, n_process=n_process, on_document=on_document
            )
            linked = link_documents(self.store, self.store.unlinked_ids())
            link_events(self.store, linked.documents, linked.projects)
            report.projects = len(linked.projects)
        return report

    def index(self, *, rebuild: bool = True, on_document: Callable[[str], None] | None = None) -> int:
        """Index every current, canonical document (replacing the whole index with `rebuild`), then ask the saved
        searches about the versions the index had never held."""
        indexed = index_store(self.store, self.backend, rebuild=rebuild, on_document=on_document)
        self._follow(self.store.current_versions())
        return indexed

    # -- flows over what they touched --------------------------------------------

    def update(self, doc_ids: set[str]) -> list[str]:
        """Extract (where this pipeline version has not), link and index `doc_ids`; the ids indexed."""
        with self._lock:
            documents = [doc for doc_id in sorted(doc_ids) if (doc := self.store.get(doc_id)) is not None]
            extract_documents(self.store, self.extractor, [doc for doc in documents if needs_extraction(doc)])
            unlinked = set(self.store.unlinked_ids(among=doc_ids))
            linked = link_documents(self.store, [doc.id for doc in documents if doc.id in unlinked])
            link_events(self.store, linked.documents, linked.projects)
            indexed = set(index_documents(self.store, self.backend, doc_ids))
            self._follow([(doc.id, doc.version) for doc in documents if doc.id in indexed])
            return sorted(indexed)

    def ingest(self, request: IngestRequest) -> IngestResult:
        """Store, extract, link and index one document given by its text or by a registered source's URL."""
        page = request.page() if request.body is not None else self._fetch(request.url)
        upserted = self.store.upsert_page(page)
        indexed = self.update({upserted.doc_id})
        doc = self.store.get(upserted.doc_id)
        if doc is None:  # the upsert above committed it; absent only if the store was swapped underneath
            raise LookupError(f"document {upserted.doc_id} for {page.url} vanished from the store")
        return IngestResult(
            id=doc.id,
            version=doc.version,
            outcome=upserted.outcome.value,
            extraction_status=doc.extraction.status.value if doc.extraction else None,
            indexed=doc.id in indexed,
        )

    def crawl_and_update(
        self,
        source_ids: list[str] | None = None,
        *,
        max_pages: int | None = None,
        on_event: Callable[[CrawlEvent], None] | None = None,
        on_crawled: Callable[[CrawlReport], None] | None = None,
    ) -> tuple[CrawlReport, list[str]]:
        """Crawl sources (default: all), then (after `on_crawled`) extract, link and index every document the
        crawl reached.

        Reached, not only new or changed: a page the server answered 304 for is indexed again too,
        which costs one source's pages, not the store's, and mends an index that missed it.
        """
        reached: set[str] = set()

        def collect(event: CrawlEvent) -> None:
            if event.doc_id is not None:
                reached.add(event.doc_id)
            if on_event is not None:
                on_event(event)

        report = self.crawl(source_ids, max_pages=max_pages, on_event=collect)
        if on_crawled is not None:
            on_crawled(report)
        return report, self.update(reached)

    def _follow(self, versions: list[tuple[str, int]]) -> None:
        """Note what the index received and ask the saved searches about it; a failure leaves the versions
        waiting in the store for the next write, and never fails the write that indexed them."""
        self.store.record_indexed(versions, datetime.now(UTC))
        try:
            follow(self.store)
        except Exception:
            log.exception("saved searches could not be asked about newly indexed documents; they will be next time")

    def _fetch(self, url: str) -> Page:
        try:
            return fetch_page(self.settings, self.registry, url)
        except UrlNotAllowed as exc:
            raise UrlRejected(f"{exc}; it was not fetched") from exc
        except (FetchError, MainTextError) as exc:
            raise FetchFailed(f"cannot ingest {url}: {exc}") from exc
