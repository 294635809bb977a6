"""A project's dossier: what its documents say it did, where and when, with the sources."""

from __future__ import annotations

from datetime import date

from api.schemas import ProjectDossier, SourceLink, TimelineEntry
from kume.schema import Extraction, ProjectRecord
from kume.store import Store
from kume.text import SentenceIndex
from search_api.contract import FacetCount


def build_dossier(store: Store, record: ProjectRecord) -> ProjectDossier:
    """A project's dossier from its documents: their countries, sectors and activities, and a dated timeline."""
    timeline: list[TimelineEntry] = []
    links: list[SourceLink] = []
    countries: set[str] = set()
    sectors: set[str] = {record.sector} if record.sector else set()
    activity_counts: dict[str, int] = {}
    for doc_id in record.document_ids:
        doc = store.get(doc_id)
        if doc is None:
            continue
        link = SourceLink(document_id=doc.id, url=doc.url, title=doc.title, source=doc.source, published=doc.published)
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


def activities_by_date(text: str, extraction: Extraction) -> list[list[str]]:
    """For each event date of a document, the activities it dates, in code order.

    Each activity mention goes to the nearest date mention, preferring one in its own sentence, so a
    report of a needs analysis in March and a trade delegation in July dates each by its own
    sentence; with one date, every activity goes to it. An activity without offsets goes with every date.
    """
    sentence = SentenceIndex(text).number
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
