"""Main-text extraction quality of kume's crawler against trafilatura's defaults, on the shared benchmark set.

Metric as defined in shared/README.md: `\\w+` tokens, word 4-gram shingle
multisets, per-page precision and recall averaged over pages, F1 the harmonic
mean of the two means. Usage: python benchmarks/article_extraction.py [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from crawler.maintext import MainTextError, extract_main_text  # noqa: E402

DATA_DIR = REPO_ROOT.parent / "shared" / "benchmarks" / "article-extraction"
TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text)
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def score(gold: dict[str, str], predicted: dict[str, str]) -> dict[str, float]:
    precisions, recalls = [], []
    for key, gold_body in gold.items():
        true, pred = shingles(gold_body), shingles(predicted.get(key, ""))
        tp, fp, fn = sum((true & pred).values()), sum((pred - true).values()), sum((true - pred).values())
        if tp + fp > 0:
            precisions.append(tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(tp / (tp + fn))
    precision = sum(precisions) / len(precisions)
    recall = sum(recalls) / len(recalls)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": round(f1, 4), "precision": round(precision, 4), "recall": round(recall, 4)}


def kume_body(raw: bytes, url: str) -> str:
    try:
        return extract_main_text(raw, url, "text/html", None).body
    except MainTextError:
        return ""


def trafilatura_default_body(raw: bytes, url: str) -> str:
    return trafilatura.extract(raw.decode("utf-8", errors="replace")) or ""


def run(extractor: Callable[[bytes, str], str], pages: dict[str, tuple[bytes, str]]) -> tuple[dict[str, str], float]:
    started = time.perf_counter()
    out = {key: extractor(raw, url) for key, (raw, url) in pages.items()}
    return out, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    truth_file = DATA_DIR / "ground-truth.json"
    if not truth_file.is_file():
        print(f"skipped: benchmark data not found at {DATA_DIR}", file=sys.stderr)
        return 0
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    gold = {key: entry.get("articleBody", "") for key, entry in truth.items()}
    pages = {
        key: (gzip.decompress((DATA_DIR / "html" / f"{key}.html.gz").read_bytes()), entry.get("url", ""))
        for key, entry in truth.items()
    }
    kume_out, kume_seconds = run(kume_body, pages)
    base_out, base_seconds = run(trafilatura_default_body, pages)
    result = {
        "pages": len(pages),
        "kume": {**score(gold, kume_out), "seconds": round(kume_seconds, 1)},
        "baseline_trafilatura_default": {
            **score(gold, base_out),
            "seconds": round(base_seconds, 1),
            "trafilatura_version": trafilatura.__version__,
        },
    }
    if args.json:
        print(json.dumps(result))
    else:
        for name in ("kume", "baseline_trafilatura_default"):
            r = result[name]
            print(f"{name:32s} F1 {r['f1']:.4f}  P {r['precision']:.4f}  R {r['recall']:.4f}  ({r['seconds']}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
