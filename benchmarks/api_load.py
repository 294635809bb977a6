"""Load benchmark of the HTTP API: a search mix against uvicorn on 127.0.0.1, printed as JSON.

Builds (once, cached under ~/.cache/kume/bench) an index of synthetic documents
from benchmarks/synthetic_docs.py, runs `uvicorn api.app:app_from_environment`
in a separate process, and drives a fixed, seeded mix of searches (text, facet
filters, facet counts, date ranges, sorting, cursors) and stats requests from
an asyncio httpx client with bounded concurrency and a bounded request count.

    python benchmarks/api_load.py                       # embedded backend, 100,000 documents
    python benchmarks/api_load.py --backend elasticsearch    # starts a throw-away node (tests/support)
    python benchmarks/api_load.py --backend elasticsearch --search-url http://127.0.0.1:9200
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.synthetic_docs import (  # noqa: E402 - the repo root must be importable first
    COMPANY_KINDS,
    COMPANY_STEMS,
    COUNTRIES,
    COUNTRY_NAMES_EN,
    COUNTRY_NAMES_TR,
    EN_COMMON,
    PROGRAMS,
    SECTOR_WORDS_EN,
    SECTOR_WORDS_TR,
    SECTORS,
    TR_COMMON,
    TURKISH_CITIES,
    synthetic_documents,
)
from kume.config import Settings  # noqa: E402
from search_api.backends import open_backend  # noqa: E402
from search_api.contract import BackendUnavailable  # noqa: E402

CACHE_DIR = Path.home() / ".cache" / "kume" / "bench"
TARGET_RPS = 300
TARGET_P99_MS = 150


def index_code_version() -> str:
    """Hash of the code that builds and reads an index: a cached index made by other code is rebuilt."""
    files = sorted((REPO_ROOT / "search_api").glob("backends/*.py"))
    files += [REPO_ROOT / "search_api" / "analysis.py", REPO_ROOT / "benchmarks" / "synthetic_docs.py"]
    digest = hashlib.sha1()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build_index(settings: Settings, docs: int, seed: int) -> float | None:
    """Index the synthetic documents unless an index of exactly them is cached; seconds taken, or None if cached."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    marker = settings.data_dir / f"built-{settings.index_name}-{docs}-{seed}-{index_code_version()}"
    backend = open_backend(settings)
    try:
        if marker.exists():
            with suppress(BackendUnavailable):  # an unreadable cached index is simply rebuilt
                if backend.count() == docs:
                    return None
        for stale in settings.data_dir.glob("built-*"):
            stale.unlink()
        started = time.perf_counter()
        backend.rebuild(synthetic_documents(docs, seed))
        elapsed = time.perf_counter() - started
    finally:
        backend.close()
    marker.touch()
    return elapsed


def long_tail_vocabulary() -> list[str]:
    """Every word of the synthetic documents' sentence templates and names, for rarely repeated searches."""
    texts = [*TR_COMMON, *EN_COMMON, *TURKISH_CITIES, *COMPANY_STEMS, *COMPANY_KINDS]
    texts += [*COUNTRY_NAMES_TR.values(), *COUNTRY_NAMES_EN.values(), *SECTOR_WORDS_TR, *SECTOR_WORDS_EN]
    words = {word for text in texts for word in re.findall(r"[^\W\d_]{3,}", text.replace("{", " {"))}
    return sorted(words - {"org", "program", "company", "sector", "tcity"})


def request_mix(count: int, seed: int, language_share: float = 1 / 3) -> list[str]:
    """A seeded list of request paths: mostly searches of several shapes, some stats.

    Half of the free-text searches repeat a few dozen popular queries (as dashboards do); the other
    half pair two words from the whole vocabulary, so they rarely repeat and the service's caches
    of match sets do not answer them. A share of all queries (a third by default) are in the query
    language instead (phrases, OR, NOT, prefixes, fields and date ranges; see search_api/query.py);
    with a share of 0 the mix is the one kume sent before it had a query language.
    """
    rng = random.Random(seed)
    popular = [*COUNTRY_NAMES_TR.values(), *COUNTRY_NAMES_EN.values(), *SECTOR_WORDS_TR, *SECTOR_WORDS_EN]
    vocabulary = long_tail_vocabulary()
    phrases = ["ticaret heyeti", "trade delegation", "alım heyeti", "B2B görüşmeleri", "fuar", "UR-GE projesi"]

    def free_text() -> str:
        if rng.random() < 0.5:
            return rng.choice(popular + phrases)
        return " ".join(rng.sample(vocabulary, 2))

    def language_query() -> str:
        one, other = rng.sample(vocabulary, 2)
        year = rng.randint(2016, 2024)
        return rng.choice(
            [
                f'"{rng.choice(phrases)}"',
                f"{rng.choice(popular)} OR {rng.choice(popular)}",
                f"{rng.choice(phrases)} -{one}",
                f"{rng.choice(popular)} country:{rng.choice(COUNTRIES).lower()}",
                f"{one[:4]}* {other}",
                f"title:{one} OR title:{other}",
                f"date:[{year}-01-01 TO {year}-12-31] {rng.choice(popular)}",
                f"program:{rng.choice(PROGRAMS).lower()} ({one} OR {other})",
            ]
        )

    def text(chosen: str) -> str:
        return language_query() if language_share and rng.random() < language_share else chosen

    paths: list[str] = []
    for _ in range(count):
        kind = rng.random()
        params: list[tuple[str, str]] = []
        if kind < 0.35:  # text search with facet counts, as the web page sends it
            params = [("q", text(free_text())), ("facets", "country"), ("facets", "sector")]
            path = "/v1/search"
        elif kind < 0.55:  # text and filters
            params = [
                ("q", text(rng.choice(phrases))),
                ("country", rng.choice(COUNTRIES)),
                ("sector", rng.choice(SECTORS)),
            ]
            path = "/v1/search"
        elif kind < 0.70:  # filters only, newest first, a date range
            year = rng.randint(2016, 2024)
            params = [
                ("program", rng.choice(PROGRAMS)),
                ("country", rng.choice(COUNTRIES)),
                ("date_from", f"{year}-01-01"),
                ("date_to", f"{year}-12-31"),
                ("sort", "date_desc"),
            ]
            path = "/v1/search"
        elif kind < 0.80:  # a second page
            params = [("q", text(free_text())), ("size", "20"), ("sort", "date_asc")]
            path = "/v1/search"
        elif kind < 0.90:
            params = [("facet", "country"), ("q", text(rng.choice(phrases)))]
            path = "/v1/stats/top"
        else:
            params = [("interval", "year"), ("split_by", "program"), ("country", rng.choice(COUNTRIES))]
            path = "/v1/stats/timeseries"
        paths.append(f"{path}?{urlencode(params)}")
    return paths


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(settings: Settings, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KUME_DATA_DIR": str(settings.data_dir),
        "KUME_BACKEND": settings.backend,
        "KUME_SEARCH_URL": settings.search_url,
        "KUME_INDEX_NAME": settings.index_name,
        "PYTHONPATH": str(REPO_ROOT),
    }
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:app_from_environment",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return subprocess.Popen(argv, env=env, cwd=REPO_ROOT)


def server_cpu_seconds(pid: int) -> float:
    """User and system CPU of uvicorn's process and its workers (Linux /proc; 0 elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with suppress(OSError):
        pids += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for process in pids:
        with suppress(OSError):
            # Fields 14 and 15 (utime, stime) follow the parenthesised command name.
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def wait_ready(base_url: str, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited with status {server.returncode} before it was ready")
        try:
            if httpx.get(base_url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base_url}/readyz did not answer 200 within {timeout:.0f}s")


@dataclass
class Measurement:
    requests: int
    errors: int
    first_error: str | None
    wall_seconds: float
    latency_ms: dict[str, float]

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.wall_seconds

    def report(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "first_error": self.first_error,
            "wall_seconds": round(self.wall_seconds, 2),
            "requests_per_second": round(self.requests_per_second, 1),
            "latency_ms": self.latency_ms,
        }


async def _drive_httpx(base_url: str, paths: list[str], concurrency: int, time_limit: float) -> Measurement:
    latencies: list[float] = []
    errors: list[str] = []
    queue = iter(paths)
    deadline = time.monotonic() + time_limit
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

        async def worker() -> None:
            for path in queue:
                if time.monotonic() > deadline:
                    return
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                    if response.status_code != 200:
                        errors.append(f"{path}: HTTP {response.status_code} {response.text[:200]}")
                except httpx.HTTPError as exc:
                    errors.append(f"{path}: {type(exc).__name__}: {exc}")
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    latency = {"p50": quantiles[49], "p90": quantiles[89], "p99": quantiles[98], "max": max(latencies)}
    return Measurement(
        len(latencies), len(errors), errors[0] if errors else None, wall, {k: round(v, 1) for k, v in latency.items()}
    )


# wrk sends requests from a Lua script: this one cycles through the request mix for wrk's fixed
# duration and prints the counts and percentiles as JSON.
WRK_SCRIPT = """
local paths = {%(paths)s}
local sent = 0
request = function()
  sent = sent + 1
  return wrk.format("GET", paths[(sent - 1) %% #paths + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "errors": %%d, "p50": %%d, "p90": %%d, "p99": %%d, "max": %%d}\\n',
    summary.requests, summary.duration, e.status + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def _drive_wrk(base_url: str, paths: list[str], concurrency: int, seconds: float) -> Measurement:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": ",".join(f"[[{path}]]" for path in paths)})
    try:
        argv = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, int(seconds))}s", "--timeout", "30s", "-s", script.name]
        output = subprocess.run([*argv, base_url], capture_output=True, text=True, check=True).stdout
    finally:
        Path(script.name).unlink()
    result = json.loads(output.strip().splitlines()[-1])
    latency = {key: round(result[key] / 1000, 1) for key in ("p50", "p90", "p99", "max")}
    first_error = "non-200 answers or socket errors (wrk counts them, not their text)" if result["errors"] else None
    return Measurement(result["requests"], result["errors"], first_error, result["duration_us"] / 1e6, latency)


def drive(client: str, base_url: str, paths: list[str], concurrency: int, seconds: float) -> Measurement:
    """Load with `concurrency` requests in flight: httpx sends each path once (stopping after `seconds`);
    wrk cycles through the paths for exactly `seconds`."""
    if client == "wrk":
        return _drive_wrk(base_url, paths, concurrency, seconds)
    return asyncio.run(_drive_httpx(base_url, paths, concurrency, seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=["embedded", "elasticsearch", "opensearch"], default="embedded")
    parser.add_argument("--search-url", help="A running Elasticsearch/OpenSearch; default: start a local node.")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--requests", type=int, default=3000, help="Length of the request mix (httpx sends each once, wrk cycles it)."
    )
    parser.add_argument("--duration", type=float, default=30, help="Seconds of measured load with wrk.")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    # One process per core: a worker serialises its searches on one SQLite connection and the GIL.
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="uvicorn worker processes.")
    parser.add_argument(
        "--client",
        choices=["wrk", "httpx"],
        default="wrk" if shutil.which("wrk") else "httpx",
        help="Load generator: Debian's wrk (light on the shared CPU; default when installed) or asyncio httpx.",
    )
    parser.add_argument("--time-limit", type=float, default=300, help="httpx: stop sending after this many seconds.")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument(
        "--query-language-share",
        type=float,
        default=1 / 3,
        help="Share of the queries written in the query language (0: the plain-text mix of earlier kume).",
    )
    args = parser.parse_args()
    with ExitStack() as stack:
        search_url = args.search_url
        if args.backend != "embedded" and search_url is None:
            from tests.support.elasticsearch import ElasticsearchServer

            search_url = stack.enter_context(ElasticsearchServer(heap="-Xms1g -Xmx1g")).url
        print(json.dumps(run(args, search_url or "http://127.0.0.1:9200")))


def run(args: argparse.Namespace, search_url: str) -> dict[str, object]:
    data_dir = args.cache_dir / f"{args.backend}-{args.docs}-{args.seed}"
    settings = Settings(
        data_dir=data_dir, backend=args.backend, search_url=search_url, index_name=f"kume-bench-{args.docs}"
    )
    build_seconds = build_index(settings, args.docs, args.seed)

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = start_server(settings, port, args.workers)
    try:
        wait_ready(base_url, server)
        seconds = args.time_limit if args.client == "httpx" else args.duration
        warmup = request_mix(args.warmup, args.seed + 1, args.query_language_share)
        drive(args.client, base_url, warmup, args.concurrency, min(seconds, 10))
        # Baseline in the same run: the HTTP stack and the client alone, no store or backend behind the route.
        baseline = drive(args.client, base_url, ["/healthz"] * args.requests, args.concurrency, min(seconds, 10))
        cpu_before = server_cpu_seconds(server.pid)
        mix = request_mix(args.requests, args.seed, args.query_language_share)
        measured = drive(args.client, base_url, mix, args.concurrency, seconds)
        cpu_per_request_ms = (server_cpu_seconds(server.pid) - cpu_before) * 1000 / max(measured.requests, 1)
        load_average = os.getloadavg()
    finally:
        server.terminate()
        server.wait(30)

    p99 = measured.latency_ms["p99"]
    return {
        "benchmark": "api_load",
        "backend": args.backend,
        "documents": args.docs,
        "index_build_seconds": round(build_seconds, 1) if build_seconds is not None else "cached",
        "client": args.client,
        "uvicorn_workers": args.workers,
        "concurrency": args.concurrency,
        "query_language_share": round(args.query_language_share, 3),
        "search_mix": measured.report(),
        # CPU the server spent per request: unlike requests/s, other jobs on the machine barely move it.
        "server_cpu_ms_per_request": round(cpu_per_request_ms, 2),
        "baseline_healthz": baseline.report(),
        "load_average_1m_after": round(load_average[0], 2),
        "target": {"requests_per_second": TARGET_RPS, "p99_ms": TARGET_P99_MS},
        "target_met": measured.requests_per_second >= TARGET_RPS and p99 <= TARGET_P99_MS and not measured.errors,
    }


if __name__ == "__main__":
    main()
