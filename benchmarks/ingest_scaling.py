"""How the time of one ingest grows with the store: `POST /v1/ingest` into stores of 2,000 and 20,000 documents.

For each size, a fresh data directory is filled with synthetic documents (benchmarks/synthetic_docs.py)
that already carry an extraction by the current pipeline version, with project mentions (most with an
official code, some named only by topic and coordinator, from a fixed universe of projects), so linking
and indexing have real work and extraction of the old documents has none. `kume extract` links them and
`kume index` builds the embedded index, both through the CLI; then `kume serve` answers a warm-up ingest
(it loads the spaCy pipelines) and the measured ingests of new texts. It prints one JSON object: median
and p90 seconds per ingest per size, and the ratio of the large store's median to the small one's.

    python benchmarks/ingest_scaling.py --json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.synthetic_docs import synthetic_documents  # noqa: E402 - the repo root must be importable first
from kume.schema import (  # noqa: E402
    ActivityFact,
    CountryFact,
    Extraction,
    Page,
    ProgramFact,
    ProjectFact,
    SectorFact,
)
from kume.store import Store  # noqa: E402
from nlp.pipeline import PIPELINE_VERSION  # noqa: E402

KEY = "bench-write-key"
KUME = [sys.executable, "-m", "kume_cli"]
# Projects without a code are a topic's project of one coordinator. With the codes below they make a fixed
# universe of projects, as a country has a few hundred export-cluster projects however much is written about
# them, so a larger store has more documents per project, not more projects.
TOPICS = ["Tekstil", "Mobilya", "Makine", "Gıda", "Kimya", "Yazılım", "Deri", "Seramik", "Halı", "Mermer"]
COORDINATORS = [
    f"{city} Ticaret ve Sanayi Odası"
    for city in (
        "Bursa",
        "Kayseri",
        "Denizli",
        "Konya",
        "Gaziantep",
        "Manisa",
        "Eskişehir",
        "Samsun",
        "Trabzon",
        "Malatya",
        "Sivas",
        "Adana",
    )
]
CODED_PROJECTS = 600


def _environment(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"KUME_DATA_DIR": str(data_dir), "KUME_API_KEY": KEY, "KUME_BACKEND": "embedded"})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def _project(rng: random.Random) -> ProjectFact:
    if rng.random() < 0.7:
        number = rng.randint(1, CODED_PROJECTS)
        return ProjectFact(name=f"UR-GE Projesi {number}", code=f"{20 + number % 5}.UR-GE.{number:03d}")
    topic = rng.choice(TOPICS)
    return ProjectFact(name=f"{topic} UR-GE Projesi", program="UR-GE", coordinator=rng.choice(COORDINATORS))


def fill_store(data_dir: Path, docs: int, seed: int) -> None:
    """Synthetic pages with extractions by the current pipeline version, so `kume extract` only links."""
    rng = random.Random(seed)
    with Store(data_dir / "store.sqlite3") as store:
        for doc in synthetic_documents(docs, seed):
            page = Page(
                source=doc.source,
                url=doc.url,
                fetched_at=datetime.now(UTC),
                raw=f"{doc.title}\n\n{doc.body}".encode(),
                content_type="text/plain; charset=utf-8",
                title=doc.title,
                body=doc.body,
                published=doc.published,
                language=doc.language,
            )
            upserted = store.upsert_page(page)
            extraction = Extraction(
                pipeline_version=PIPELINE_VERSION,
                language=doc.language,
                countries=[CountryFact(code=code) for code in doc.country],
                sectors=[SectorFact(code=code) for code in doc.sector],
                programs=[ProgramFact(code=code) for code in doc.program],
                activities=[ActivityFact(code=code) for code in doc.activity],
                projects=[_project(rng)] if rng.random() < 0.6 else [],
            )
            store.save_extraction(upserted.doc_id, upserted.version, extraction)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*KUME, "serve", "--port", str(port)],
        env=_environment(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_ready(base_url: str, server: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"kume serve exited with status {server.returncode} before it was ready")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"kume serve at {base_url} was not ready after {timeout} s")


def new_texts(count: int) -> Iterator[dict[str, str]]:
    for number in range(count):
        yield {
            "url": f"https://bench.example.org/haber/yeni-{number}",
            "source": "bench",
            "title": f"Mobilya UR-GE heyeti {number}. kez Kazakistan'da",
            "body": (
                f"Odamızın yürüttüğü Mobilya UR-GE Projesi (24.UR-GE.{number % 7 + 1:03d}) kapsamında {number + 5} "
                "firma 3-7 Haziran 2024 tarihlerinde Almatı'ya ticaret heyeti düzenledi. Kazak alıcılarla ikili "
                "iş görüşmeleri yapıldı; firmalar yeni pazarlarda iş birliği olanaklarını değerlendirdi."
            ),
            "published": "2024-06-12",
            "language": "tr",
        }


def measure(docs: int, ingests: int, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"kume-ingest-{docs}-") as directory:
        data_dir = Path(directory)
        started = time.perf_counter()
        fill_store(data_dir, docs, seed)
        env = _environment(data_dir)
        subprocess.run([*KUME, "extract"], env=env, check=True, capture_output=True)
        subprocess.run([*KUME, "index"], env=env, check=True, capture_output=True)
        prepared = time.perf_counter() - started
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = _serve(data_dir, port)
        try:
            _wait_ready(base_url, server)
            headers = {"X-API-Key": KEY}
            with httpx.Client(base_url=base_url, headers=headers, timeout=600) as client:
                texts = list(new_texts(ingests + 1))
                client.post("/v1/ingest", json=texts[0]).raise_for_status()  # loads the pipelines
                seconds = []
                for text in texts[1:]:
                    begun = time.perf_counter()
                    client.post("/v1/ingest", json=text).raise_for_status()
                    seconds.append(time.perf_counter() - begun)
        finally:
            server.terminate()
            server.wait(30)
    seconds.sort()
    return {
        "documents": docs,
        "prepare_seconds": round(prepared, 1),
        "ingests": len(seconds),
        "median_seconds": round(statistics.median(seconds), 4),
        "p90_seconds": round(seconds[int(0.9 * (len(seconds) - 1))], 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--ingests", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="Print only the JSON result.")
    args = parser.parse_args()
    rows = []
    for docs in args.sizes:
        rows.append(measure(docs, args.ingests, args.seed))
        if not args.json:
            print(rows[-1], file=sys.stderr)
    result = {
        "sizes": rows,
        "ratio_largest_to_smallest": round(float(rows[-1]["median_seconds"]) / float(rows[0]["median_seconds"]), 2),  # type: ignore[arg-type]
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
