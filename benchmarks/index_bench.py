"""Indexing throughput and query latency of a search backend on synthetic cluster news.

    python benchmarks/index_bench.py --backend embedded --docs 100000 --json
    python benchmarks/index_bench.py --backend elasticsearch --docs 100000 --json [--url http://127.0.0.1:9200]

Prints one JSON object: docs, index_docs_per_s (a full rebuild, text analysis
included; generating the documents is not timed), query_p50_ms / p95 / p99 over
a fixed mix of full-text, filtered and faceted queries (highlights on), and
index_bytes. Without --url the elasticsearch run starts its own node with
tests/support/elasticsearch.py. The mix repeats, so the embedded backend answers
its full-text matches from remembered match sets after the first round;
--no-match-cache measures every query's full-text match.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.synthetic_docs import synthetic_documents  # noqa: E402
from search_api.backends.elastic import ElasticBackend  # noqa: E402
from search_api.backends.embedded import EmbeddedBackend  # noqa: E402
from search_api.contract import IndexDocument, SearchBackend, SearchQuery, Sort  # noqa: E402

FACETS = ["country", "sector", "program", "activity"]
QUERY_MIX = [
    # full text
    SearchQuery(q="ihracat"),
    SearchQuery(q="Kazakistan ticaret heyeti"),
    SearchQuery(q="chamber assembly"),
    SearchQuery(q="kümelenme projesi eğitim"),
    SearchQuery(q="purchasing delegation", sort=Sort.DATE_DESC),
    # filtered
    SearchQuery(q="heyet", filters={"country": ["KZ"]}),
    SearchQuery(q="ihracatçı", filters={"program": ["UR-GE"], "language": ["tr"]}),
    SearchQuery(filters={"sector": ["C13"]}, published_from=date(2022, 1, 1), sort=Sort.DATE_DESC),
    SearchQuery(q="fair", event_from=date(2021, 3, 1), event_to=date(2021, 6, 30)),
    SearchQuery(filters={"city": ["İzmir|TR"], "activity": ["b2b_meeting"]}),
    # faceted
    SearchQuery(q="ihracat", facets=FACETS),
    SearchQuery(q="trade delegation", filters={"country": ["DE"]}, facets=FACETS),
    SearchQuery(filters={"source": ["gto"]}, facets=FACETS),
    SearchQuery(q="makine", published_from=date(2020, 1, 1), published_to=date(2020, 12, 31), facets=FACETS),
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@contextmanager
def opened(backend: str, url: str | None, workdir: Path, match_cache: bool) -> Iterator[tuple[SearchBackend, str]]:
    """The backend to measure, and a label for where it runs."""
    if backend == "embedded":
        embedded = EmbeddedBackend(workdir / "index.sqlite3", **({} if match_cache else {"match_cache_rowids": 0}))
        try:
            yield embedded, str(embedded.path)
        finally:
            embedded.close()
        return
    if url is not None:
        elastic = ElasticBackend.connect(url, f"kume-bench-{time.time_ns()}")
        try:
            yield elastic, url
        finally:
            for index in elastic.client.indices.get_alias(name=elastic.alias):
                elastic.client.indices.delete(index=index)
            elastic.close()
        return
    from tests.support.elasticsearch import ElasticsearchServer

    with ElasticsearchServer() as server:
        elastic = ElasticBackend.connect(server.url, "kume-bench")
        try:
            yield elastic, server.url
        finally:
            elastic.close()


def index_bytes(backend: SearchBackend) -> int:
    if isinstance(backend, EmbeddedBackend):
        return sum(path.stat().st_size for path in backend.path.parent.glob(backend.path.name + "*"))
    assert isinstance(backend, ElasticBackend)
    backend.client.indices.flush(index=backend.alias)
    stats = backend.client.indices.stats(index=backend.alias, metric="store")
    return int(stats["_all"]["primaries"]["store"]["size_in_bytes"])


def run(
    backend_name: str, docs: int, url: str | None, queries: int, seed: int, match_cache: bool = True
) -> dict[str, object]:
    corpus: list[IndexDocument] = list(synthetic_documents(docs, seed))
    with (
        tempfile.TemporaryDirectory(prefix="kume-bench-") as tmp,
        opened(backend_name, url, Path(tmp), match_cache) as (
            backend,
            where,
        ),
    ):
        started = time.perf_counter()
        written = backend.rebuild(corpus)
        index_seconds = time.perf_counter() - started
        # A serving process does not hold the corpus; keeping 100k documents alive here would make
        # the garbage collector's full passes part of every backend's query latency.
        corpus.clear()
        gc.collect()
        for query in QUERY_MIX:  # warm caches once, as a running service would be
            backend.search(query)
        latencies: list[float] = []
        by_query: dict[int, list[float]] = {}
        totals: dict[int, int] = {}
        for number in range(queries):
            query = QUERY_MIX[number % len(QUERY_MIX)]
            started = time.perf_counter()
            result = backend.search(query)
            latencies.append((time.perf_counter() - started) * 1000)
            by_query.setdefault(number % len(QUERY_MIX), []).append(latencies[-1])
            totals[number % len(QUERY_MIX)] = result.total
        size = index_bytes(backend)
    return {
        "backend": backend_name,
        "where": where,
        "match_cache": match_cache if backend_name == "embedded" else None,
        "docs": written,
        "index_seconds": round(index_seconds, 2),
        "index_docs_per_s": round(written / index_seconds, 1),
        "queries": queries,
        "query_p50_ms": round(statistics.median(latencies), 2),
        "query_p95_ms": round(percentile(latencies, 0.95), 2),
        "query_p99_ms": round(percentile(latencies, 0.99), 2),
        "query_max_ms": round(max(latencies), 2),
        "mean_hits_per_query": round(statistics.mean(totals.values()), 1),
        "index_bytes": size,
        "per_query": [
            {"query": _label(QUERY_MIX[number]), "hits": totals[number], "p50_ms": round(statistics.median(times), 2)}
            for number, times in sorted(by_query.items())
        ],
    }


def _label(query: SearchQuery) -> str:
    parts = [f"q={query.q!r}"] if query.q else []
    parts += [f"{facet}={','.join(values)}" for facet, values in query.filters.items()]
    if query.published_from or query.event_from:
        parts.append("dates")
    if query.facets:
        parts.append("facets")
    if query.sort != Sort.RELEVANCE:
        parts.append(query.sort.value)
    return " ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description="Index and query benchmark for kume's search backends.")
    parser.add_argument("--backend", choices=["embedded", "elasticsearch"], default="embedded")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=700, help="Queries timed, cycling through the fixed mix.")
    parser.add_argument("--url", help="An Elasticsearch to use instead of starting one.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="Print the result as one JSON object (the default).")
    parser.add_argument(
        "--no-match-cache",
        action="store_true",
        help="Embedded: remember no match sets, so every query of the repeating mix runs its full-text match.",
    )
    args = parser.parse_args()
    print(json.dumps(run(args.backend, args.docs, args.url, args.queries, args.seed, not args.no_match_cache)))


if __name__ == "__main__":
    main()
