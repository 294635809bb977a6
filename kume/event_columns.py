"""The store's events tables as numpy columns, so a scoreboard over 300k events aggregates in milliseconds.

A GROUP BY over `events` joined with `event_countries` and `event_sources` costs one index lookup per event
and table (measured at 300k events: over two seconds for a scoreboard of all years); the same counts over
integer-coded columns are a few bincounts and one sort. The store loads the columns from its tables once
and then takes in only the events its triggers logged as changed (Store.scoreboard_rows).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
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


class _Vocabulary:
    """Distinct strings as integer codes (-1 for NULL), in first-seen order.

    A code, once given, never changes: columns coded with a vocabulary grow by appending, and columns built
    earlier stay valid. Where order matters (the least or latest date) it comes from ranks, sorted over the
    distinct values (a few thousand strings) rather than over the rows.
    """

    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str | None, int] = {None: -1}
        self._ranks: tuple[np.ndarray, list[str]] = (np.zeros(0, dtype=np.int64), [])

    def codes(self, values: Sequence[str | None]) -> np.ndarray:
        """The codes of `values`, giving new ones to values not seen before."""
        index = self._index
        for value in dict.fromkeys(values):  # distinct values only: the loop is short even over 300k rows
            if value not in index:
                index[value] = len(self.values)
                self.values.append(value)  # type: ignore[arg-type]
        return np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))

    def code(self, value: str) -> int:
        return self._index.get(value, -2)  # -2 matches no event, not even a NULL one

    def ranks(self) -> tuple[np.ndarray, list[str]]:
        """Each code's rank in the values' sort order, and the values in that order."""
        if len(self._ranks[1]) != len(self.values):
            ordered = sorted(range(len(self.values)), key=self.values.__getitem__)
            rank = np.empty(len(ordered), dtype=np.int64)
            rank[ordered] = np.arange(len(ordered))
            self._ranks = (rank, [self.values[code] for code in ordered])
        return self._ranks


def _day_number(day: str | None, *, end: bool) -> int:
    """An ISO day or YYYY-MM as YYYYMMDD; a month spans its days (the 1st to the 31st)."""
    if not day:
        return -1
    digits = day[:10].replace("-", "")
    return int(digits + ("31" if end else "01")) if len(digits) == 6 else int(digits)


def _numbers(values: Sequence[int | None], missing: int) -> np.ndarray:
    """Integers with NULL as `missing` (numpy turns None into NaN in a float array)."""
    return np.nan_to_num(np.array(values, dtype=float), nan=missing).astype(np.int64)


def _transposed(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows as columns (zip(*rows) is ten times slower over 300k rows: it builds its tuples growing)."""
    return [list(map(itemgetter(n), rows)) for n in range(width)]


def _grown(column: np.ndarray, added: np.ndarray) -> np.ndarray:
    """A new array: `column` then `added` (never grown in place, so columns being counted stay as they were)."""
    return np.concatenate([column, added.astype(column.dtype, copy=False)])


class EventColumns:
    """Every event with the columns a scoreboard needs, and its (event, country) and (event, document) pairs.

    Built with C-level conversions (map, numpy) only. An event changed since is taken in by `updated`:
    its old position is masked dead and its rows as they are now are appended, so taking in a few changed
    events costs milliseconds where loading all 300k again costs seconds; `compacted` drops the dead ones.
    """

    # The arrays with one entry per position (live or dead).
    _PER_EVENT = ("alive", "done", "year", "firms", "start_code", "end_code", "start_day", "end_day")

    def __init__(
        self,
        events: list[tuple[Any, ...]],
        countries: list[tuple[str, str]],
        sources: list[tuple[str, str]],
    ) -> None:
        """`events`: (id, status, year, firms, start, finish, *CODED_COLUMNS) rows; `countries` and `sources`:
        (event id, country) and (event id, document id) rows."""
        self.size = 0
        self.dead = 0
        self._position: dict[str, int] = {}  # each live event's position
        self.alive = np.zeros(0, dtype=bool)
        self.done = np.zeros(0, dtype=bool)
        self.year = self.firms = np.zeros(0, dtype=np.int64)
        # Dates as codes of the date strings held (their ranks give the least and the latest, mapped back to
        # the string as stored: "2023-07" stays a month), and as day numbers, for date ranges.
        self.dates = _Vocabulary()
        self._first_days: list[int] = []
        self._last_days: list[int] = []
        self.start_code = self.end_code = self.start_day = self.end_day = self.year
        self.vocabularies = {name: _Vocabulary() for name in CODED_COLUMNS}
        self.codes = {name: self.year for name in CODED_COLUMNS}
        self.countries, self.documents = _Vocabulary(), _Vocabulary()
        self.country_event = self.country = self.source_event = self.source_doc = self.year
        self._append(events, countries, sources)

    def updated(
        self,
        changed: Sequence[str],
        events: list[tuple[Any, ...]],
        countries: list[tuple[str, str]],
        sources: list[tuple[str, str]],
    ) -> EventColumns:
        """These columns with the events `changed` (ids) as they are now: `events`, `countries` and `sources`
        are the rows of those of them still stored, as in the constructor.

        The columns returned are new arrays, so counting over these columns (in another thread) goes on
        undisturbed; only the columns returned can be updated again.
        """
        columns = copy.copy(self)
        gone = [position for event_id in changed if (position := self._position.pop(event_id, None)) is not None]
        columns.alive = self.alive.copy()
        columns.alive[gone] = False
        columns.dead += len(gone)
        columns._append(events, countries, sources)
        return columns

    def compacted(self) -> EventColumns:
        """These columns without their dead positions: the same counts over shorter arrays (only the columns
        returned can be updated again)."""
        columns = copy.copy(self)
        live = np.flatnonzero(self.alive)
        moved = np.full(self.size, -1, dtype=np.int64)
        moved[live] = np.arange(len(live))
        columns.size, columns.dead = len(live), 0
        for name in self._PER_EVENT:
            setattr(columns, name, getattr(self, name)[live])
        columns.codes = {name: codes[live] for name, codes in self.codes.items()}
        for events, values in (("country_event", "country"), ("source_event", "source_doc")):
            kept = self.alive[getattr(self, events)]
            setattr(columns, events, moved[getattr(self, events)[kept]])
            setattr(columns, values, getattr(self, values)[kept])
        positions = np.fromiter(self._position.values(), dtype=np.int64, count=len(self._position))
        columns._position = dict(zip(self._position, moved[positions].tolist(), strict=True))
        return columns

    def _append(
        self, events: list[tuple[Any, ...]], countries: list[tuple[str, str]], sources: list[tuple[str, str]]
    ) -> None:
        added = _transposed(events, 6 + len(CODED_COLUMNS))
        ids, status, year, firms, start, finish = added[:6]
        offset = self.size
        self.size += len(ids)
        self._position.update(zip(ids, range(offset, self.size), strict=True))
        self.alive = _grown(self.alive, np.ones(len(ids), dtype=bool))
        self.done = _grown(self.done, np.fromiter(map("done".__eq__, status), dtype=bool, count=len(status)))
        self.year = _grown(self.year, _numbers(year, -1))
        self.firms = _grown(self.firms, _numbers(firms, 0))
        start_code = self.dates.codes(start)
        end_code = self.dates.codes([last or first for first, last in zip(start, finish, strict=True)])
        for day in self.dates.values[len(self._first_days) :]:
            self._first_days.append(_day_number(day, end=False))
            self._last_days.append(_day_number(day, end=True))
        # Code -1 (no date) picks the last entry: day -1.
        self.start_day = _grown(self.start_day, np.array([*self._first_days, -1], dtype=np.int64)[start_code])
        self.end_day = _grown(self.end_day, np.array([*self._last_days, -1], dtype=np.int64)[end_code])
        self.start_code = _grown(self.start_code, start_code)
        self.end_code = _grown(self.end_code, end_code)
        self.codes = {
            name: _grown(self.codes[name], self.vocabularies[name].codes(added[6 + n]))
            for n, name in enumerate(CODED_COLUMNS)
        }
        event, country = self._pairs_of(countries, self.countries)
        self.country_event, self.country = _grown(self.country_event, event), _grown(self.country, country)
        event, document = self._pairs_of(sources, self.documents)
        self.source_event, self.source_doc = _grown(self.source_event, event), _grown(self.source_doc, document)

    def _pairs_of(self, rows: list[tuple[str, str]], vocabulary: _Vocabulary) -> tuple[np.ndarray, np.ndarray]:
        """(event id, value) rows as live event positions and value codes, rows of unknown events left out."""
        events, values = _transposed(rows, 2)
        found = np.fromiter(map(self._position.get, events, repeat(-1)), dtype=np.int64, count=len(events))
        kept = found >= 0
        if not kept.all():
            values = [value for value, keep in zip(values, kept.tolist(), strict=True) if keep]
        return found[kept], vocabulary.codes(values)

    def selected(
        self, *, year: int | None, date_from: str | None, date_to: str | None, filters: dict[str, str]
    ) -> np.ndarray:
        """Which live events a scoreboard counts (a boolean mask)."""
        mask = self.alive.copy()
        if year is not None:
            mask &= self.year == year
        if date_from is not None:
            mask &= self.end_day >= _day_number(date_from, end=False)
        if date_to is not None:
            mask &= (self.start_day >= 0) & (self.start_day <= _day_number(date_to, end=True))
        for name, value in filters.items():
            if name == "country":
                reaching = np.zeros(self.size, dtype=bool)
                reaching[self.country_event[self.country == self.countries.code(value)]] = True
                mask &= reaching
            else:
                mask &= self.codes[name] == self.vocabularies[name].code(value)
        return mask

    def rows(self, by: str, mask: np.ndarray) -> list[ScoreboardCounts]:
        """Per value of column `by` among the selected events, in the values' order: the counts of
        Store.scoreboard_rows."""
        keys = self.vocabularies[by]
        key = self.codes[by]
        mask = mask & (key >= 0)
        key_rank, _ = keys.ranks()
        present = np.unique(key[mask])
        present = present[np.argsort(key_rank[present])]
        if not len(present):
            return []
        n_keys = len(key_rank)
        activities = self.vocabularies["activity"]
        activity = self.codes["activity"]
        n_activities = max(len(activities.values), 1)
        done = mask & self.done
        key_activity = key[done] * n_activities + activity[done]
        by_activity = np.bincount(key_activity, minlength=n_keys * n_activities).reshape(n_keys, n_activities)
        planned = np.bincount(key[mask & ~self.done], minlength=n_keys)
        firms = np.bincount(key[done], weights=self.firms[done], minlength=n_keys)
        date_rank, dates = self.dates.ranks()
        first = np.full(n_keys, np.iinfo(np.int64).max)
        dated = done & (self.start_code >= 0)
        np.minimum.at(first, key[dated], date_rank[self.start_code[dated]])
        last = np.full(n_keys, -1)
        ended = done & (self.end_code >= 0)
        np.maximum.at(last, key[ended], date_rank[self.end_code[ended]])
        n_countries = len(self.countries.values)
        countries = self._pairs(key, done, self.country_event, self.country, n_countries)
        documents = self._pairs(key, mask, self.source_event, self.source_doc, len(self.documents.values))
        project = self.codes["project_id"]
        with_project = mask & (project >= 0)
        everything = np.arange(self.size)
        projects = self._pairs(key, with_project, everything, project, len(self.vocabularies["project_id"].values))
        per_document = np.bincount(documents[0], minlength=n_keys)
        per_project = np.bincount(projects[0], minlength=n_keys)
        reached: dict[int, dict[str, int]] = {}
        for k, country, n in zip(*countries, strict=True):
            reached.setdefault(int(k), {})[self.countries.values[country]] = int(n)
        no_date = np.iinfo(np.int64).max
        return [
            ScoreboardCounts(
                key=keys.values[k],
                events=int(by_activity[k].sum()),
                planned=int(planned[k]),
                by_activity={activities.values[a]: int(by_activity[k, a]) for a in np.flatnonzero(by_activity[k])},
                countries=reached.get(int(k), {}),
                firms=int(firms[k]),
                first=dates[first[k]] if first[k] != no_date else None,
                last=dates[last[k]] if last[k] >= 0 else None,
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
