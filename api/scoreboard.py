"""The national scoreboard: projects, programmes, coordinators, provinces or sectors compared by their events.

Counted from the store's events tables (Store.scoreboard_rows), so every search backend gives the same board;
here the filters people type become the values events hold, rows get their labels, and are sorted and cut.
"""

from __future__ import annotations

from collections.abc import Callable

from api.schemas import Scoreboard, ScoreboardBy, ScoreboardParams, ScoreboardRow
from kume.event_columns import ScoreboardCounts
from kume.labels import (
    Label,
    activity_codes,
    activity_label,
    country_label,
    program_label,
    project_label,
    province_label,
    sector_label,
)
from kume.store import Store
from search_api.analysis import fold_key
from search_api.contract import IndexedValue, UnknownFilterValue
from search_api.vocabulary import Vocabulary

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


def build_scoreboard(store: Store, params: ScoreboardParams) -> Scoreboard:
    """Rows of `params.by` compared by their deduplicated events, from the store's events table (the same
    whichever search backend serves the documents)."""
    counts = store.scoreboard_rows(
        params.by.value,
        year=params.year,
        date_from=params.date_from.isoformat() if params.date_from else None,
        date_to=params.date_to.isoformat() if params.date_to else None,
        filters=_stored_filters(store, params),
    )
    # Every row is labelled before sorting: ties go by label.
    names = store.project_names() if params.by is ScoreboardBy.PROJECT else {}
    rows = [_row(params.by, row, names) for row in counts]
    rows.sort(key=_sort_key(params))
    if params.sort == "label" and params.order == "desc":
        rows.reverse()
    shown = rows[: params.size]
    done = {code for row in counts for code in row.by_activity}
    activities = [code for code in activity_codes() if code in done] + sorted(done - set(activity_codes()))
    return Scoreboard(
        by=params.by,
        total=len(rows),
        activities=activities,
        activity_labels={code: label for code in activities if (label := activity_label(code))},
        rows=shown,
    )


def _stored_filters(store: Store, params: ScoreboardParams) -> dict[str, str]:
    """The filters as the events hold them: "Almanya" or "germany" is DE, "ur-ge" is UR-GE; a value that
    names nothing raises UnknownFilterValue listing values events hold."""
    filters: dict[str, str] = {}
    for name, facet in _FILTER_FACETS.items():
        given = getattr(params, name)
        if given is None:
            continue
        if store.events_have(name, given):
            filters[name] = given
            continue
        held = store.event_values(name)
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


def _row(
    by: ScoreboardBy, counts: ScoreboardCounts, names: dict[str, tuple[str, str | None, dict[str, list[str]]]]
) -> ScoreboardRow:
    """A row with its key's label: a project's name (and code), a programme's, province's or division's name,
    a coordinator's own name (`names`: the projects' names and codes by id)."""
    label: Label | None = None
    if by is ScoreboardBy.PROJECT and counts.key in names:
        label = project_label(*names[counts.key])
    elif by is not ScoreboardBy.PROJECT and by is not ScoreboardBy.COORDINATOR:
        label = _VALUE_LABELS[by.value](counts.key)
    countries = sorted(counts.countries, key=lambda code: (-counts.countries[code], code))
    return ScoreboardRow(
        key=counts.key,
        label=label or Label(tr=counts.key, en=counts.key),
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
