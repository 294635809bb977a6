"""`kume scoreboard` and `kume project` over a real store of hand-made events (tests/api/events_data.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kume.config import Settings
from kume.store import Store
from tests.api.events_data import GIDA, MAKINE, MOBILYA, fill
from tests.cli.test_cli import kume

WIDE = {**os.environ, "COLUMNS": "200"}  # a terminal wide enough that rich wraps no label


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("outputs")
    with Store(Settings(data_dir=folder).store_path) as store:
        fill(store)
    return folder


def test_the_scoreboard_as_json_is_the_apis_answer(data_dir: Path) -> None:
    result = kume("scoreboard", "--json", "--sort", "firms", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    board = json.loads(result.stdout)
    assert [(row["key"], row["events"], row["firms"]) for row in board["rows"]] == [
        (MOBILYA.id, 3, 44),
        (MAKINE.id, 2, 27),
        (GIDA.id, 1, 7),
    ]


def test_the_scoreboard_table_shows_labels(data_dir: Path) -> None:
    result = kume("scoreboard", "--by", "sector", "--lang", "en", "--country", "Almanya", data_dir=data_dir, env=WIDE)
    assert result.returncode == 0, result.stderr
    assert "Manufacture of furniture" in result.stdout and "Trade delegation" in result.stdout
    assert "C28" not in result.stdout  # the machinery project reached no German buyer


def test_scoreboard_errors_name_the_option(data_dir: Path) -> None:
    result = kume("scoreboard", "--sort", "popularity", data_dir=data_dir)
    assert result.returncode == 2 and "trade_delegation" in result.stderr
    result = kume("scoreboard", "--country", "Atlantis", data_dir=data_dir)
    assert result.returncode == 2 and "DE" in result.stderr
    assert kume("scoreboard", "--year", "2019", data_dir=data_dir).returncode == 5


def test_a_project_by_id_or_code(data_dir: Path) -> None:
    result = kume("project", "23.ur-ge.101", data_dir=data_dir, env=WIDE)
    assert result.returncode == 0, result.stderr
    assert "Kayseri Mobilya UR-GE Projesi" in result.stdout
    assert "Almanya (2), Fransa (1)" in result.stdout and "44" in result.stdout
    assert "translation" in result.stdout  # why the English name joined
    dossier = json.loads(kume("project", MAKINE.id, "--json", data_dir=data_dir).stdout)
    assert [e["id"] for e in dossier["events"]] == ["e7", "e5", "e6"]
    missing = kume("project", "no-such-project", data_dir=data_dir)
    assert missing.returncode == 5 and "no-such-project" in missing.stderr
