"""The scoreboard's event columns kept up to date while events change (Store.scoreboard_rows over EventColumns).

Every answer of a store that takes in changes is compared with columns loaded afresh from the same tables:
writes by the same store and by another store on the file, new, changed and deleted events, in seeded
random order, and the log pruned under a store that has fallen behind.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kume.event_columns import EventColumns, ScoreboardCounts
from kume.labels import activity_codes
from kume.schema import EventPlace, EventRecord, EventSource, EventStatus, ProjectRecord
from kume.store import Store

COUNTRIES = ["DE", "KZ", "AZ", "IQ", "UZ", "KE"]
PROVINCES = ["Kayseri", "Denizli", "Uşak", "Bursa"]
SECTORS = ["C13", "C31", "C28", "C10"]
PROGRAMS = ["UR-GE", "KOBI-KUMELENME", "OTHER"]
# The boards compared after every change: every kind of row, a year, a date range, each kind of filter.
BOARDS: list[tuple[str, dict[str, object]]] = [
    *((by, {}) for by in Store.SCOREBOARD_KEYS),
    ("project", {"year": 2023}),
    ("program", {"date_from": "2022-06-01", "date_to": "2023-07-31"}),
    ("province", {"filters": {"country": "KZ"}}),
    ("sector", {"filters": {"program": "UR-GE", "activity": activity_codes()[0]}}),
]


def projects(rng: random.Random) -> list[ProjectRecord]:
    return [
        ProjectRecord(
            id=f"p-{number}",
            name=f"{rng.choice(SECTORS)} Kümelenme Projesi {number}",
            program=rng.choice(PROGRAMS),
            coordinator=f"Ticaret Odası {number % 4}",
            province=rng.choice(PROVINCES),
            sector=rng.choice(SECTORS),
        )
        for number in range(8)
    ]


def an_event(rng: random.Random, event_id: str, project: ProjectRecord | None) -> EventRecord:
    """An event with every column varied: month or day dates or none, no firms, no countries, 1-3 sources."""
    year, month = rng.randint(2021, 2024), rng.randint(1, 12)
    start = rng.choice([f"{year}-{month:02d}-{rng.randint(1, 28):02d}", f"{year}-{month:02d}", None])
    status = rng.choice([EventStatus.DONE, EventStatus.DONE, EventStatus.PLANNED])
    return EventRecord(
        id=event_id,
        activity=rng.choice(activity_codes()[:5]),
        project_id=project.id if project else None,
        organization=None if project else f"Sanayi Odası {rng.randint(1, 3)}",
        status=status,
        start=start,
        end=rng.choice([None, f"{year}-{month:02d}-28"]) if start else None,
        countries=rng.sample(COUNTRIES, k=rng.choice((0, 1, 1, 2))),
        cities=[EventPlace(name="Almatı", country="KZ")],
        firms=rng.choice([None, rng.randint(2, 30)]),
        sources=[
            EventSource(document_id=f"d-{number}", ordinal=rng.randint(0, 3), status=status, published=None)
            for number in rng.sample(range(40), k=rng.choice((1, 1, 2, 3)))
        ],
    )


def loaded_afresh(store: Store, by: str, **params: object) -> list[ScoreboardCounts]:
    """The board as columns loaded in full from the store's tables right now count it."""
    with store.transaction():
        columns = EventColumns(*store._scoreboard_tables(None))
    filters = params.pop("filters", {})
    mask = columns.selected(
        year=params.get("year"),  # type: ignore[arg-type]
        date_from=params.get("date_from"),  # type: ignore[arg-type]
        date_to=params.get("date_to"),  # type: ignore[arg-type]
        filters=filters,  # type: ignore[arg-type]
    )
    return columns.rows(Store.SCOREBOARD_KEYS[by], mask)


def assert_boards_as_loaded_afresh(store: Store) -> None:
    for by, params in BOARDS:
        assert store.scoreboard_rows(by, **params) == loaded_afresh(store, by, **params), (by, params)  # type: ignore[arg-type]


def test_every_board_while_events_are_saved_changed_and_deleted(tmp_path: Path) -> None:
    rng = random.Random(14)
    path = tmp_path / "store.sqlite3"
    kept = projects(rng)
    with Store(path) as store, Store(path) as other:
        for number in range(60):
            project = rng.choice([*kept, None])
            store.save_event(an_event(rng, f"ev-{number}", project), project)
        assert_boards_as_loaded_afresh(store)
        took_in_changes = False
        for step in range(80):
            writer = rng.choice((store, store, other))
            ids = sorted(row[0] for row in writer._db.execute("SELECT id FROM events"))
            change = rng.random()
            if change < 0.3:  # a new event
                project = rng.choice([*kept, None])
                writer.save_event(an_event(rng, f"ev-new-{step}", project), project)
            elif change < 0.55:  # an event deleted
                writer.delete_event(rng.choice(ids))
            elif change < 0.8:  # an event told again: another status, dates, countries, sources
                event_id = rng.choice(ids)
                project = rng.choice([*kept, None])
                writer.save_event(an_event(rng, event_id, project), project)
            else:  # a project summed up again: its attributes on its events, in one transaction
                project = rng.choice(kept).model_copy(update={"province": rng.choice(PROVINCES)})
                with writer.transaction():
                    for event in writer.project_events(project.id):
                        writer.save_event(event, project)
            assert_boards_as_loaded_afresh(store)
            took_in_changes |= store._scoreboard_columns is not None and store._scoreboard_columns[1].dead > 0
        assert took_in_changes  # the store took changes in (rather than loading everything every time)


def test_a_store_the_log_was_pruned_past_loads_again(tmp_path: Path) -> None:
    rng = random.Random(15)
    path = tmp_path / "store.sqlite3"
    kept = projects(rng)
    with Store(path) as behind, Store(path) as busy:
        for number in range(40):
            project = rng.choice(kept)
            busy.save_event(an_event(rng, f"ev-{number}", project), project)
        assert_boards_as_loaded_afresh(behind)
        # Many changes, read by `busy` only: its columns load again and it prunes the log past `behind`.
        for round_ in range(6):
            for number in range(40):
                project = rng.choice(kept)
                busy.save_event(an_event(rng, f"ev-{number if round_ % 2 else number + 100}", project), project)
            busy.scoreboard_rows("project")
        pruned = busy._db.execute("SELECT through FROM event_changes_pruned").fetchone()
        assert pruned is not None and behind._scoreboard_columns is not None
        assert pruned[0] > behind._scoreboard_columns[0]
        assert busy._db.execute("SELECT COUNT(*) FROM event_changes").fetchone()[0] < busy.events_count()
        assert_boards_as_loaded_afresh(behind)


def test_many_changes_compact_the_columns(tmp_path: Path) -> None:
    rng = random.Random(16)
    kept = projects(rng)
    with Store(tmp_path / "store.sqlite3") as store:
        for number in range(40):
            project = rng.choice(kept)
            store.save_event(an_event(rng, f"ev-{number}", project), project)
        store.scoreboard_rows("project")
        for number in range(5):
            store.save_event(an_event(rng, f"ev-{number}", kept[0]), kept[0])
        assert_boards_as_loaded_afresh(store)
        # Taken in: the five saved again are dead (and any whose sources they took over).
        assert store._scoreboard_columns is not None and 5 <= store._scoreboard_columns[1].dead < 10
        vocabulary = store._scoreboard_columns[1].dates
        dead = []
        for number in range(5, 25):  # one change at a time, past a quarter of the positions dead
            store.save_event(an_event(rng, f"ev-{number}", kept[1]), kept[1])
            assert_boards_as_loaded_afresh(store)
            dead.append(store._scoreboard_columns[1].dead)
        # The dead positions were dropped, and changes taken in after: the columns were never loaded again
        # (their vocabularies are the ones loaded first).
        assert 0 in dead and dead[-1] > 0
        assert store._scoreboard_columns[1].dates is vocabulary


def test_a_board_inside_a_transaction_sees_its_writes_and_keeps_nothing_rolled_back(tmp_path: Path) -> None:
    rng = random.Random(17)
    kept = projects(rng)
    with Store(tmp_path / "store.sqlite3") as store:
        for number in range(20):
            store.save_event(an_event(rng, f"ev-{number}", kept[0]), kept[0])
        before = store.scoreboard_rows("project")
        with pytest.raises(RuntimeError), store.transaction():
            store.delete_event("ev-0")
            assert store.scoreboard_rows("project") == loaded_afresh(store, "project")
            assert store.scoreboard_rows("project") != before
            raise RuntimeError("the run failed: nothing it wrote stays")
        assert store.scoreboard_rows("project") == before
        # The positions the rolled-back changes had are given again: the change logged there is taken in.
        store.delete_event("ev-1")
        assert_boards_as_loaded_afresh(store)


def test_a_store_of_the_counter_kept_before_the_log_is_migrated(tmp_path: Path) -> None:
    """Stores written before the log kept a counter moved by triggers; opened now, the triggers are gone."""
    rng = random.Random(18)
    kept = projects(rng)
    path = tmp_path / "store.sqlite3"
    with Store(path) as store:
        store.save_event(an_event(rng, "ev-0", kept[0]), kept[0])
        store._db.executescript(
            "DROP TRIGGER events_insert_logs_event_change;"
            "CREATE TABLE events_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER);"
            "CREATE TRIGGER events_insert_moves_events_version AFTER INSERT ON events BEGIN "
            "INSERT INTO events_version (id, version) VALUES (1, 1) "
            "ON CONFLICT (id) DO UPDATE SET version = version + 1; END;"
        )
    with Store(path) as store:
        tables = {row[0] for row in store._db.execute("SELECT name FROM sqlite_master")}
        assert "events_version" not in tables and "events_insert_moves_events_version" not in tables
        assert "events_insert_logs_event_change" in tables
        store.scoreboard_rows("project")
        store.save_event(an_event(rng, "ev-1", kept[0]), kept[0])
        assert_boards_as_loaded_afresh(store)
        assert [row.events + row.planned for row in store.scoreboard_rows("project")] == [2]


def test_a_source_taken_over_by_another_event_leaves_the_first(tmp_path: Path) -> None:
    """A document's n-th event is one event: saving it for another event takes the source from the first."""
    rng = random.Random(19)
    carpet, furniture = projects(rng)[:2]
    told = EventSource(document_id="d-annual-report", ordinal=2, status=EventStatus.DONE)
    with Store(tmp_path / "store.sqlite3") as store:
        first = an_event(rng, "ev-carpet", carpet).model_copy(update={"sources": [told]})
        store.save_event(first, carpet)
        assert {row.key: row.documents for row in store.scoreboard_rows("project")} == {carpet.id: 1}
        store.save_event(an_event(rng, "ev-furniture", furniture).model_copy(update={"sources": [told]}), furniture)
        assert {row.key: row.documents for row in store.scoreboard_rows("project")} == {carpet.id: 0, furniture.id: 1}
        assert_boards_as_loaded_afresh(store)
