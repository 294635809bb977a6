"""The read side the HTTP API answers from: searches and counts by the backend, documents and projects by the store."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from api.dossier import build_dossier
from api.schemas import (
    EXPORT_PAGE_SIZE,
    DocumentDetail,
    ProjectDossier,
    ProjectSummary,
    Readiness,
    Scoreboard,
    ScoreboardBy,
    ScoreboardParams,
    ScoreboardRow,
    Suggestion,
    SuggestKind,
    Timeseries,
    TopValues,
)
from kume.labels import (
    Label,
    activity_codes,
    activity_label,
    country_label,
    country_names,
    program_label,
    province_label,
    sector_label,
)
from kume.store import ScoreboardCounts, Store, StoreError
from kume.text import SUPPORTED_LANGUAGES
from search_api.analysis import fold_key
from search_api.contract import (
    BackendUnavailable,
    IndexedValue,
    Interval,
    SearchBackend,
    SearchHit,
    SearchQuery,
    SearchResult,
    UnknownFilterValue,
)
from search_api.vocabulary import Vocabulary

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


# A scoreboard filter's values resolve as the search facet's do (search_api.vocabulary); a province is a city.
_FILTER_FACETS = {
    "program": "program",
    "country": "country",
    "sector": "sector",
    "province": "city",
    "activity": "activity",
}
_VALUE_LABELS: dict[str, Callable[[str], Label | None]] = {
    "program": program_label,
    "country": country_label,
    "sector": sector_label,
    "province": province_label,
    "activity": activity_label,
}


def _sort_key(params: ScoreboardParams) -> Callable[[ScoreboardRow], tuple[object, ...]]:
    """The order of a scoreboard's rows: by the sort column (rows without a date last either way), ties by label."""
    column, descending = params.sort, params.order == "desc"

    def key(row: ScoreboardRow) -> tuple[object, ...]:
        tie = fold_key(row.label.tr)
        if column == "label":
            return (tie, row.key)
        if column in ("first", "last"):
            value = getattr(row, column) or ""
            return (value == "", _inverted(value) if descending else value, tie, row.key)
        number = row.by_activity.get(column, 0) if column in activity_codes() else getattr(row, column)
        return (-number if descending else number, tie, row.key)

    return key


def _inverted(text: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in text)


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

    def scoreboard(self, params: ScoreboardParams) -> Scoreboard:
        """Rows of `params.by` compared by their deduplicated events, from the store's events table (the same
        whichever search backend serves the documents)."""
        counts = self.store.scoreboard_rows(
            params.by.value,
            year=params.year,
            date_from=params.date_from.isoformat() if params.date_from else None,
            date_to=params.date_to.isoformat() if params.date_to else None,
            filters=self._scoreboard_filters(params),
        )
        rows = [self._scoreboard_row(params.by, row, labelled=params.sort == "label") for row in counts]
        rows.sort(key=_sort_key(params))
        if params.sort == "label" and params.order == "desc":
            rows.reverse()
        shown = [row if params.sort == "label" else self._labelled(params.by, row) for row in rows[: params.size]]
        done = {code for row in counts for code in row.by_activity}
        activities = [code for code in activity_codes() if code in done] + sorted(done - set(activity_codes()))
        return Scoreboard(
            by=params.by,
            total=len(rows),
            activities=activities,
            activity_labels={code: label for code in activities if (label := activity_label(code))},
            rows=shown,
        )

    def _scoreboard_filters(self, params: ScoreboardParams) -> dict[str, str]:
        """The filters as the events hold them: "Almanya" or "germany" is DE, "ur-ge" is UR-GE; a value that
        names nothing raises UnknownFilterValue listing values events hold."""
        filters: dict[str, str] = {}
        for name, facet in _FILTER_FACETS.items():
            given = getattr(params, name)
            if given is None:
                continue
            if self.store.events_have(name, given):
                filters[name] = given
                continue
            held = self.store.event_values(name)
            label = _VALUE_LABELS[name]
            vocabulary = Vocabulary(
                IndexedValue(
                    facet=facet,
                    value=value,
                    count=count,
                    names=[name for found in [label(value)] if found for name in (found.tr, found.en)],
                )
                for value, count in held.items()
            )
            try:
                filters[name] = vocabulary.resolve(facet, given)[0]
            except UnknownFilterValue as exc:
                raise UnknownFilterValue(name, given, exc.known, len(held)) from exc
        return filters

    def _scoreboard_row(self, by: ScoreboardBy, counts: ScoreboardCounts, *, labelled: bool) -> ScoreboardRow:
        countries = sorted(counts.countries, key=lambda code: (-counts.countries[code], code))
        row = ScoreboardRow(
            key=counts.key,
            label=Label(tr=counts.key, en=counts.key),
            project_id=counts.key if by is ScoreboardBy.PROJECT else None,
            events=counts.events,
            planned=counts.planned,
            by_activity=counts.by_activity,
            countries=len(countries),
            country_codes=countries,
            firms=counts.firms,
            first=counts.first,
            last=counts.last,
            documents=counts.documents,
            projects=counts.projects,
        )
        return self._labelled(by, row) if labelled else row

    def _labelled(self, by: ScoreboardBy, row: ScoreboardRow) -> ScoreboardRow:
        """The row with its key's label: a project's name (and code), a programme's, province's or division's name."""
        label: Label | None = None
        if by is ScoreboardBy.PROJECT:
            record = self.store.project(row.key)
            if record is not None:
                name = f"{record.name} ({record.code})" if record.code else record.name
                label = Label(tr=name, en=name)
        elif by is not ScoreboardBy.COORDINATOR:
            label = _VALUE_LABELS[by.value](row.key)
        return row.model_copy(update={"label": label}) if label else row

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
