"""Projects and events written by hand into a real store (as the event linker would keep them), for the read side.

Three invented projects and nine events; every number the scoreboard and dossier tests expect is counted
from the table below by hand.

    event  project  activity               status   start-end                countries  firms  documents
    e1     mobilya  trade_delegation       done     2023-10-02..2023-10-06   DE FR      12     d1 d2
    e2     mobilya  b2b_meetings           done     2023-10-03               DE         12     d1
    e3     mobilya  fair                   planned  2024-03                  US         -      d3
    e4     mobilya  training               done     2024-02                  -          20     d3
    e5     makine   trade_delegation       done     2024-04-08..2024-04-12   UZ         11     d4
    e6     makine   trade_delegation       planned  (undated; d4 of 2025)    KZ         -      d4
    e7     makine   needs_analysis         done     2024-02                  -          16     d4
    e8     gida     purchasing_delegation  done     2023-05-10               AZ GE      7      d5
    e9     (Bursa Ticaret Odası, no project) fair done 2024-09               IT         -      d5
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from kume.config import Settings
from kume.schema import EventPlace, EventRecord, EventSource, EventStatus, Page, ProjectLink, ProjectRecord
from kume.store import Store
from search_api.contract import IndexDocument

DONE, PLANNED = EventStatus.DONE, EventStatus.PLANNED

MOBILYA = ProjectRecord(
    id="p-mobilya",
    name="Kayseri Mobilya UR-GE Projesi",
    names=["Kayseri Mobilya UR-GE Projesi", "Kayseri Furniture UR-GE Project"],
    code="23.UR-GE.101",
    program="UR-GE",
    coordinator="Kayseri Ticaret Odası",
    province="Kayseri",
    sector="C31",
    document_ids=["d1", "d2", "d3"],
    links=[
        ProjectLink(document_id="d1", name="Kayseri Mobilya UR-GE Projesi", reason="new"),
        ProjectLink(document_id="d2", name="Kayseri Furniture UR-GE Project", reason="translation"),
        ProjectLink(document_id="d3", name="Kayseri Mobilya UR-GE Projesi", reason="code"),
    ],
)
MAKINE = ProjectRecord(
    id="p-makine",
    name="Konya Makine UR-GE Projesi",
    code="24.UR-GE.202",
    program="UR-GE",
    coordinator="Konya Sanayi Odası",
    province="Konya",
    sector="C28",
    document_ids=["d4"],
)
# A name as a hostile site could publish it: a spreadsheet must show it as text.
GIDA = ProjectRecord(
    id="p-gida",
    name='=HYPERLINK("http://evil.example")',
    program="KOBI-KUMELENME",
    coordinator="Gaziantep Gıda Kümesi Derneği",
    province="Gaziantep",
    sector="C10",
    document_ids=["d5"],
)
PROJECTS = (MOBILYA, MAKINE, GIDA)

PUBLISHED = {
    "d1": date(2023, 10, 9),
    "d2": date(2023, 10, 12),
    "d3": date(2024, 3, 1),
    "d4": date(2025, 1, 20),
    "d5": date(2024, 9, 30),
}


def _event(
    event_id: str,
    project: ProjectRecord | None,
    activity: str,
    status: EventStatus,
    start: str | None,
    end: str | None,
    countries: list[str],
    firms: int | None,
    docs: list[str],
    organization: str | None = None,
) -> EventRecord:
    return EventRecord(
        id=event_id,
        activity=activity,
        project_id=project.id if project else None,
        organization=organization,
        status=status,
        start=start,
        end=end,
        countries=countries,
        cities=[EventPlace(name="Berlin", country="DE")] if "DE" in countries else [],
        firms=firms,
        sources=[
            EventSource(document_id=doc, ordinal=_next_ordinal(doc), status=status, published=PUBLISHED[doc])
            for doc in docs
        ],
    )


_told: dict[str, int] = {}


def _next_ordinal(doc: str) -> int:
    """The event's position among its document's events (d1 tells e1 and e2: ordinals 0 and 1)."""
    _told[doc] = _told.get(doc, -1) + 1
    return _told[doc]


EVENTS: list[tuple[EventRecord, ProjectRecord | None]] = [
    (
        _event("e1", MOBILYA, "trade_delegation", DONE, "2023-10-02", "2023-10-06", ["DE", "FR"], 12, ["d1", "d2"]),
        MOBILYA,
    ),
    (_event("e2", MOBILYA, "b2b_meetings", DONE, "2023-10-03", "2023-10-03", ["DE"], 12, ["d1"]), MOBILYA),
    (_event("e3", MOBILYA, "fair", PLANNED, "2024-03", "2024-03", ["US"], None, ["d3"]), MOBILYA),
    (_event("e4", MOBILYA, "training", DONE, "2024-02", "2024-02", [], 20, ["d3"]), MOBILYA),
    (_event("e5", MAKINE, "trade_delegation", DONE, "2024-04-08", "2024-04-12", ["UZ"], 11, ["d4"]), MAKINE),
    (_event("e6", MAKINE, "trade_delegation", PLANNED, None, None, ["KZ"], None, ["d4"]), MAKINE),
    (_event("e7", MAKINE, "needs_analysis", DONE, "2024-02", "2024-02", [], 16, ["d4"]), MAKINE),
    (_event("e8", GIDA, "purchasing_delegation", DONE, "2023-05-10", "2023-05-10", ["AZ", "GE"], 7, ["d5"]), GIDA),
    (_event("e9", None, "fair", DONE, "2024-09", "2024-09", ["IT"], None, ["d5"], "Bursa Ticaret Odası"), None),
]


@dataclass
class EventsServed:
    client: TestClient
    store: Store
    app: FastAPI
    doc_ids: dict[str, str]  # d1 -> the store's id


def fill(store: Store) -> dict[str, str]:
    """The documents, projects and events above in `store`; the documents' ids by their names (d1...)."""
    ids = {}
    for name, published in PUBLISHED.items():
        result = store.upsert_page(
            Page(
                source="kayseri-to",
                url=f"https://oda.example/haber/{name}",
                fetched_at=datetime(2025, 2, 1, tzinfo=UTC),
                raw=f"<p>{name}</p>".encode(),
                title=f"Haber {name}",
                body=f"Proje haberi {name}.",
                published=published,
                language="tr",
            )
        )
        ids[name] = result.doc_id
    for project in PROJECTS:
        store.save_project(project.model_copy(update={"document_ids": [ids[d] for d in project.document_ids]}))
    for event, project in EVENTS:
        sources = [source.model_copy(update={"document_id": ids[source.document_id]}) for source in event.sources]
        store.save_event(event.model_copy(update={"sources": sources}), project)
    return ids


def index_documents(ids: dict[str, str]) -> list[IndexDocument]:
    """The documents as the index holds them, with the facet values their events have."""
    values: dict[str, dict[str, set[str]]] = {name: {} for name in ids}
    for event, project in EVENTS:
        for source in event.sources:
            facets = values[source.document_id]
            facets.setdefault("country", set()).update(event.countries)
            facets.setdefault("activity", set()).add(event.activity)
            if project:
                facets.setdefault("program", set()).add(project.program or "")
                facets.setdefault("sector", set()).add(project.sector or "")
                facets.setdefault("project", set()).add(project.id)
    return [
        IndexDocument(
            id=ids[name],
            url=f"https://oda.example/haber/{name}",
            source="kayseri-to",
            language="tr",
            title=f"Haber {name}",
            body=f"Proje haberi {name}.",
            published=PUBLISHED[name],
            **{facet: sorted(v) for facet, v in facets.items()},
        )
        for name, facets in values.items()
    ]


def serve(settings: Settings) -> tuple[FastAPI, Store, dict[str, str]]:
    from api.app import create_app
    from search_api.backends import open_backend

    store = Store(settings.store_path)
    ids = fill(store)
    backend = open_backend(settings)
    backend.bulk_upsert(index_documents(ids))
    return create_app(settings, backend=backend, store=store), store, ids
