"""Documents per second of the full kume pipeline against the bare spaCy pipeline it builds on.

Same texts (the shared dev gold texts, repeated), same process count, one run each:
  - kume / bare ratio with 1 process (target >= 0.6)
  - kume with 2 processes / kume with 1 process (target >= 1.6)
The bare pipeline is the statistical part of each language's kume pipeline (the sourced NER;
a blank tokenizer where no Turkish model is shipped). Prints one JSON object.
"""

from __future__ import annotations

import os

# One BLAS thread per process: otherwise a "single" process already spreads its matrix products
# over both cores and the process-count comparison measures oversubscription.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import spacy  # noqa: E402
from spacy.language import Language  # noqa: E402

from kume.config import load_settings  # noqa: E402
from kume.schema import Document  # noqa: E402
from nlp.pipeline import Extractor, build_pipeline  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
KUME_COMPONENTS_PREFIX = "kume_"


def bare_pipeline(language: str) -> Language:
    """The kume pipeline without its kume_* components: what the rules are measured against."""
    nlp = build_pipeline(language, load_settings())
    for name in [n for n in nlp.pipe_names if n.startswith(KUME_COMPONENTS_PREFIX)]:
        nlp.remove_pipe(name)
    return nlp


CPU_SECONDS: dict[str, float] = {}


def timed(run: Callable[[], int], label: str = "") -> tuple[int, float]:
    """Documents done and wall seconds; CPU seconds (this process and its workers) are kept under `label`."""
    start, cpu_start = time.perf_counter(), os.times()
    count = run()
    cpu_end = os.times()
    if label:
        CPU_SECONDS[label] = round(
            (cpu_end.user + cpu_end.system + cpu_end.children_user + cpu_end.children_system)
            - (cpu_start.user + cpu_start.system + cpu_start.children_user + cpu_start.children_system),
            2,
        )
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="how many times the dev texts are repeated")
    args = parser.parse_args()
    gold = SHARED / "eval" / "dev.jsonl"
    if not gold.is_file():
        print(json.dumps({"skipped": f"gold texts not found at {gold}"}))
        sys.exit(0)
    records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    documents = [
        Document(
            id=f"{r['id']}-{copy}",
            version=1,
            source="bench",
            url=f"bench://{r['id']}/{copy}",
            fetched_at=datetime.now(UTC),
            language=r["lang"],
            body=r["text"],
            raw_ref="",
            content_hash="",
        )
        for copy in range(args.repeat)
        for r in records
    ]
    extractor = Extractor(load_settings())
    for language in ("tr", "en"):
        extractor.pipeline(language)  # loaded before timing
    bare = {language: bare_pipeline(language) for language in ("tr", "en")}

    def run_bare(processes: int) -> int:
        count = 0
        for language, nlp in bare.items():
            texts = [d.text for d in documents if d.language == language]
            count += sum(1 for _ in nlp.pipe(texts, n_process=processes, batch_size=16))
        return count

    def run_kume(processes: int) -> int:
        return sum(1 for _ in extractor.extract_documents(documents, n_process=processes, batch_size=16))

    run_kume(1)  # warm caches (lexicons, suffix analyses) the way a long run has them
    bare_count, bare_seconds = timed(lambda: run_bare(1), "bare_1proc")
    kume_count, kume_seconds = timed(lambda: run_kume(1), "kume_1proc")
    kume2_count, kume2_seconds = timed(lambda: run_kume(2), "kume_2proc")
    # The same two-process run of the bare pipelines shows what the machine gives a second process
    # right now (other jobs share its cores).
    bare2_count, bare2_seconds = timed(lambda: run_bare(2), "bare_2proc")
    bare_rate = bare_count / bare_seconds
    kume_rate = kume_count / kume_seconds
    kume2_rate = kume2_count / kume2_seconds
    print(
        json.dumps(
            {
                "documents": len(documents),
                "characters": sum(len(d.text) for d in documents),
                "bare_pipelines": {language: nlp.pipe_names for language, nlp in bare.items()},
                "spacy": spacy.__version__,
                "bare_docs_per_second_1proc": round(bare_rate, 1),
                "kume_docs_per_second_1proc": round(kume_rate, 1),
                "kume_docs_per_second_2proc": round(kume2_rate, 1),
                "kume_vs_bare_ratio": round(kume_rate / bare_rate, 3),
                "two_vs_one_process_speedup": round(kume2_rate / kume_rate, 3),
                "bare_docs_per_second_2proc": round(bare2_count / bare2_seconds, 1),
                "bare_two_vs_one_process_speedup": round((bare2_count / bare2_seconds) / bare_rate, 3),
                # Equal CPU seconds with 2 processes mean no parallel overhead: a speedup below 2 then
                # comes from the CPU the machine gives the workers, which load_average_1min shows.
                "cpu_seconds": CPU_SECONDS,
                # CPU seconds of the two-process run over the one-process run: what splitting the work
                # costs in itself (forking, page copies, shipping documents and results), load or not.
                "two_process_cpu_overhead": round(CPU_SECONDS["kume_2proc"] / CPU_SECONDS["kume_1proc"], 3),
                "cpu_count": os.cpu_count(),
                "load_average_1min": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
