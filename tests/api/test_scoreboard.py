"""GET /v1/scoreboard and the event counts of /v1/stats over a real store and index (tests/api/events_data.py).

Every expected number is counted by hand from the table in events_data's docstring.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kume.config import Settings
from kume.schema import EventSource, EventStatus
from kume.store import Store
from tests.api.events_data import EVENTS, GIDA, MAKINE, MOBILYA, EventsServed, serve


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventsServed]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("scoreboard"), backend="embedded")  # type: ignore[call-arg]
    app, store, ids = serve(settings)
    with TestClient(app) as client:
        yield EventsServed(client, store, app, ids)


def board(served: EventsServed, **params: object) -> dict:
    response = served.client.get("/v1/scoreboard", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def rows(served: EventsServed, **params: object) -> dict[str, dict]:
    return {row["key"]: row for row in board(served, **params)["rows"]}


def test_projects_compared_by_deduplicated_events(events: EventsServed) -> None:
    answer = board(events)
    assert answer["by"] == "project" and answer["total"] == 3
    assert [row["key"] for row in answer["rows"]] == [MOBILYA.id, MAKINE.id, GIDA.id]
    mobilya, makine, gida = answer["rows"]
    assert mobilya["label"] == {"tr": "Kayseri Mobilya UR-GE Projesi (23.UR-GE.101)"} | {
        "en": "Kayseri Mobilya UR-GE Projesi (23.UR-GE.101)"
    }
    assert mobilya["project_id"] == MOBILYA.id
    # e1 is told by two documents and counts once; e3 is planned; countries and firms come from done events only.
    assert (mobilya["events"], mobilya["planned"]) == (3, 1)
    assert mobilya["by_activity"] == {"trade_delegation": 1, "b2b_meetings": 1, "training": 1}
    assert (mobilya["countries"], mobilya["country_codes"]) == (2, ["DE", "FR"])
    assert mobilya["firms"] == 12 + 12 + 20
    assert (mobilya["first"], mobilya["last"]) == ("2023-10-02", "2024-02")
    assert (mobilya["documents"], mobilya["projects"]) == (3, 1)
    assert (makine["events"], makine["planned"], makine["firms"], makine["country_codes"]) == (2, 1, 27, ["UZ"])
    assert (makine["first"], makine["last"], makine["documents"]) == ("2024-02", "2024-04-12", 1)
    assert (gida["events"], gida["country_codes"], gida["firms"], gida["documents"]) == (1, ["AZ", "GE"], 7, 1)
    # Columns: the activities with done events, in the vocabulary's order, each with its label.
    assert answer["activities"] == [
        "trade_delegation",
        "purchasing_delegation",
        "b2b_meetings",
        "training",
        "needs_analysis",
    ]
    assert answer["activity_labels"]["trade_delegation"] == {"tr": "Ticaret heyeti", "en": "Trade delegation"}


def test_rows_by_programme_coordinator_province_and_sector(events: EventsServed) -> None:
    by_program = rows(events, by="program")
    assert set(by_program) == {"UR-GE", "KOBI-KUMELENME"}
    urge = by_program["UR-GE"]
    assert (urge["events"], urge["planned"], urge["projects"], urge["documents"], urge["project_id"]) == (
        5,
        2,
        2,
        4,
        None,
    )
    assert urge["label"]["tr"].startswith("UR-GE (Uluslararası")
    # An event without a project still has its organiser as coordinator.
    by_coordinator = rows(events, by="coordinator")
    assert by_coordinator["Bursa Ticaret Odası"]["by_activity"] == {"fair": 1}
    assert (by_coordinator["Bursa Ticaret Odası"]["projects"], by_coordinator["Bursa Ticaret Odası"]["documents"]) == (
        0,
        1,
    )
    assert set(rows(events, by="province")) == {"Kayseri", "Konya", "Gaziantep"}
    sectors = rows(events, by="sector")
    assert sectors["C31"]["label"] == {"tr": "Mobilya imalatı", "en": "Manufacture of furniture"}
    assert sectors["C28"]["events"] == 2


def test_a_year_or_a_date_range(events: EventsServed) -> None:
    in_2023 = rows(events, year=2023)
    assert set(in_2023) == {MOBILYA.id, GIDA.id}
    assert (in_2023[MOBILYA.id]["events"], in_2023[MOBILYA.id]["planned"]) == (2, 0)
    # The undated planned trip is of the year its document was published (2025).
    assert rows(events, year=2025)[MAKINE.id]["planned"] == 1
    # A month-dated event spans its month; undated events are outside every range.
    spring = rows(events, date_from="2024-02-15", date_to="2024-04-30")
    assert set(spring) == {MOBILYA.id, MAKINE.id}
    assert (spring[MOBILYA.id]["events"], spring[MOBILYA.id]["planned"]) == (1, 1)
    assert (spring[MAKINE.id]["events"], spring[MAKINE.id]["planned"]) == (2, 0)


@pytest.mark.parametrize(
    ("name", "typed", "expected"),
    [
        ("country", "almanya", {MOBILYA.id: 2}),
        ("country", "Germany", {MOBILYA.id: 2}),
        ("program", "ur-ge", {MOBILYA.id: 3, MAKINE.id: 2}),
        ("province", "KONYA", {MAKINE.id: 2}),
        ("sector", "c10", {GIDA.id: 1}),
        ("activity", "Ticaret heyeti", {MOBILYA.id: 1, MAKINE.id: 1}),
    ],
)
def test_filters_as_people_type_them(events: EventsServed, name: str, typed: str, expected: dict[str, int]) -> None:
    assert {key: row["events"] for key, row in rows(events, **{name: typed}).items()} == expected


def test_an_unknown_filter_value_lists_what_events_hold(events: EventsServed) -> None:
    response = events.client.get("/v1/scoreboard", params={"country": "Atlantis"})
    assert response.status_code == 422
    assert "country" in response.json()["detail"] and "DE" in response.json()["detail"]
    response = events.client.get("/v1/scoreboard", params={"program": "TURQUALITY"})
    assert response.status_code == 422 and "UR-GE" in response.json()["detail"]
    response = events.client.get("/v1/scoreboard", params={"sort": "popularity"})
    assert response.status_code == 422 and "trade_delegation" in response.json()["detail"]


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("firms", "asc", [GIDA.id, MAKINE.id, MOBILYA.id]),
        ("firms", "desc", [MOBILYA.id, MAKINE.id, GIDA.id]),
        ("countries", "desc", [GIDA.id, MOBILYA.id, MAKINE.id]),  # ties (2) by label: "=..." first
        ("first", "asc", [GIDA.id, MOBILYA.id, MAKINE.id]),
        ("last", "desc", [MAKINE.id, MOBILYA.id, GIDA.id]),
        ("trade_delegation", "desc", [MOBILYA.id, MAKINE.id, GIDA.id]),
        ("purchasing_delegation", "desc", [GIDA.id, MOBILYA.id, MAKINE.id]),
        ("planned", "asc", [GIDA.id, MOBILYA.id, MAKINE.id]),
        ("label", "asc", [GIDA.id, MOBILYA.id, MAKINE.id]),
        ("label", "desc", [MAKINE.id, MOBILYA.id, GIDA.id]),
    ],
)
def test_sorted_by_any_column_or_activity(events: EventsServed, sort: str, order: str, expected: list[str]) -> None:
    assert [row["key"] for row in board(events, sort=sort, order=order)["rows"]] == expected


def test_size_cuts_the_rows_not_the_total(events: EventsServed) -> None:
    answer = board(events, size=1, sort="documents")
    assert (answer["total"], [row["key"] for row in answer["rows"]]) == (3, [MOBILYA.id])


def test_csv_opens_in_excel_with_a_column_per_activity(events: EventsServed) -> None:
    response = events.client.get("/v1/scoreboard", params={"format": "csv", "sort": "label", "order": "asc"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, first = table[0], table[1]
    assert header[:4] == ["project", "label", "events", "planned"]
    assert "Ticaret heyeti (trade_delegation)" in header and "Alım heyeti (purchasing_delegation)" in header
    # The hostile project name is text in a spreadsheet, not a formula.
    assert first[1] == "'" + GIDA.name
    assert first[header.index("Alım heyeti (purchasing_delegation)")] == "1"
    assert len(table) == 4


def test_a_new_event_counts_at_once(tmp_path: Path) -> None:
    """The scoreboard's columns are loaded again when the events tables change, by this store or another."""
    settings = Settings(data_dir=tmp_path, backend="embedded")  # type: ignore[call-arg]
    app, store, ids = serve(settings)
    with TestClient(app) as client:
        assert client.get("/v1/scoreboard").json()["rows"][1]["events"] == 2
        event, project = EVENTS[5]  # makine's planned trip to Kazakhstan, now reported held
        held = event.model_copy(
            update={
                "status": EventStatus.DONE,
                "sources": [EventSource(document_id=ids["d4"], ordinal=0, status=EventStatus.DONE)],
            }
        )
        with Store(settings.store_path) as other:
            other.save_event(held, project)
        makine = {r["key"]: r for r in client.get("/v1/scoreboard").json()["rows"]}[MAKINE.id]
        assert (makine["events"], makine["planned"], makine["country_codes"]) == (3, 0, ["KZ", "UZ"])
        store.delete_event(held.id)
        makine = {r["key"]: r for r in client.get("/v1/scoreboard").json()["rows"]}[MAKINE.id]
        assert (makine["events"], makine["planned"]) == (2, 0)


def test_openapi_documents_every_parameter_and_error(events: EventsServed) -> None:
    operation = events.client.get("/openapi.json").json()["paths"]["/v1/scoreboard"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {
        "by", "year", "date_from", "date_to", "program", "country", "sector", "province", "activity",
        "sort", "order", "size", "format",
    }  # fmt: skip
    assert all(parameter.get("description") or parameter["name"] == "order" for parameter in operation["parameters"])
    assert {"200", "401", "422", "429", "503"} <= set(operation["responses"])
    assert "text/csv" in operation["responses"]["200"]["content"]
    sort = next(p for p in operation["parameters"] if p["name"] == "sort")
    assert {"firms", "label", "trade_delegation"} <= set(sort["schema"]["enum"])


# -- /v1/stats counting events -----------------------------------------------------


def test_timeseries_counts_events_with_empty_periods_as_zero(events: EventsServed) -> None:
    response = events.client.get("/v1/stats/timeseries", params={"interval": "year", "count": "events"})
    assert response.status_code == 200, response.text
    assert response.json()["count"] == "events"
    # Each event once, dated by its start (e6, undated, by its document's publication in 2025).
    assert [(b["period"], b["count"]) for b in response.json()["buckets"]] == [("2023", 3), ("2024", 5), ("2025", 1)]
    monthly = events.client.get("/v1/stats/timeseries", params={"count": "events"}).json()["buckets"]
    months = [b["period"] for b in monthly]
    assert months[0] == "2023-05" and months[-1] == "2025-01" and len(months) == 21
    assert {b["period"]: b["count"] for b in monthly}["2023-06"] == 0
    split = events.client.get(
        "/v1/stats/timeseries", params={"interval": "year", "count": "events", "split_by": "country"}
    ).json()["buckets"]
    in_2023 = {b["split"]: (b["count"], b["label"]["tr"]) for b in split if b["period"] == "2023"}
    assert in_2023 == {"DE": (2, "Almanya"), "FR": (1, "Fransa"), "AZ": (1, "Azerbaycan"), "GE": (1, "Gürcistan")}


def test_documents_are_still_the_default_count(events: EventsServed) -> None:
    years = events.client.get("/v1/stats/timeseries", params={"interval": "year"}).json()
    assert years["count"] == "documents"
    assert [(b["period"], b["count"]) for b in years["buckets"]] == [("2023", 2), ("2024", 2), ("2025", 1)]


def test_top_values_of_events_with_labels(events: EventsServed) -> None:
    top = events.client.get("/v1/stats/top", params={"facet": "country", "count": "events", "size": 3}).json()
    assert top["total"] == len(EVENTS)
    assert [(v["value"], v["count"], v["label"]["en"]) for v in top["values"]] == [
        ("DE", 2, "Germany"),
        ("AZ", 1, "Azerbaijan"),
        ("FR", 1, "France"),
    ]
    programs = events.client.get(
        "/v1/stats/top", params={"facet": "activity", "count": "events", "program": "ur-ge"}
    ).json()
    assert programs["total"] == 7
    assert programs["values"][0] == {
        "value": "trade_delegation",
        "count": 3,
        "label": {"tr": "Ticaret heyeti", "en": "Trade delegation"},
    }
    documents = events.client.get("/v1/stats/top", params={"facet": "project"}).json()
    assert {v["value"]: v["label"]["tr"] for v in documents["values"]}[MAKINE.id] == MAKINE.name


def test_what_events_cannot_be_counted_by_is_a_clear_422(events: EventsServed) -> None:
    cases = [
        ({"facet": "country", "count": "events", "q": "heyet"}, "q:"),
        ({"facet": "city", "count": "events"}, "city"),
        ({"facet": "country", "count": "events", "date_from": "2024-01-01"}, "event_from"),
    ]
    for params, named in cases:
        response = events.client.get("/v1/stats/top", params=params)
        assert response.status_code == 422 and named in response.json()["detail"], response.text
