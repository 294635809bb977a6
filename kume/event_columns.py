"""The store's events tables as numpy columns, so a scoreboard over 300k events aggregates in milliseconds.

A GROUP BY over `events` joined with `event_countries` and `event_sources` costs one index lookup per event
and table (measured at 300k events: over two seconds for a scoreboard of all years); the same counts over
integer-coded columns are a few bincounts and one sort. The store loads the columns from its tables and
loads them again whenever a trigger-kept counter says the events tables changed (Store.scoreboard_rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# The events columns a scoreboard groups or filters by, in the order Store loads them.
CODED_COLUMNS = ("activity", "project_id", "program", "coordinator", "province", "sector")


@dataclass
class ScoreboardCounts:
    """One scoreboard row as the store counts it (Store.scoreboard_rows)."""

    key: str
    events: int = 0
    planned: int = 0
    by_activity: dict[str, int] = field(default_factory=dict)
    countries: dict[str, int] = field(default_factory=dict)  # country -> done events reaching it
    firms: int = 0
    first: str | None = None
    last: str | None = None
    documents: int = 0
    projects: int = 0


class _Coded:
    """A string column as integer codes (-1 for NULL) and the values they stand for."""

    def __init__(self, values: Sequence[str | None]) -> None:
        self.values: list[str] = sorted(set(values) - {None})  # type: ignore[arg-type]
        index: dict[str | None, int] = dict(zip(self.values, range(len(self.values)), strict=True))
        index[None] = -1
        self.codes = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
        self._index = index

    def code(self, value: str) -> int:
        return self._index.get(value, -2)  # -2 matches no event, not even a NULL one


def _day_number(day: str | None, *, end: bool) -> int:
    """An ISO day or YYYY-MM as YYYYMMDD; a month spans its days (the 1st to the 31st)."""
    if not day:
        return -1
    digits = day[:10].replace("-", "")
    return int(digits + ("31" if end else "01")) if len(digits) == 6 else int(digits)


def _numbers(values: Sequence[int | None], missing: int) -> np.ndarray:
    """Integers with NULL as `missing` (numpy turns None into NaN in a float array)."""
    return np.nan_to_num(np.array(values, dtype=float), nan=missing).astype(np.int64)


class EventColumns:
    """Every event with the columns a scoreboard needs, and its (event, country) and (event, document) pairs.

    Built with C-level conversions (zip, map, numpy) only: 300k events load in about a second.
    """

    def __init__(
        self,
        events: list[tuple[Any, ...]],
        countries: list[tuple[str, str]],
        sources: list[tuple[str, str]],
    ) -> None:
        """`events`: (id, status, year, firms, start, finish, *CODED_COLUMNS) rows; `countries` and `sources`:
        (event id, country) and (event id, document id) rows."""
        self.size = len(events)
        columns: list[tuple[Any, ...]] = list(zip(*events, strict=True)) or [()] * (6 + len(CODED_COLUMNS))
        ids, status, year, firms, start, finish = columns[:6]
        self.done = np.array(status, dtype=str) == "done"
        self.year = _numbers(year, -1)
        self.firms = _numbers(firms, 0)
        # Dates as ranks among every date string held (ISO order is time order), so a minimum maps back to
        # the string as stored ("2023-07" stays a month); and as day numbers, for date ranges (rank -1, no
        # date, picks the tables' last entry, -1).
        ends = [last or first for first, last in zip(start, finish, strict=True)]
        self.dates = _Coded([*start, *ends])
        self.start_rank = self.dates.codes[: self.size]
        self.end_rank = self.dates.codes[self.size :]
        first_days = np.array([*(_day_number(day, end=False) for day in self.dates.values), -1], dtype=np.int64)
        last_days = np.array([*(_day_number(day, end=True) for day in self.dates.values), -1], dtype=np.int64)
        self.start_day = first_days[self.start_rank]
        self.end_day = last_days[self.end_rank]
        self.columns = {name: _Coded(columns[6 + n]) for n, name in enumerate(CODED_COLUMNS)}
        position = dict(zip(ids, range(self.size), strict=True))
        self.country_event, self.country = self._pairs_of(position, countries)
        self.source_event, self.source_doc = self._pairs_of(position, sources)

    @staticmethod
    def _pairs_of(position: dict[str, int], rows: list[tuple[str, str]]) -> tuple[np.ndarray, _Coded]:
        """(event id, value) rows as event positions and coded values, rows of unknown events left out."""
        events, values = (list(column) for column in zip(*rows, strict=True)) if rows else ([], [])
        found = np.fromiter(map(position.get, events, [-1] * len(events)), dtype=np.int64, count=len(events))
        kept = found >= 0
        return found[kept], _Coded([value for value, keep in zip(values, kept.tolist(), strict=True) if keep])

    def selected(
        self, *, year: int | None, date_from: str | None, date_to: str | None, filters: dict[str, str]
    ) -> np.ndarray:
        """Which events a scoreboard counts (a boolean mask)."""
        mask = np.ones(self.size, dtype=bool)
        if year is not None:
            mask &= self.year == year
        if date_from is not None:
            mask &= self.end_day >= _day_number(date_from, end=False)
        if date_to is not None:
            mask &= (self.start_day >= 0) & (self.start_day <= _day_number(date_to, end=True))
        for name, value in filters.items():
            if name == "country":
                reaching = np.zeros(self.size, dtype=bool)
                reaching[self.country_event[self.country.codes == self.country.code(value)]] = True
                mask &= reaching
            else:
                column = self.columns[name]
                mask &= column.codes == column.code(value)
        return mask

    def rows(self, by: str, mask: np.ndarray) -> list[ScoreboardCounts]:
        """Per value of column `by` among the selected events: the counts of Store.scoreboard_rows."""
        keys = self.columns[by]
        key = keys.codes
        mask = mask & (key >= 0)
        present = np.unique(key[mask])
        if not len(present):
            return []
        n_keys = len(keys.values)
        activities = self.columns["activity"]
        n_activities = max(len(activities.values), 1)
        done = mask & self.done
        by_activity = np.bincount(
            key[done] * n_activities + activities.codes[done], minlength=n_keys * n_activities
        ).reshape(n_keys, n_activities)
        planned = np.bincount(key[mask & ~self.done], minlength=n_keys)
        firms = np.bincount(key[done], weights=self.firms[done], minlength=n_keys)
        first = np.full(n_keys, np.iinfo(np.int64).max)
        dated = done & (self.start_rank >= 0)
        np.minimum.at(first, key[dated], self.start_rank[dated])
        last = np.full(n_keys, -1)
        ended = done & (self.end_rank >= 0)
        np.maximum.at(last, key[ended], self.end_rank[ended])
        countries = self._pairs(key, done, self.country_event, self.country.codes, len(self.country.values))
        documents = self._pairs(key, mask, self.source_event, self.source_doc.codes, len(self.source_doc.values))
        project = self.columns["project_id"]
        with_project = mask & (project.codes >= 0)
        everything = np.arange(self.size)
        projects = self._pairs(key, with_project, everything, project.codes, len(project.values))
        per_document = np.bincount(documents[0], minlength=n_keys)
        per_project = np.bincount(projects[0], minlength=n_keys)
        reached: dict[int, dict[str, int]] = {}
        for k, country, n in zip(*countries, strict=True):
            reached.setdefault(int(k), {})[self.country.values[country]] = int(n)
        no_date = np.iinfo(np.int64).max
        return [
            ScoreboardCounts(
                key=keys.values[k],
                events=int(by_activity[k].sum()),
                planned=int(planned[k]),
                by_activity={activities.values[a]: int(by_activity[k, a]) for a in np.flatnonzero(by_activity[k])},
                countries=reached.get(int(k), {}),
                firms=int(firms[k]),
                first=self.dates.values[first[k]] if first[k] != no_date else None,
                last=self.dates.values[last[k]] if last[k] >= 0 else None,
                documents=int(per_document[k]),
                projects=int(per_project[k]),
            )
            for k in present
        ]

    @staticmethod
    def _pairs(
        key: np.ndarray, mask: np.ndarray, events: np.ndarray, values: np.ndarray, n_values: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct (key, value) pairs among the pairs (events[i], values[i]) of selected events, with how many
        events each has: (keys, values, counts)."""
        chosen = mask[events]
        width = max(n_values, 1)
        combined = key[events[chosen]] * width + values[chosen]
        unique, counts = np.unique(combined, return_counts=True)
        return unique // width, unique % width, counts
