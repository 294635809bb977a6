"""A project's dossier from its events (GET /v1/projects/{id}) over a real store (tests/api/events_data.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kume.config import Settings
from tests.api.events_data import GIDA, MAKINE, MOBILYA, PUBLISHED, EventsServed, serve


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventsServed]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("dossier"), backend="embedded")  # type: ignore[call-arg]
    app, store, ids = serve(settings)
    with TestClient(app) as client:
        yield EventsServed(client, store, app, ids)


def dossier(served: EventsServed, project_id: str) -> dict:
    response = served.client.get(f"/v1/projects/{project_id}")
    assert response.status_code == 200, response.text
    return response.json()


def test_events_oldest_first_with_their_sources(events: EventsServed) -> None:
    found = dossier(events, MOBILYA.id)
    assert [(e["id"], e["status"], e["start"]) for e in found["events"]] == [
        ("e1", "done", "2023-10-02"),
        ("e2", "done", "2023-10-03"),
        ("e4", "done", "2024-02"),
        ("e3", "planned", "2024-03"),
    ]
    trip = found["events"][0]
    assert trip["activity_label"] == {"tr": "Ticaret heyeti", "en": "Trade delegation"}
    assert trip["countries"] == [
        {"code": "DE", "label": {"tr": "Almanya", "en": "Germany"}},
        {"code": "FR", "label": {"tr": "Fransa", "en": "France"}},
    ]
    assert trip["cities"] == [{"name": "Berlin", "country": "DE", "label": {"tr": "Berlin", "en": "Berlin"}}]
    assert trip["firms"] == 12
    # The trip is told by two documents: both are its sources, oldest first.
    assert [s["document_id"] for s in trip["sources"]] == [events.doc_ids["d1"], events.doc_ids["d2"]]
    assert [s["published"] for s in trip["sources"]] == [PUBLISHED["d1"].isoformat(), PUBLISHED["d2"].isoformat()]
    assert trip["sources"][0]["url"] == "https://oda.example/haber/d1"


def test_countries_and_firms_of_done_events_only(events: EventsServed) -> None:
    found = dossier(events, MOBILYA.id)
    # The planned fair in the US reaches no country yet and brings no firms.
    assert [(c["code"], c["events"], c["label"]["tr"]) for c in found["countries_reached"]] == [
        ("DE", 2, "Almanya"),
        ("FR", 1, "Fransa"),
    ]
    assert found["firms_total"] == 12 + 12 + 20
    assert [(a["value"], a["done"], a["planned"]) for a in found["activity_counts"]] == [
        ("trade_delegation", 1, 0),
        ("b2b_meetings", 1, 0),
        ("fair", 0, 1),
        ("training", 1, 0),
    ]
    assert found["activity_counts"][2]["label"] == {"tr": "Fuar", "en": "Trade fair"}


def test_labels_beside_codes_and_the_merges_explained(events: EventsServed) -> None:
    found = dossier(events, MOBILYA.id)
    assert found["sector_label"] == {"tr": "Mobilya imalatı", "en": "Manufacture of furniture"}
    assert found["program_label"]["tr"].startswith("UR-GE")
    assert found["province_label"] == {"tr": "Kayseri", "en": "Kayseri"}
    assert [(link["name"], link["reason"]) for link in found["links"]] == [
        ("Kayseri Mobilya UR-GE Projesi", "new"),
        ("Kayseri Furniture UR-GE Project", "translation"),
        ("Kayseri Mobilya UR-GE Projesi", "code"),
    ]
    assert [d["document_id"] for d in found["documents"]] == [events.doc_ids[d] for d in ("d1", "d2", "d3")]


def test_nothing_of_another_project(events: EventsServed) -> None:
    """Each project's dossier holds its own events only, though documents (d5) tell events of several."""
    makine = dossier(events, MAKINE.id)
    assert {e["id"] for e in makine["events"]} == {"e5", "e6", "e7"}
    assert [c["code"] for c in makine["countries_reached"]] == ["UZ"]  # the planned trip to KZ is not reached
    gida = dossier(events, GIDA.id)
    assert [e["id"] for e in gida["events"]] == ["e8"]  # not the Bursa chamber's fair told by the same document
    assert [c["code"] for c in gida["countries_reached"]] == ["AZ", "GE"]
    assert events.client.get("/v1/projects/p-nothing").status_code == 404
