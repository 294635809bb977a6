"""A project's dossier from its events: what it did and plans, where, with how many firms, and who tells it.

Only the project's own events count (each event carries its project, so a sentence of a multi-project report
about another project gives this one nothing); countries reached and firms come from done events only.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from api.schemas import (
    ActivityCount,
    CodeLabel,
    CountryReached,
    DossierEvent,
    PlaceLabel,
    ProjectDossier,
    SourceLink,
)
from kume.labels import (
    activity_codes,
    activity_label,
    city_label,
    country_label,
    program_label,
    project_label,
    province_label,
    sector_label,
)
from kume.schema import EventRecord, EventStatus, ProjectRecord
from kume.store import Store


class _Sources:
    """Source links of documents, each document read from the store once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.links: dict[str, SourceLink | None] = {}
        self.languages: dict[str, str] = {}

    def link(self, doc_id: str) -> SourceLink | None:
        if doc_id not in self.links:
            doc = self.store.get(doc_id)
            if doc and doc.language:
                self.languages[doc_id] = doc.language
            self.links[doc_id] = (
                SourceLink(document_id=doc.id, url=doc.url, title=doc.title, source=doc.source, published=doc.published)
                if doc
                else None
            )
        return self.links[doc_id]

    def of(self, doc_ids: list[str]) -> list[SourceLink]:
        """The documents' links, oldest first."""
        found = [link for doc_id in dict.fromkeys(doc_ids) if (link := self.link(doc_id))]
        return sorted(found, key=lambda link: (link.published or date.min, link.document_id))


def dossier_event(event: EventRecord, sources: _Sources) -> DossierEvent:
    return DossierEvent(
        id=event.id,
        activity=event.activity,
        activity_label=activity_label(event.activity),
        status=event.status,
        start=event.start,
        end=event.end,
        countries=[CodeLabel(code=code, label=country_label(code)) for code in event.countries],
        cities=[
            PlaceLabel(name=place.name, country=place.country, label=city_label(place.name, place.country))
            for place in event.cities
        ],
        firms=event.firms,
        sources=sources.of([source.document_id for source in event.sources]),
    )


def build_dossier(store: Store, record: ProjectRecord) -> ProjectDossier:
    """A project's dossier: its events oldest first (undated last) with their sources, the countries its done
    events reached, its firms, its activity counts, and why each mention joined it."""
    sources = _Sources(store)
    events = store.project_events(record.id)
    done = [event for event in events if event.status is EventStatus.DONE]
    reached = Counter(country for event in done for country in dict.fromkeys(event.countries))
    statuses = Counter((event.activity, event.status) for event in events)
    order = {code: n for n, code in enumerate(activity_codes())}
    activities = sorted({event.activity for event in events}, key=lambda code: (order.get(code, len(order)), code))
    documents = sources.of(record.document_ids)
    names_by_language: dict[str, list[str]] = {}
    for link in record.links:
        if language := sources.languages.get(link.document_id):
            names_by_language.setdefault(language, []).append(link.name)
    return ProjectDossier(
        id=record.id,
        name=record.name,
        label=project_label(record.name, record.code, names_by_language),
        names=record.names,
        code=record.code,
        program=record.program,
        program_label=program_label(record.program) if record.program else None,
        coordinator=record.coordinator,
        province=record.province,
        province_label=province_label(record.province) if record.province else None,
        sector=record.sector,
        sector_label=sector_label(record.sector) if record.sector else None,
        events=[dossier_event(event, sources) for event in events],
        countries_reached=[
            CountryReached(code=code, label=country_label(code), events=n)
            for code, n in sorted(reached.items(), key=lambda item: (-item[1], item[0]))
        ],
        firms_total=sum(event.firms or 0 for event in done),
        activity_counts=[
            ActivityCount(
                value=code,
                label=activity_label(code),
                done=statuses[code, EventStatus.DONE],
                planned=statuses[code, EventStatus.PLANNED],
            )
            for code in activities
        ],
        links=record.links,
        documents=documents,
    )
