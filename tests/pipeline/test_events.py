"""Projects and events across documents on the shared corpus (tests/outputs/corpus.py), ingested through the
real write side: the numbers a person counts by hand, exactly."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from kume.schema import EventRecord, ProjectRecord
from kume.store import Store
from nlp.pipeline import Extractor
from pipeline.ingest import IngestRequest
from tests.outputs.corpus import ARTICLES, HAND_COUNT, CountedEvent, CountedProject, corpus_writer, ingest


@dataclass
class Corpus:
    store: Store
    ids: dict[str, str]

    @property
    def keys(self) -> dict[str, str]:
        """Article keys by document id."""
        return {doc_id: key for key, doc_id in self.ids.items()}

    def project(self, counted: CountedProject) -> ProjectRecord:
        found = [p for p in self.store.projects() if counted.names & set(p.names)]
        assert len(found) == 1, f"{sorted(counted.names)} are {len(found)} projects"
        return found[0]

    def counted(self, event: EventRecord) -> CountedEvent:
        return CountedEvent(
            activity=event.activity,
            status=event.status.value,
            firms=event.firms,
            countries=frozenset(event.countries),
            sources=frozenset(self.keys[s.document_id] for s in event.sources),
        )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Iterator[Corpus]:
    with corpus_writer(tmp_path_factory.mktemp("corpus"), extractor) as writer:
        yield Corpus(writer.store, ingest(writer))


def test_one_row_per_project_with_its_coordinator_province_and_documents(corpus: Corpus) -> None:
    assert len(corpus.store.projects()) == len(HAND_COUNT)
    for counted in HAND_COUNT:
        project = corpus.project(counted)
        assert (project.code, set(project.names)) == (counted.code, counted.names)
        assert (project.coordinator, project.province) == (counted.coordinator, counted.province)
        assert {corpus.keys[d] for d in project.document_ids} == counted.documents
        assert {corpus.keys[link.document_id] for link in project.links} == counted.documents


def test_every_merge_is_explained(corpus: Corpus) -> None:
    textiles, furniture = (corpus.project(counted) for counted in HAND_COUNT[:2])
    reasons = {(corpus.keys[link.document_id], link.name, link.reason) for link in textiles.links}
    assert reasons == {
        ("tekstil-duyuru", "Ev Tekstili UR-GE Projesi", "new"),
        ("textile-newspaper", "Home Textiles UR-GE Project", "translation"),
        ("tekstil-heyet-birlik", "Ev Tekstili UR-GE Projesi", "name"),
        ("tekstil-heyet-oda", "Ev Tekstili UR-GE Projesi", "code"),
        ("bakanlik-rapor", "Ev Tekstili UR-GE Projesi", "code"),
    }
    assert [(corpus.keys[link.document_id], link.reason) for link in furniture.links] == [
        ("mobilya-duyuru", "new"),
        ("mobilya-heyet", "name"),
        ("furniture-buyers", "translation"),
    ]


def test_events_per_project_as_counted_by_hand(corpus: Corpus) -> None:
    for counted in HAND_COUNT:
        events = corpus.store.project_events(corpus.project(counted).id)
        assert sorted(map(corpus.counted, events), key=repr) == sorted(counted.events, key=repr)
        done = [e for e in events if e.status.value == "done"]
        by_activity: dict[str, int] = {}
        for event in done:
            by_activity[event.activity] = by_activity.get(event.activity, 0) + 1
        assert by_activity == counted.done_by_activity
        assert len(events) - len(done) == counted.planned
        assert {c for e in done for c in e.countries} == counted.countries_reached
        assert sum(e.firms or 0 for e in done) == counted.firms
    assert corpus.store.events_count() == sum(len(counted.events) for counted in HAND_COUNT)


def test_one_trip_told_by_three_sources_in_two_languages_is_one_event(corpus: Corpus) -> None:
    textiles = corpus.project(HAND_COUNT[0])
    trips = [e for e in corpus.store.project_events(textiles.id) if e.activity == "trade_delegation"]
    assert len(trips) == 1
    trip = trips[0]
    assert sorted(corpus.keys[s.document_id] for s in trip.sources) == [
        "tekstil-heyet-birlik",
        "tekstil-heyet-oda",
        "textile-newspaper",
    ]
    assert (trip.start, trip.end, trip.firms) == ("2024-10-14", "2024-10-18", 14)  # the chamber's own days
    with sqlite3.connect(corpus.store.path) as table:  # the columns the scoreboard aggregates
        row = table.execute("SELECT sources, coordinator, province, sector FROM events WHERE id = ?", (trip.id,))
        assert row.fetchone() == (3, "Pamukkale Ticaret ve Sanayi Odası", "Denizli", "C13")


def test_a_planned_delegation_reported_done_later_is_one_done_event(corpus: Corpus) -> None:
    furniture = corpus.project(HAND_COUNT[1])
    trip = next(e for e in corpus.store.project_events(furniture.id) if e.activity == "trade_delegation")
    assert trip.status.value == "done"
    assert [(corpus.keys[s.document_id], s.status.value) for s in trip.sources] == [
        ("mobilya-duyuru", "planned"),
        ("mobilya-heyet", "done"),
    ]
    assert (trip.start, trip.end) == ("2024-05-13", "2024-05-16")  # the days it took place, not the month announced


def test_nothing_of_one_project_of_a_report_reaches_another(corpus: Corpus) -> None:
    machinery, olive_oil = (corpus.project(counted) for counted in HAND_COUNT[2:])
    report = corpus.ids["bakanlik-rapor"]
    told = {e.project_id for e in _events_of(corpus.store, report)}
    assert told == {machinery.id, olive_oil.id}
    assert {c for e in corpus.store.project_events(olive_oil.id) for c in e.countries} == {"JP"}


def test_a_changed_document_replaces_its_tellings(tmp_path: Path, extractor: Extractor) -> None:
    textile = [a for a in ARTICLES if a.key.startswith(("tekstil-", "textile-"))]
    with corpus_writer(tmp_path, extractor) as writer:
        ids = ingest(writer, textile)
        store = writer.store
        (trip,) = [e for e in store.events() if e.activity == "trade_delegation"]
        assert len(trip.sources) == 3
        newspaper = next(a for a in textile if a.key == "textile-newspaper")
        # The newspaper corrects itself: the group it wrote about is another, in Kenya in November.
        corrected = newspaper.body.replace(
            "The trade delegation to Kenya and Tanzania", "The trade delegation to Kenya on 4-7 November 2024"
        )
        writer.ingest(
            IngestRequest(
                url=newspaper.url,
                title=newspaper.title,
                body=corrected,
                source=newspaper.source,
                published=date(2024, 11, 9),
                language=newspaper.language,
            )
        )
        trips = sorted((e for e in store.events() if e.activity == "trade_delegation"), key=lambda e: e.start or "")
        assert [(e.start, sorted(s.document_id for s in e.sources)) for e in trips] == [
            ("2024-10-14", sorted([ids["tekstil-heyet-birlik"], ids["tekstil-heyet-oda"]])),
            ("2024-11-04", [ids["textile-newspaper"]]),
        ]
        assert store.event(trip.id) is not None  # the event keeps its id when a telling leaves
        assert {e.id for e in _events_of(store, ids["textile-newspaper"])} == {trips[1].id}


def _events_of(store: Store, doc_id: str) -> list[EventRecord]:
    return [event for event_id in store.document_event_ids(doc_id) if (event := store.event(event_id)) is not None]
