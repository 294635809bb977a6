"""Scoreboard latency over a large store: 100k documents and 300k events of 2,000 projects (by default).

Documents, projects and events are written through the store's own methods (upsert_page, save_project,
save_event) into a temporary store, then `Reader.scoreboard` answers a seeded mix of requests (by x year x
filters x sort x order) and the latencies' p50 and p95 are printed as JSON, with the first answer's time apart:
it loads the events tables as columns in full (and prunes the change log the fill left). The mix is answered
twice: with no writes, then with a document's events saved again (through the store, as an ingest does)
before every `--write-every`-th request, so those requests first take the changed events in; their latencies
are also given apart ("after_write").

The scoreboard reads events from the store (its events tables) on every backend: `--backend` only chooses
the search backend the Reader is built over (embedded, or elasticsearch/opensearch at `--search-url`), which
the scoreboard never queries, so the numbers hold for every backend alike.

    nice -n 10 python -m benchmarks.scoreboard_load                      # full size, embedded, a write every 10
    python -m benchmarks.scoreboard_load --documents 4000 --events 12000 --requests 50 --write-every 5  # smoke
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from api.reader import Reader
from api.schemas import SCOREBOARD_COLUMNS, ScoreboardBy, ScoreboardParams
from kume.config import Settings
from kume.labels import activity_codes
from kume.schema import EventPlace, EventRecord, EventSource, EventStatus, Page, ProjectRecord
from kume.store import Store
from search_api.backends import open_backend

COUNTRIES = ["DE", "KZ", "AZ", "US", "GB", "FR", "IT", "NL", "RU", "IQ", "SA", "AE", "UZ", "PL", "ES", "EG", "KE"]
PROGRAMS = ["UR-GE", "UR-GE", "UR-GE", "KOBI-KUMELENME", "EU-FUNDED", "TURQUALITY", "OTHER"]
SECTORS = ["C13", "C10", "C20", "C25", "C28", "C31", "C22", "C23", "C27", "C29", "A01", "C15", "C14", "J62"]
PROVINCES = ["İstanbul", "Ankara", "İzmir", "Bursa", "Kayseri", "Konya", "Gaziantep", "Denizli", "Manisa", "Uşak"]
CITIES = [("Almatı", "KZ"), ("Berlin", "DE"), ("Bakü", "AZ"), ("Moskova", "RU"), ("Dubai", "AE")]
YEARS = list(range(2016, 2026))
BATCH = 2000


def _zipf(rng: random.Random, items: list[str]) -> str:
    weights = [1 / (rank + 1) for rank in range(len(items))]
    return rng.choices(items, weights)[0]


def fill_store(store: Store, documents: int, events: int, projects: int, seed: int) -> dict[str, float]:
    """Synthetic documents, projects and events written through the store's methods; seconds each took."""
    rng = random.Random(seed)
    took: dict[str, float] = {}
    started = time.perf_counter()
    published: list[date] = []
    for number in range(documents):
        day = date(rng.choice(YEARS), rng.randint(1, 12), rng.randint(1, 28))
        published.append(day)
        store.upsert_page(
            Page(
                source=f"source-{number % 40}",
                url=f"https://news.example.org/{number}",
                fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
                raw=f"<p>document {number}</p>".encode(),
                title=f"Küme haberi {number}",
                body=f"UR-GE projesi kapsamında ticaret heyeti {number}.",
                published=day,
                language="tr",
            )
        )
    took["documents"] = time.perf_counter() - started
    started = time.perf_counter()
    records = [
        ProjectRecord(
            id=f"p-{number:05d}",
            name=f"{_zipf(rng, SECTORS)} UR-GE Projesi {number}",
            code=f"{rng.randint(16, 25)}.UR-GE.{number:03d}",
            program=_zipf(rng, PROGRAMS),
            coordinator=f"Odası {number % 600}",
            province=_zipf(rng, PROVINCES),
            sector=_zipf(rng, SECTORS),
        )
        for number in range(projects)
    ]
    for record in records:
        store.save_project(record)
    doc_ids = [row[0] for row in store.current_versions()]
    activities = activity_codes()
    for first in range(0, events, BATCH):
        with store.transaction():
            for number in range(first, min(first + BATCH, events)):
                project = records[int(rng.paretovariate(1.2) * 7) % projects]
                start = date(rng.choice(YEARS), rng.randint(1, 12), rng.randint(1, 28))
                told_by = rng.sample(range(len(doc_ids)), k=min(len(doc_ids), rng.choice((1, 1, 1, 2, 3))))
                status = EventStatus.PLANNED if rng.random() < 0.2 else EventStatus.DONE
                store.save_event(
                    EventRecord(
                        id=f"ev-{number:07d}",
                        activity=_zipf(rng, activities),
                        project_id=project.id,
                        status=status,
                        start=start.isoformat() if rng.random() < 0.9 else None,
                        end=(start + timedelta(days=rng.randint(0, 6))).isoformat(),
                        countries=sorted({_zipf(rng, COUNTRIES) for _ in range(rng.choice((0, 1, 1, 2)))}),
                        cities=[EventPlace(name=name, country=code) for name, code in rng.sample(CITIES, k=1)],
                        firms=rng.randint(3, 25) if rng.random() < 0.6 else None,
                        sources=[
                            EventSource(
                                document_id=doc_ids[index], ordinal=number, status=status, published=published[index]
                            )
                            for index in told_by
                        ],
                    ),
                    project,
                )
    took["projects_and_events"] = time.perf_counter() - started
    return took


def request_mix(count: int, seed: int) -> list[ScoreboardParams]:
    """Scoreboards people ask for: every kind of row, a year or all years or a range, none to two filters."""
    rng = random.Random(seed)
    sorts = [*SCOREBOARD_COLUMNS, *activity_codes()[:4]]
    mix = []
    for _ in range(count):
        values: dict[str, object] = {
            "by": rng.choice(list(ScoreboardBy)),
            "sort": rng.choice(sorts),
            "order": rng.choice(("desc", "asc")),
            "size": rng.choice((20, 50, 100)),
        }
        period = rng.random()
        if period < 0.5:
            values["year"] = rng.choice(YEARS)
        elif period < 0.65:
            year = rng.choice(YEARS)
            values["date_from"], values["date_to"] = date(year, 1, 1), date(year + 1, 6, 30)
        filters = {
            "program": lambda: _zipf(rng, PROGRAMS),
            "country": lambda: _zipf(rng, COUNTRIES),
            "sector": lambda: _zipf(rng, SECTORS),
            "province": lambda: _zipf(rng, PROVINCES),
            "activity": lambda: _zipf(rng, activity_codes()),
        }
        for name in rng.sample(list(filters), k=rng.choice((0, 0, 1, 1, 2))):
            values[name] = filters[name]()
        mix.append(ScoreboardParams.model_validate(values))
    return mix


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def save_again(store: Store, doc_id: str) -> int:
    """Save a document's events again, with their projects, as pipeline.events does once it is linked anew;
    how many."""
    events = [event for event_id in sorted(store.document_event_ids(doc_id)) if (event := store.event(event_id))]
    with store.transaction():
        for event in events:
            store.save_event(event, store.project(event.project_id) if event.project_id else None)
    return len(events)


def latencies(
    reader: Reader, mix: list[ScoreboardParams], write_every: int, documents: list[str], seed: int
) -> dict[str, object]:
    """p50/p95/max of answering `mix`, with a document's events saved again (untimed) before every
    `write_every`-th request (none with 0)."""
    rng = random.Random(seed)
    every: list[float] = []
    after_write: list[float] = []
    saved = 0
    slowest: tuple[float, str] = (0.0, "")
    for number, params in enumerate(mix):
        wrote = write_every > 0 and number % write_every == 0
        if wrote:
            saved += save_again(reader.store, rng.choice(documents))
        started = time.perf_counter()
        reader.scoreboard(params)
        elapsed = (time.perf_counter() - started) * 1000
        every.append(elapsed)
        if wrote:
            after_write.append(elapsed)
        slowest = max(slowest, (elapsed, params.model_dump_json(exclude_defaults=True)))
    summary: dict[str, object] = {
        "requests": len(every),
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(percentile(every, 0.95), 1),
        "max_ms": round(max(every), 1),
        "slowest": slowest[1],
    }
    if after_write:
        summary |= {
            "writes": len(after_write),
            "events_saved": saved,
            "after_write_p50_ms": round(statistics.median(after_write), 1),
            "after_write_p95_ms": round(percentile(after_write, 0.95), 1),
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--projects", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--write-every", type=int, default=10, help="Save a document's events again before every N-th request."
    )
    parser.add_argument("--backend", choices=("embedded", "elasticsearch", "opensearch"), default="embedded")
    parser.add_argument("--search-url", default=None, help="The Elasticsearch/OpenSearch URL (with --backend).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kume-scoreboard-") as folder:
        values: dict[str, object] = {"data_dir": Path(folder), "backend": args.backend}
        if args.search_url:
            values["search_url"] = args.search_url
        settings = Settings(**values)  # type: ignore[arg-type]
        store = Store(settings.store_path)
        took = fill_store(store, args.documents, args.events, args.projects, args.seed)
        reader = Reader(store, open_backend(settings))
        mix = request_mix(args.requests, args.seed)
        # The first answer loads the events tables as columns in full (as one after many changes does).
        started = time.perf_counter()
        reader.scoreboard(mix[0])
        load_seconds = time.perf_counter() - started
        for params in mix[1:10]:  # a few more warm the caches, as a running server's are
            reader.scoreboard(params)
        steady = latencies(reader, mix, 0, [], args.seed)
        documents = [doc_id for doc_id, _ in store.current_versions()]
        writing = latencies(reader, mix, args.write_every, documents, args.seed) if args.write_every else None
        reader.backend.close()
        store.close()
    print(
        json.dumps(
            {
                "backend": args.backend,
                "documents": args.documents,
                "events": args.events,
                "projects": args.projects,
                "fill_seconds": {name: round(seconds, 1) for name, seconds in took.items()},
                "first_answer_seconds": round(load_seconds, 2),
                "without_writes": steady,
                f"write_every_{args.write_every}": writing,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
