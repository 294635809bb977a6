"""The read side the HTTP API answers from: searches and document counts by the backend; documents, projects, dossiers,
the scoreboard and event counts by the store."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date

from api.dossier import build_dossier
from api.schemas import (
    EXPORT_PAGE_SIZE,
    CountMode,
    DocumentDetail,
    ProjectDossier,
    ProjectSummary,
    Readiness,
    Scoreboard,
    ScoreboardParams,
    Suggestion,
    SuggestKind,
    Timeseries,
    TopValues,
)
from api.scoreboard import build_scoreboard
from kume.labels import (
    Label,
    country_names,
    facet_label,
)
from kume.store import Store, StoreError
from kume.text import SUPPORTED_LANGUAGES
from search_api.analysis import fold_key
from search_api.contract import (
    BackendUnavailable,
    FacetCount,
    HistogramBucket,
    Interval,
    InvalidQuery,
    SearchBackend,
    SearchHit,
    SearchQuery,
    SearchResult,
)

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


def _in(language: str, label: Label | None) -> str | None:
    return (label.en if language == "en" else label.tr) if label else None


def _check_events_query(query: SearchQuery, facet: str | None) -> None:
    """Refuse what events cannot be counted by: words (they match documents), publication dates, and facets
    events do not have."""
    if query.q.strip():
        raise InvalidQuery("q: a text query matches documents; count=events takes facet filters and event dates only")
    if query.published_from or query.published_to:
        raise InvalidQuery(
            "date_from/date_to: publication dates bound documents; with count=events use event_from/event_to"
        )
    for name in [*(f for f, values in query.filters.items() if values), *([facet] if facet else [])]:
        if name not in Store.EVENT_FACETS:
            raise InvalidQuery(f"{name}: events have no {name}; with count=events use {', '.join(Store.EVENT_FACETS)}")


def period_of(day: date, interval: Interval) -> str:
    if interval is Interval.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    if interval is Interval.QUARTER:
        return f"{day.year:04d}-Q{(day.month + 2) // 3}"
    return f"{day.year:04d}"


def _period_number(period: str, interval: Interval) -> int:
    """A period as a count of periods since year 0, so consecutive periods are consecutive numbers."""
    year = int(period[:4])
    if interval is Interval.MONTH:
        return year * 12 + int(period[5:7]) - 1
    if interval is Interval.QUARTER:
        return year * 4 + int(period[6]) - 1
    return year


def _period_name(number: int, interval: Interval) -> str:
    if interval is Interval.MONTH:
        return f"{number // 12:04d}-{number % 12 + 1:02d}"
    if interval is Interval.QUARTER:
        return f"{number // 4:04d}-Q{number % 4 + 1}"
    return f"{number:04d}"


def with_empty_periods(
    buckets: list[HistogramBucket], interval: Interval, first: date | None = None, last: date | None = None
) -> list[HistogramBucket]:
    """`buckets` (in period order) with a 0 for every period between the first and the last that has none;
    the range runs from `first` and to `last` where given (a query's date range), else over the buckets'."""
    numbers = [_period_number(bucket.period, interval) for bucket in buckets]
    low = _period_number(period_of(first, interval), interval) if first else min(numbers, default=None)
    high = _period_number(period_of(last, interval), interval) if last else max(numbers, default=None)
    if low is None or high is None:
        return buckets
    by_period: dict[int, list[HistogramBucket]] = {}
    for number, bucket in zip(numbers, buckets, strict=True):
        by_period.setdefault(number, []).append(bucket)
    return [
        bucket
        for number in range(low, high + 1)
        for bucket in by_period.get(number, [HistogramBucket(period=_period_name(number, interval), count=0)])
    ]


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
        result = self.backend.search(self.resolved(query))
        if not result.facets:
            return result
        return result.model_copy(
            update={"facets": {facet: self._labelled_counts(facet, counts) for facet, counts in result.facets.items()}}
        )

    def _value_labels(self, facet: str, values: Iterable[str]) -> dict[str, Label]:
        """Labels of a facet's values: from kume.labels' tables, and projects by their names."""
        if facet == "project":
            found = {value: record for value in values if (record := self.store.project(value))}
            return {value: Label(tr=record.name, en=record.name) for value, record in found.items()}
        return {value: label for value in values if (label := facet_label(facet, value))}

    def _labelled_counts(self, facet: str, counts: list[FacetCount]) -> list[FacetCount]:
        labels = self._value_labels(facet, [counted.value for counted in counts])
        return [counted.model_copy(update={"label": labels.get(counted.value)}) for counted in counts]

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

    def scoreboard(self, params: ScoreboardParams) -> Scoreboard:
        return build_scoreboard(self.store, params)

    def timeseries(
        self,
        query: SearchQuery,
        interval: Interval,
        split_by: str | None = None,
        field: str = "published",
        count: CountMode = CountMode.DOCUMENTS,
    ) -> Timeseries:
        """Documents (or events) per period from the first to the last, empty periods as 0; with `split_by`, per
        value of that facet too (an empty period is one bucket without a split value)."""
        query = self.resolved(query)
        if count is CountMode.EVENTS:
            _check_events_query(query, split_by)
            counted = self.store.event_histogram(
                interval.value,
                split_by=split_by,
                filters=query.filters,
                day_from=query.event_from.isoformat() if query.event_from else None,
                day_to=query.event_to.isoformat() if query.event_to else None,
            )
            buckets = [HistogramBucket(period=period, split=split, count=n) for period, split, n in counted]
            buckets.sort(key=lambda bucket: (bucket.period, -bucket.count, bucket.split or ""))
            bounds = (query.event_from, query.event_to)
        else:
            buckets = self.backend.histogram(query, interval, split_by=split_by, field=field)
            bounds = (
                (query.published_from, query.published_to)
                if field == "published"
                else (query.event_from, query.event_to)
            )
        buckets = with_empty_periods(buckets, interval, *bounds)
        if split_by:
            labels = self._value_labels(split_by, {bucket.split for bucket in buckets if bucket.split})
            buckets = [bucket.model_copy(update={"label": labels.get(bucket.split or "")}) for bucket in buckets]
        return Timeseries(interval=interval, field=field, split_by=split_by, count=count, buckets=buckets)

    def top(self, query: SearchQuery, facet: str, size: int = 10, count: CountMode = CountMode.DOCUMENTS) -> TopValues:
        query = self.resolved(query)
        if count is CountMode.EVENTS:
            _check_events_query(query, facet)
            total, values = self.store.event_top(
                facet,
                size,
                filters=query.filters,
                day_from=query.event_from.isoformat() if query.event_from else None,
                day_to=query.event_to.isoformat() if query.event_to else None,
            )
            counts = [FacetCount(value=value, count=n) for value, n in values]
        else:
            counted = query.model_copy(update={"size": 0, "facets": [facet], "facet_size": size, "cursor": None})
            result = self.backend.search(counted)
            total, counts = result.total, result.facets.get(facet, [])[:size]
        return TopValues(facet=facet, count=count, total=total, values=self._labelled_counts(facet, counts))

    def suggest(self, kind: SuggestKind, prefix: str, size: int = 10, language: str = "tr") -> list[Suggestion]:
        """Completions of `prefix`; country labels in `language` (tr or en)."""
        if kind is SuggestKind.PROJECT:
            return self._suggest_projects(prefix, size)
        if kind is SuggestKind.COUNTRY:
            return self._suggest_countries(prefix, size, language)
        return [
            Suggestion(
                kind=kind,
                value=c.value,
                label=_in(language, facet_label(kind.value, c.value)) or c.value,
                count=c.count,
            )
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
