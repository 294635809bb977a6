"""Near-duplicate detection across sources: MinHash signatures of article bodies, LSH to find matches.

Signatures are kept in the store (its MinHash table) so that a later crawl
recognises a republished press release without recomputing anything.
"""

from __future__ import annotations

import re
import threading

import numpy as np
from datasketch import MinHash, MinHashLSH

from kume.store import Store

NUM_PERM = 128
THRESHOLD = 0.8
SHINGLE_WORDS = 5
# Stored hash values are only comparable when rebuilt with the scheme that made them.
SCHEME = "affine32"
# Very short texts (a caption, an error page) share most shingles by chance.
MIN_WORDS = 30

_WORD = re.compile(r"\w+")


def signature(text: str) -> MinHash | None:
    """MinHash of the text's word shingles, or None when it is too short to compare."""
    words = [word.lower() for word in _WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return None
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    minhash.update_batch(
        [" ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8") for i in range(len(words) - SHINGLE_WORDS + 1)]
    )
    return minhash


class DuplicateDetector:
    """Finds the earlier document a new one nearly duplicates, and remembers every signature it saw."""

    def __init__(self, store: Store) -> None:
        self._lock = threading.Lock()
        self._store = store
        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        dtype = MinHash(num_perm=NUM_PERM, scheme=SCHEME).hashvalues.dtype
        for doc_id, blob in store.signatures():
            stored = np.frombuffer(blob, dtype=dtype)
            self._lsh.insert(doc_id, MinHash(num_perm=NUM_PERM, hashvalues=stored, scheme=SCHEME))

    def check_and_add(self, doc_id: str, text: str) -> str | None:
        """The id of an earlier near-duplicate of `text`, if any; otherwise remember `doc_id` as a canonical text."""
        minhash = signature(text)
        if minhash is None:
            return None
        with self._lock:
            matches = sorted(match for match in self._lsh.query(minhash) if match != doc_id)
            if matches:
                return str(matches[0])
            if doc_id not in self._lsh:
                self._remember(doc_id, minhash)
        return None

    def replace(self, old_id: str, new_id: str, text: str) -> None:
        """Make `new_id` the canonical holder of a text instead of `old_id` (an earlier original turned up later)."""
        minhash = signature(text)
        if minhash is None:
            return
        with self._lock:
            if old_id in self._lsh:
                self._lsh.remove(old_id)
            self._store.delete_signature(old_id)
            self._remember(new_id, minhash)

    def _remember(self, doc_id: str, minhash: MinHash) -> None:
        self._store.save_signature(doc_id, minhash.hashvalues.tobytes())
        self._lsh.insert(doc_id, minhash)
