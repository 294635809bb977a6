"""The scoreboard and dossiers over the project-outputs corpus (tests/outputs/corpus.py), ingested through the
real Writer (extract, link, events, index), on the embedded backend and on Elasticsearch.

The expected numbers are the corpus docstring's table, counted by hand (`HAND_COUNT`): four projects, ten done
events and one planned; the trip told by three documents in two languages counts once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kume.config import Settings
from kume.store import Store
from nlp.pipeline import Extractor
from pipeline.writer import Writer
from search_api.backends import open_backend
from tests.outputs.corpus import HAND_COUNT, CountedProject, ingest

TEXTILES, FURNITURE = HAND_COUNT[0], HAND_COUNT[1]


def _documents_telling(counted: CountedProject) -> set[str]:
    """The documents that tell some event of the project (the ministry's report only mentions the textiles')."""
    return {source for event in counted.events for source in event.sources}


@pytest.fixture(scope="module", params=["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, extractor: Extractor
) -> Iterator[TestClient]:
    from api.app import create_app

    values: dict[str, object] = {"data_dir": tmp_path_factory.mktemp(f"outputs-{request.param}")}
    if request.param == "elasticsearch":
        values |= {
            "backend": "elasticsearch",
            "search_url": request.getfixturevalue("elasticsearch_url"),
            "index_name": f"kume-outputs-{uuid.uuid4().hex[:8]}",
        }
    settings = Settings(**values)  # type: ignore[arg-type]
    store = Store(settings.store_path)
    backend = open_backend(settings)
    ingest(Writer(settings, store, backend, extractor=extractor))
    with TestClient(create_app(settings, backend=backend, store=store, extractor=extractor)) as served:
        yield served


def _project_ids(client: TestClient) -> dict[str, str]:
    """Each counted project's id (by its code, or one of its names), as the linker gave it."""
    ids = {}
    for project in client.get("/v1/projects").json():
        dossier = client.get(f"/v1/projects/{project['id']}").json()
        for counted in HAND_COUNT:
            if counted.names & {dossier["name"], *dossier["names"]}:
                ids[counted.code or min(counted.names)] = project["id"]
    return ids


def _key(counted: CountedProject) -> str:
    return counted.code or min(counted.names)


def test_projects_labelled_in_each_language_by_its_documents(client: TestClient) -> None:
    """The furniture project is named in Turkish by its chamber's news and in English by its English page."""
    rows = {row["key"]: row["label"] for row in client.get("/v1/scoreboard").json()["rows"]}
    ids = _project_ids(client)
    assert rows[ids[_key(FURNITURE)]] == {"tr": "Mobilya UR-GE Projesi", "en": "Furniture UR-GE Project"}
    code = TEXTILES.code
    assert rows[ids[_key(TEXTILES)]] == {
        "tr": f"Ev Tekstili UR-GE Projesi ({code})",
        "en": f"Home Textiles UR-GE Project ({code})",
    }


def test_one_row_per_project_with_the_numbers_counted_by_hand(client: TestClient) -> None:
    board = client.get("/v1/scoreboard", params={"size": 10}).json()
    rows = {row["key"]: row for row in board["rows"]}
    ids = _project_ids(client)
    assert board["total"] == len(HAND_COUNT) and set(rows) == set(ids.values())
    for counted in HAND_COUNT:
        row = rows[ids[_key(counted)]]
        assert (row["by_activity"], row["planned"]) == (counted.done_by_activity, counted.planned), _key(counted)
        assert row["events"] == sum(counted.done_by_activity.values())
        assert set(row["country_codes"]) == counted.countries_reached and row["firms"] == counted.firms
        assert row["documents"] == len(_documents_telling(counted)), _key(counted)


def test_programme_and_province_rows(client: TestClient) -> None:
    (urge,) = client.get("/v1/scoreboard", params={"by": "program"}).json()["rows"]
    assert (urge["key"], urge["projects"]) == ("UR-GE", len(HAND_COUNT))
    assert urge["events"] == sum(sum(counted.done_by_activity.values()) for counted in HAND_COUNT) == 10
    assert urge["planned"] == sum(counted.planned for counted in HAND_COUNT) == 1
    assert urge["documents"] == len(set().union(*map(_documents_telling, HAND_COUNT)))
    assert urge["countries"] == len(set().union(*(counted.countries_reached for counted in HAND_COUNT)))
    provinces = client.get("/v1/scoreboard", params={"by": "province"}).json()["rows"]
    assert {row["key"]: row["events"] for row in provinces} == {
        counted.province: sum(counted.done_by_activity.values()) for counted in HAND_COUNT
    }
    kenya = client.get("/v1/scoreboard", params={"country": "Kenya"}).json()["rows"]
    assert [row["key"] for row in kenya] == [_project_ids(client)[_key(TEXTILES)]]


def test_dossiers_from_events(client: TestClient) -> None:
    ids = _project_ids(client)
    for counted in HAND_COUNT:
        dossier = client.get(f"/v1/projects/{ids[_key(counted)]}").json()
        counts = {a["value"]: (a["done"], a["planned"]) for a in dossier["activity_counts"]}
        assert {value: done for value, (done, _) in counts.items() if done} == counted.done_by_activity
        assert sum(planned for _, planned in counts.values()) == counted.planned
        assert {c["code"] for c in dossier["countries_reached"]} == counted.countries_reached
        assert dossier["firms_total"] == counted.firms
        assert dossier["coordinator"] == counted.coordinator and dossier["province"] == counted.province
        starts = [event["start"] or "9999" for event in dossier["events"]]
        assert starts == sorted(starts), _key(counted)
    textiles = client.get(f"/v1/projects/{ids[_key(TEXTILES)]}").json()
    (trip,) = [event for event in textiles["events"] if event["activity"] == "trade_delegation"]
    assert {s["source"] for s in trip["sources"]} == {"pamukkale-tso", "aegean-herald", "bati-ege-ib"}
    assert {c["code"]: c["label"]["tr"] for c in trip["countries"]} == {"KE": "Kenya", "TZ": "Tanzanya"}
    assert textiles["sector_label"]["en"] == "Manufacture of textiles"
    assert {link["reason"] for link in textiles["links"]} >= {"new", "translation"}
