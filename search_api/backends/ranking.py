"""BM25 ranking for the embedded backend, over term-frequency postings held as numpy arrays.

FTS5 decides which documents match. Ranking them with FTS5's bm25() costs
about a microsecond per matched row (the auxiliary-function API decodes every
row's position lists): 60 ms for a term in 60% of 100,000 documents, which alone
breaks the latency the service needs. So each indexed batch also writes, per
term, one packed segment (rowids, title and body term frequencies) to
`postings_<generation>`; a query loads the segments of its terms once per index
state and scores its FTS5 matches with a few vectorised operations.

Segments are only ever appended. A deleted or replaced document's postings stay
behind until the next rebuild, which is harmless: rowids are never reused
(AUTOINCREMENT), a deleted document never comes out of FTS5 again, and its row
length is zero, which keeps it out of the document frequencies.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections import defaultdict
from itertools import count

import numpy as np

# Lucene's and Elasticsearch's BM25 constants.
K1 = 1.2
B = 0.75
TITLE_WEIGHT = 2.0
# Postings kept in memory per process (about 8 bytes each): broad terms stay warm, memory stays bounded.
CACHE_POSTINGS = 16_000_000
_TF_MAX = 65_535
_ZERO = array("q", [0])
_ONE = array("q", [1])

POSTINGS_SCHEMA = """
CREATE TABLE postings_{g} (
    term TEXT NOT NULL, segment INTEGER NOT NULL, rowids BLOB NOT NULL, tfs BLOB NOT NULL,
    PRIMARY KEY (term, segment)
) WITHOUT ROWID
"""


class PostingsWriter:
    """Collects the terms of added documents and writes them as one new postings segment per term.

    Adding only appends term numbers to flat arrays (a Counter and a posting append per term of
    each document took a quarter of all indexing time); the counting happens once per segment,
    in numpy.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        # A term's number is handed out on first sight: map() over defaultdict.__getitem__ stays in C.
        self._numbers: defaultdict[str, int] = defaultdict(count().__next__)
        # Per token: its term number, its column (0 title, 1 body) and its document's rowid.
        self._keys = array("q")
        self._columns = array("q")
        self._rowids = array("q")
        self.pending = 0

    def add(self, rowid: int, title_terms: list[str], body_terms: list[str]) -> None:
        lookup = self._numbers.__getitem__
        self._keys.extend(map(lookup, title_terms))
        self._keys.extend(map(lookup, body_terms))
        self._columns.extend(_ZERO * len(title_terms))
        self._columns.extend(_ONE * len(body_terms))
        self._rowids.extend(array("q", [rowid]) * (len(title_terms) + len(body_terms)))
        self.pending += 1

    def flush(self, db: sqlite3.Connection, generation: int, segment: int) -> None:
        """Write what was collected as segment `segment`: per term its rowids ascending and their (title, body) tfs."""
        if not self.pending:
            return
        keys = np.frombuffer(self._keys, dtype=np.int64)
        columns = np.frombuffer(self._columns, dtype=np.int64)
        rowids = np.frombuffer(self._rowids, dtype=np.int64)
        pairs, pair_of_token = np.unique((keys << 32) | rowids, return_inverse=True)
        # Title and body counts of each (term, document) pair, as one bincount over pair * 2 + column.
        counts = np.bincount(pair_of_token.ravel() * 2 + columns, minlength=2 * len(pairs))
        tfs = np.minimum(counts, _TF_MAX).astype(np.uint16)
        tf_pairs = tfs.reshape(-1, 2)
        pair_terms = pairs >> 32
        pair_rowids = (pairs & 0xFFFFFFFF).astype(np.int32)
        starts = np.flatnonzero(np.r_[True, pair_terms[1:] != pair_terms[:-1]])
        ends = np.r_[starts[1:], len(pairs)]
        terms = list(self._numbers)
        db.executemany(
            f"INSERT INTO postings_{generation} (term, segment, rowids, tfs) VALUES (?, ?, ?, ?)",
            (
                (terms[pair_terms[start]], segment, pair_rowids[start:end].tobytes(), tf_pairs[start:end].tobytes())
                for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
            ),
        )
        self._reset()


class Ranker:
    """BM25 scores of matched documents, for the index as it was when made (a write needs a new Ranker)."""

    def __init__(self, db: sqlite3.Connection, generation: int) -> None:
        self._db = db
        self._generation = generation
        rows = db.execute(f"SELECT rowid, length FROM docs_{generation}").fetchall()
        max_rowid = max((row[0] for row in rows), default=0)
        self._lengths = np.zeros(max_rowid + 1, dtype=np.float64)
        if rows:
            self._lengths[[row[0] for row in rows]] = [row[1] for row in rows]
        self._documents = len(rows)
        self._average_length = float(self._lengths.sum() / max(self._documents, 1)) or 1.0
        # term -> (rowids, weighted term frequencies, inverse document frequency)
        self._cache: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
        self._cached_postings = 0

    def _postings(self, term: str) -> tuple[np.ndarray, np.ndarray, float]:
        cached = self._cache.get(term)
        if cached is not None:
            return cached
        segments = self._db.execute(
            f"SELECT rowids, tfs FROM postings_{self._generation} WHERE term = ? ORDER BY segment", (term,)
        ).fetchall()
        rowids = np.concatenate([np.frombuffer(row[0], dtype=np.int32) for row in segments] or [np.empty(0, np.int32)])
        tfs = np.concatenate([np.frombuffer(row[1], dtype=np.uint16) for row in segments] or [np.empty(0, np.uint16)])
        pairs = tfs.reshape(-1, 2).astype(np.float64)
        weighted = TITLE_WEIGHT * pairs[:, 0] + pairs[:, 1]
        live = self._lengths[rowids[rowids < len(self._lengths)]] > 0
        frequency = int(np.count_nonzero(live))
        # Lucene's idf stays positive for terms in most documents, where the classic form goes negative.
        idf = float(np.log(1.0 + (self._documents - frequency + 0.5) / (frequency + 0.5)))
        entry = (rowids, weighted, idf)
        self._cached_postings += len(rowids)
        while self._cached_postings > CACHE_POSTINGS and self._cache:
            evicted = self._cache.pop(next(iter(self._cache)))
            self._cached_postings -= len(evicted[0])
        self._cache[term] = entry
        return entry

    def terms_starting(self, prefix: str, limit: int = 64) -> list[str]:
        """Index terms starting with `prefix` (the first `limit` in order), to rank a prefix search by."""
        rows = self._db.execute(
            f"SELECT DISTINCT term FROM postings_{self._generation} WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit),
        ).fetchall()
        return [row[0] for row in rows]

    def scores(self, terms: list[str], rids: np.ndarray) -> np.ndarray:
        """BM25 of each document in `rids` (ascending rowids) for the query terms it holds."""
        scores = np.zeros(len(rids), dtype=np.float64)
        if not len(rids):
            return scores
        norm = K1 * (1.0 - B + B * self._lengths[rids] / self._average_length)
        for term in terms:
            rowids, weighted, idf = self._postings(term)
            if not len(rowids):
                continue
            at = np.minimum(np.searchsorted(rowids, rids), len(rowids) - 1)
            held = rowids[at] == rids
            tf = np.where(held, weighted[at], 0.0)
            scores += idf * tf * (K1 + 1.0) / (tf + norm)
        return scores
