"""The foundation end to end: `kume demo` crawls the bundled site over real HTTP, extracts,
indexes on the embedded default, and the store and index it leaves answer `kume search`."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kume.config import load_settings
from kume.store import Store

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def kume(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kume_cli", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    data_dir = tmp_path_factory.mktemp("demo")
    result = kume(data_dir, "demo", env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return data_dir, result


@pytest.fixture(scope="module")
def demo_data_dir(demo_run) -> Path:
    return demo_run[0]


# The demo site's projects that report events, by official code (each told by several documents).
DEMO_PROJECT_CODES = ("22.UR-GE.041", "23.UR-GE.058", "24.UR-GE.019")


def test_demo_shows_the_scoreboard_and_a_dossier(demo_run):
    data_dir, result = demo_run
    assert "scoreboard by project" in result.stdout
    assert "A project's dossier" in result.stdout and "countries reached (done events)" in result.stdout
    board = json.loads(kume(data_dir, "scoreboard", "--json").stdout)
    labels = [row["label"]["tr"] for row in board["rows"]]
    # One row per real project: a project told by several documents, in several names, is one row.
    for code in DEMO_PROJECT_CODES:
        assert sum(code in label for label in labels) == 1, (code, labels)
    assert len(set(labels)) == len(labels) == board["total"]
    first = board["rows"][0]
    assert f"kume project {first['project_id']}" in result.stdout
    dossier = json.loads(kume(data_dir, "project", first["project_id"], "--json").stdout)
    done = [event for event in dossier["events"] if event["status"] == "done"]
    assert len(done) == first["events"] and dossier["firms_total"] == first["firms"]
    assert sorted(c["code"] for c in dossier["countries_reached"]) == sorted(first["country_codes"])


def test_demo_stores_every_kind_of_page(demo_data_dir):
    with Store(load_settings(data_dir=demo_data_dir).store_path) as store:
        docs = list(store.documents())
        assert len(docs) >= 20
        assert {d.language for d in docs} == {"tr", "en"}
        assert any(d.content_type == "application/pdf" for d in docs)
        # the windows-1254 page decoded into proper Turkish letters, not mojibake
        assert all("Ä" not in d.body and "Å" not in d.body for d in docs)
        assert all(d.extraction is not None for d in docs)
        # the syndicated press release is kept once, with the copy's URL recorded
        assert any(d.aliases for d in docs)


def test_inflected_turkish_query_finds_the_demo_article(demo_data_dir):
    result = kume(demo_data_dir, "search", "Kazakistan", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["total"] >= 1
    with Store(load_settings(data_dir=demo_data_dir).store_path) as store:
        bodies = [store.get(hit["id"]).text for hit in answer["hits"]]
    assert any("Kazakistan'a" in body for body in bodies)


def test_english_query_and_country_facet(demo_data_dir):
    result = kume(demo_data_dir, "search", "trade delegation", "--facet", "country", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert any(hit["language"] == "en" for hit in answer["hits"])
    countries = {c["value"]: c["count"] for c in answer["facets"]["country"]}
    assert countries and all(count >= 1 for count in countries.values())
    assert "TR" not in countries


def test_search_without_hits_exits_5(demo_data_dir):
    assert kume(demo_data_dir, "search", "zzqxjv").returncode == 5


def test_eval_extract_prints_per_field_scores(tmp_path):
    gold = SHARED / "eval" / "dev.jsonl"
    if not gold.is_file():
        pytest.skip(f"gold annotations not found at {gold}")
    predictions = tmp_path / "predictions.jsonl"
    result = kume(tmp_path, "eval", "extract", str(gold), "--json", "--predictions", str(predictions))
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    fields = {"countries", "cities", "sectors", "programs", "projects", "organizations", "activities", "event_dates"}
    fields |= {"events", "event_countries", "event_status", "event_firms"}
    assert fields <= scores.keys()
    accuracies = {"event_status", "event_firms"}  # over the matched events, not an F1
    for field, s in scores.items():
        expected = (
            {"accuracy", "correct", "total"} if field in accuracies else {"precision", "recall", "f1", "tp", "fp", "fn"}
        )
        assert expected <= s.keys(), field
    assert len(predictions.read_text().splitlines()) == len(gold.read_text().splitlines())


@pytest.mark.elasticsearch
def test_index_rebuilds_elasticsearch_from_the_store_with_the_same_answers(demo_data_dir, elasticsearch_url):
    result = kume(demo_data_dir, "index", "--backend", "elasticsearch", "--url", elasticsearch_url)
    assert result.returncode == 0, result.stderr
    embedded = json.loads(kume(demo_data_dir, "search", "Kazakistan", "--facet", "country", "--json").stdout)
    elastic_env = {"KUME_BACKEND": "elasticsearch", "KUME_SEARCH_URL": elasticsearch_url}
    elastic = json.loads(
        kume(demo_data_dir, "search", "Kazakistan", "--facet", "country", "--json", env=elastic_env).stdout
    )
    assert elastic["total"] == embedded["total"] >= 1
    assert {h["id"] for h in elastic["hits"]} == {h["id"] for h in embedded["hits"]}
    assert elastic["facets"] == embedded["facets"]


def test_serve_answers_from_the_demo_store(demo_data_dir):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kume_cli",
            "--data-dir",
            str(demo_data_dir),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        answer = httpx.get(f"{base}/v1/search", params={"q": "Kazakistan", "facets": "country"}).json()
        assert answer["total"] >= 1
        assert any(f["value"] == "KZ" for f in answer["facets"]["country"])
    finally:
        server.terminate()
        server.wait(timeout=30)
