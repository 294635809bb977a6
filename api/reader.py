"""The read side the HTTP API answers from: searches and counts by the backend, documents and projects by the store."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from api.dossier import build_dossier
from api.schemas import (
    EXPORT_PAGE_SIZE,
    DocumentDetail,
    ProjectDossier,
    ProjectSummary,
    Readiness,
    Suggestion,
    SuggestKind,
    Timeseries,
    TopValues,
)
from kume.labels import country_names
from kume.store import Store, StoreError
from kume.text import SUPPORTED_LANGUAGES
from search_api.analysis import fold_key
from search_api.contract import BackendUnavailable, Interval, SearchBackend, SearchHit, SearchQuery, SearchResult

# What a client is told when a part is down; the reason, which names files and addresses, goes to the log.
BACKEND_DOWN = "search backend unavailable; the server log says why"
STORE_DOWN = "document store unavailable; the server log says why"

log = logging.getLogger(__name__)


class DocumentNotFound(LookupError):
    pass


class ProjectNotFound(LookupError):
    pass


def _starts_with(prefix: str, forms: list[str]) -> bool:
    """Whether a form, or any word of one, starts with `prefix` (case- and accent-insensitive)."""
    wanted = fold_key(prefix)
    keys = [fold_key(form) for form in forms if form]
    return not wanted or any(key.startswith(wanted) or f" {wanted}" in f" {key.replace('-', ' ')}" for key in keys)


class Reader:
    """Everything the API reads, over one store and one search backend."""

    def __init__(self, store: Store, backend: SearchBackend) -> None:
        self.store = store
        self.backend = backend

    def resolved(self, query: SearchQuery) -> SearchQuery:
        """`query` with its filter values as the index holds them: people type "kz", "Kazakhstan" or "ur-ge".

        A value that names nothing raises UnknownFilterValue, listing values that exist.
        """
        return self.backend.vocabulary().resolve_filters(query) if query.filters else query

    def search(self, query: SearchQuery) -> SearchResult:
        return self.backend.search(self.resolved(query))

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
        return build_dossier(self.store, record)

    def timeseries(
        self, query: SearchQuery, interval: Interval, split_by: str | None = None, field: str = "published"
    ) -> Timeseries:
        buckets = self.backend.histogram(self.resolved(query), interval, split_by=split_by, field=field)
        return Timeseries(interval=interval, field=field, split_by=split_by, buckets=buckets)

    def top(self, query: SearchQuery, facet: str, size: int = 10) -> TopValues:
        counted = self.resolved(query).model_copy(
            update={"size": 0, "facets": [facet], "facet_size": size, "cursor": None}
        )
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
        names = {lang: country_names(lang) for lang in SUPPORTED_LANGUAGES}
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
        page = {"size": min(EXPORT_PAGE_SIZE, limit), "facets": [], "cursor": None}
        page_query = self.resolved(query).model_copy(update=page)
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
        store_state = backend_state = "ok"
        try:
            self.store.check()
        except StoreError as exc:
            log.error("not ready: %s", exc)
            store_state = STORE_DOWN
        try:
            self.backend.ping()
        except BackendUnavailable as exc:
            log.error("not ready: %s", exc)
            backend_state = BACKEND_DOWN
        return Readiness(ready=store_state == backend_state == "ok", store=store_state, backend=backend_state)
