"""Which event an event mention tells, across documents: the rules, without the store.

The same trip told by the chamber, the exporters' association and a newspaper is one event: one telling
joins an event when it is of the same project (or, where neither has one, the same organisation), of the
same activity, at overlapping dates (a month overlaps each of its days) and in the same countries (one
side may name fewer, or none). A telling without a date joins only an event of its project and activity
dated in the month of its publication or one next to it (or, undated too, told in such a month), else it
stays alone; two tellings of one document are never one event (the extraction already told them apart).
An event is done once any telling reports it done; its dates are the most precise a done telling gives,
its firms the largest count stated.

The write side (pipeline.events) keeps the events in the store and asks these rules about the events
of a telling's project and activity.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kume.schema import EventFact, EventPlace, EventRecord, EventSource, EventStatus

# A publication date stands for the time of an undated telling within this many months on either side.
_UNDATED_REACH_MONTHS = 1


@dataclass(frozen=True)
class Telling:
    """One document's mention of an event, with the project the linker gave it."""

    document_id: str
    ordinal: int
    fact: EventFact
    project_id: str | None
    organization: str | None
    published: date | None

    @property
    def source(self) -> EventSource:
        return EventSource(
            document_id=self.document_id, ordinal=self.ordinal, status=self.fact.status, published=self.published
        )


def _days(start: str, end: str | None) -> tuple[date, date]:
    """The first and last day of an ISO day or YYYY-MM range."""

    def first(value: str) -> date:
        return date.fromisoformat(value) if len(value) == 10 else date.fromisoformat(value + "-01")

    def last(value: str) -> date:
        if len(value) == 10:
            return date.fromisoformat(value)
        year, month = int(value[:4]), int(value[5:7])
        return date(year, month, calendar.monthrange(year, month)[1])

    return first(start), last(end or start)


def _around(published: date) -> tuple[date, date]:
    """The months an undated telling published on `published` may speak of."""

    def shifted(months: int) -> tuple[int, int]:
        index = published.year * 12 + published.month - 1 + months
        return index // 12, index % 12 + 1

    first_year, first_month = shifted(-_UNDATED_REACH_MONTHS)
    last_year, last_month = shifted(_UNDATED_REACH_MONTHS)
    return date(first_year, first_month, 1), date(last_year, last_month, calendar.monthrange(last_year, last_month)[1])


def _overlap(left: tuple[date, date], right: tuple[date, date]) -> bool:
    return left[0] <= right[1] and right[0] <= left[1]


def _near_publication(dates: tuple[date, date], published: date | None) -> bool:
    return published is not None and _overlap(dates, _around(published))


def same_event(event: EventRecord, telling: Telling) -> bool:
    """Whether `telling` is one more telling of `event`."""
    fact = telling.fact
    if fact.activity != event.activity or any(s.document_id == telling.document_id for s in event.sources):
        return False
    if event.project_id != telling.project_id:
        return False
    if event.project_id is None and (event.organization is None or event.organization != telling.organization):
        return False
    countries, told = set(event.countries), set(fact.countries)
    if countries and told and not (countries <= told or told <= countries):
        return False
    if event.start and fact.start:
        return _overlap(_days(event.start, event.end), _days(fact.start, fact.end))
    if fact.start:  # the event is undated: the telling's dates near one of its tellings' publication
        return any(_near_publication(_days(fact.start, fact.end), s.published) for s in event.sources)
    if event.start:
        return _near_publication(_days(event.start, event.end), telling.published)
    return telling.published is not None and any(
        s.published is not None and _overlap(_around(s.published), (telling.published, telling.published))
        for s in event.sources
    )


def event_id(telling: Telling, attempt: int = 0) -> str:
    """A new event's id, from its first telling; it stays when later tellings join or leave. An event
    started by an earlier version of the same document may hold the first id: `attempt` gives others."""
    key = f"{telling.document_id}:{telling.ordinal}" + (f":{attempt}" if attempt else "")
    return "e-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def summarise(event_id: str, tellings: Sequence[Telling]) -> EventRecord:
    """An event from its tellings (in the order they joined)."""
    done = [t for t in tellings if t.fact.status is EventStatus.DONE]
    dated = sorted(
        (t for t in (done or tellings) if t.fact.start),
        key=lambda t: (-len(t.fact.start or ""), t.published or date.max, t.document_id),
    )
    countries = list(dict.fromkeys(c for t in tellings for c in t.fact.countries))
    cities: list[EventPlace] = list(dict.fromkeys(c for t in tellings for c in t.fact.cities))
    firms = [t.fact.firms for t in tellings if t.fact.firms is not None]
    first = tellings[0]
    return EventRecord(
        id=event_id,
        activity=first.fact.activity,
        project_id=first.project_id,
        organization=next((t.organization for t in tellings if t.organization), None),
        status=EventStatus.DONE if done else EventStatus.PLANNED,
        start=dated[0].fact.start if dated else None,
        end=(dated[0].fact.end or dated[0].fact.start) if dated else None,
        countries=countries,
        cities=cities,
        firms=max(firms) if firms else None,
        sources=[t.source for t in tellings],
    )
