"""The embedded search backend: SQLite FTS5 (BM25) in one file beside the store, no server.

Text is indexed as the pre-analysed terms of `search_api.analysis`; facets and
event dates live in ordinary indexed tables. All tables of one index carry a
generation number: a rebuild fills generation N+1 while readers keep using N,
then one committed write to `meta` switches every reader (in this process or
another) at once and generation N is dropped. WAL mode lets readers go on while
the indexer writes.
"""

from __future__ import annotations

import bisect
import functools
import sqlite3
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from search_api import analysis
from search_api import query as query_language
from search_api.backends import common
from search_api.backends.ranking import POSTINGS_SCHEMA, PostingsWriter, Ranker
from search_api.contract import (
    BackendUnavailable,
    FacetCount,
    HistogramBucket,
    IndexDocument,
    IndexedValue,
    Interval,
    SearchHit,
    SearchQuery,
    SearchResult,
    Sort,
)
from search_api.query import And, Everything, Facet, Node, Not, Or, Phrase, Plan, Prefix, Range, Term
from search_api.vocabulary import Vocabulary

BATCH_SIZE = 500
# A rebuild writes postings in segments of this many documents: fewer segments per term to read back,
# bounded memory while collecting.
REBUILD_SEGMENT_DOCS = 25_000
# Rowids of recent match sets kept per process (8 bytes each).
MATCH_CACHE_ROWIDS = 4_000_000
CACHE_KIB = 64 * 1024
MMAP_BYTES = 1024 * 1024 * 1024
# zlib level 1 packs these documents nearly as small as level 6 (0.31 vs 0.29 of the JSON) in less time.
STORED_COMPRESSION = 1
_SUGGEST_END = "\U0010ffff"

_GENERATION_SCHEMA = (
    """
CREATE TABLE docs_{g} (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, published TEXT, length INTEGER NOT NULL
);
CREATE TABLE stored_{g} (rowid INTEGER PRIMARY KEY, doc BLOB NOT NULL);
CREATE VIRTUAL TABLE text_{g} USING fts5(
    title, body, title_compounds, body_compounds, content = '', tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TABLE facets_{g} (doc INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL, folded TEXT NOT NULL);
CREATE TABLE events_{g} (doc INTEGER NOT NULL, start TEXT NOT NULL, "end" TEXT NOT NULL);
CREATE TABLE names_{g} (doc INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL, name TEXT NOT NULL);
"""
    + POSTINGS_SCHEMA
    + ";"
)
# Built after a rebuild has loaded every document: one sort per index instead of an insert per row.
_GENERATION_INDEXES = """
CREATE INDEX docs_{g}_published ON docs_{g}(published, id);
CREATE INDEX docs_{g}_newest ON docs_{g}(published DESC, id);
CREATE INDEX facets_{g}_value ON facets_{g}(facet, value, doc);
CREATE INDEX facets_{g}_doc ON facets_{g}(doc, facet, value);
CREATE INDEX facets_{g}_folded ON facets_{g}(facet, folded);
CREATE INDEX events_{g}_doc ON events_{g}(doc, start, "end");
CREATE INDEX names_{g}_doc ON names_{g}(doc);
"""
_GENERATION_TABLES = ("docs", "stored", "text", "facets", "events", "names", "postings")
_TEXT_COLUMNS = "title, body, title_compounds, body_compounds"
# The full-text columns a word (not a phrase) is looked for in, with or without a title: field.
_WORD_COLUMNS = {False: "", True: "{title title_compounds} : "}
_PHRASE_COLUMNS = {False: "{title body} : ", True: "{title} : "}

# Period of an ISO date column in SQL, so grouping happens in SQLite rather than over fetched rows.
_PERIOD_SQL = {
    Interval.MONTH: "substr({col}, 1, 7)",
    Interval.QUARTER: "substr({col}, 1, 4) || '-Q' || ((CAST(substr({col}, 6, 2) AS INTEGER) + 2) / 3)",
    Interval.YEAR: "substr({col}, 1, 4)",
}


class EmbeddedBackend:
    """SearchBackend over an SQLite FTS5 file."""

    answers_in_process = True

    def __init__(self, path: Path | str, *, match_cache_rowids: int = MATCH_CACHE_ROWIDS) -> None:
        """Open or create the index; `match_cache_rowids` bounds the remembered match sets (0: none)."""
        self.path = Path(path)
        self._lock = threading.RLock()
        self._match_cache_rowids = match_cache_rowids
        self._in_memory: _InMemory | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            # auto_vacuum only takes effect on a new file; it lets a rebuild hand dropped pages back.
            self._db.execute("PRAGMA auto_vacuum = INCREMENTAL")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
            self._db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            self._db.execute("PRAGMA temp_store = MEMORY")
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            with self._transaction():
                if self._generation_or_none() is None:
                    self._create_generation(1)
                    self._db.execute("INSERT INTO meta (key, value) VALUES ('generation', '1')")
                self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('version', '0')")
                self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('segment', '0')")
        except (sqlite3.DatabaseError, OSError) as exc:
            raise BackendUnavailable(f"embedded index {self.path} cannot be opened: {exc}") from exc

    # -- plumbing ------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """One read transaction, so a rebuild switching generations mid-request is never half seen."""
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    def _generation_or_none(self) -> int | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else None

    def _state(self) -> tuple[int, int]:
        """(generation, version): which tables to read, and how many writes they have seen."""
        state = dict(self._db.execute("SELECT key, value FROM meta WHERE key IN ('generation', 'version')"))
        if "generation" not in state:
            raise BackendUnavailable(f"embedded index {self.path} has no generation recorded")
        return int(state["generation"]), int(state.get("version", 0))

    def _bump_version(self) -> None:
        self._db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")

    def _loaded(self) -> _InMemory:
        """What this process holds in memory of the index as it is now; any write since means a fresh one."""
        state = self._state()
        if self._in_memory is None or self._in_memory.state != state:
            self._check_layout(state[0])
            self._in_memory = _InMemory(self._db, state, self._match_cache_rowids)
        return self._in_memory

    def _generation(self) -> int:
        generation = self._generation_or_none()
        if generation is None:
            raise BackendUnavailable(f"embedded index {self.path} has no generation recorded")
        return generation

    def _create_generation(self, generation: int, *, indexes: bool = True) -> None:
        self._execute_each(_GENERATION_SCHEMA.format(g=generation))
        if indexes:
            self._execute_each(_GENERATION_INDEXES.format(g=generation))

    def _execute_each(self, script: str) -> None:
        # One statement at a time: executescript would commit the caller's open transaction.
        for statement in script.split(";"):
            if statement.strip():
                self._db.execute(statement)

    def _drop_generation(self, generation: int) -> None:
        for table in _GENERATION_TABLES:
            self._db.execute(f"DROP TABLE IF EXISTS {table}_{generation}")

    def _stale_generations(self, keep: int) -> set[int]:
        names = [row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        generations = set()
        for name in names:
            prefix, _, suffix = name.partition("_")
            if prefix in _GENERATION_TABLES and suffix.isdigit():
                generations.add(int(suffix))
        return generations - {keep}

    @contextmanager
    def _guarded(self, action: str) -> Iterator[None]:
        """Turns SQLite failures into BackendUnavailable naming the index file."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise BackendUnavailable(f"cannot {action} embedded index {self.path}: {exc}") from exc

    # -- writing -------------------------------------------------------------

    def bulk_upsert(self, docs: Iterable[IndexDocument]) -> int:
        written = 0
        with self._guarded("write to"), self._lock:
            generation = self._generation()
            self._check_layout(generation)
            postings = PostingsWriter()
            for batch in _batches(docs, BATCH_SIZE):
                with self._transaction():
                    self._delete_ids(generation, [doc.id for doc in batch])
                    self._insert(generation, batch, postings)
                    postings.flush(self._db, generation, self._next_segment())
                    self._bump_version()
                written += len(batch)
        return written

    def delete(self, ids: Iterable[str]) -> int:
        deleted = 0
        with self._guarded("delete from"), self._lock:
            generation = self._generation()
            for batch in _batches(ids, BATCH_SIZE):
                with self._transaction():
                    deleted += self._delete_ids(generation, batch)
                    self._bump_version()
        return deleted

    def rebuild(self, docs: Iterable[IndexDocument]) -> int:
        with self._guarded("rebuild"), self._lock:
            current = self._generation()
            with self._transaction():
                for stale in self._stale_generations(keep=current):
                    self._drop_generation(stale)
            new = current + 1
            with self._transaction():
                self._create_generation(new, indexes=False)
            written = 0
            postings = PostingsWriter()
            for batch in _batches(docs, BATCH_SIZE):
                with self._transaction():
                    self._insert(new, batch, postings)
                    if postings.pending >= REBUILD_SEGMENT_DOCS:
                        postings.flush(self._db, new, self._next_segment())
                written += len(batch)
            with self._transaction():
                postings.flush(self._db, new, self._next_segment())
                self._execute_each(_GENERATION_INDEXES.format(g=new))
            # Merging FTS5 segments once makes every later query cheaper.
            self._db.execute(f"INSERT INTO text_{new}(text_{new}) VALUES ('optimize')")
            with self._transaction():
                self._db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(new),))
            with self._transaction():
                self._drop_generation(current)
            # Each step of the pragma frees one page and execute() steps once; executescript runs it to the end.
            self._db.executescript("PRAGMA incremental_vacuum;")
        return written

    def _next_segment(self) -> int:
        self._db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'segment'")
        return int(self._db.execute("SELECT value FROM meta WHERE key = 'segment'").fetchone()[0])

    def _insert(self, generation: int, batch: list[IndexDocument], postings: PostingsWriter) -> None:
        # Rowids are handed out here, so each table takes the whole batch in one executemany; the
        # AUTOINCREMENT counter still moves past them, so no rowid of a deleted document comes back.
        first = self._next_rowid(generation)
        docs, stored, text, facets, events, names = [], [], [], [], [], []
        for rowid, doc in enumerate(batch, start=first):
            title_terms, body_terms, title_compounds, body_compounds = _columns(doc)
            published = doc.published.isoformat() if doc.published else None
            docs.append((rowid, doc.id, published, len(title_terms) + len(body_terms)))
            stored.append((rowid, _pack(doc)))
            columns = (title_terms, body_terms, title_compounds, body_compounds)
            text.append((rowid, *(" ".join(terms) for terms in columns)))
            postings.add(rowid, title_terms + title_compounds, body_terms + body_compounds)
            names += [(rowid, name.facet, name.value, name.name) for name in doc.names]
            facets += [
                (rowid, facet, value, analysis.fold_key(value))
                for facet, values in common.facet_values(doc).items()
                for value in values
            ]
            events += [(rowid, *common.event_bounds(event)) for event in doc.event_dates]
        db = self._db
        db.executemany(f"INSERT INTO docs_{generation} (rowid, id, published, length) VALUES (?, ?, ?, ?)", docs)
        db.executemany(f"INSERT INTO stored_{generation} (rowid, doc) VALUES (?, ?)", stored)
        db.executemany(
            f"INSERT INTO text_{generation} (rowid, {_TEXT_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
            text,
        )
        db.executemany(f"INSERT INTO names_{generation} (doc, facet, value, name) VALUES (?, ?, ?, ?)", names)
        db.executemany(f"INSERT INTO facets_{generation} (doc, facet, value, folded) VALUES (?, ?, ?, ?)", facets)
        db.executemany(f'INSERT INTO events_{generation} (doc, start, "end") VALUES (?, ?, ?)', events)

    def _next_rowid(self, generation: int) -> int:
        used = self._db.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'docs_{generation}'), 0), "
            f"COALESCE((SELECT MAX(rowid) FROM docs_{generation}), 0))"
        ).fetchone()[0]
        return int(used) + 1

    def _delete_ids(self, generation: int, ids: list[str]) -> int:
        marks = ",".join("?" * len(ids))
        rowids = [row[0] for row in self._db.execute(f"SELECT rowid FROM docs_{generation} WHERE id IN ({marks})", ids)]
        if not rowids:
            return 0
        row_marks = ",".join("?" * len(rowids))
        # The full-text table is contentless (the stored document already holds the text); FTS5 removes a
        # row of such a table given the values it indexed, which the analysis gives again.
        for rowid, stored in self._db.execute(
            f"SELECT rowid, doc FROM stored_{generation} WHERE rowid IN ({row_marks})", rowids
        ).fetchall():
            columns = (" ".join(terms) for terms in _columns(_unpack(stored)))
            self._db.execute(
                f"INSERT INTO text_{generation} (text_{generation}, rowid, {_TEXT_COLUMNS}) "
                "VALUES ('delete', ?, ?, ?, ?, ?)",
                (rowid, *columns),
            )
        for table, column in (
            ("facets", "doc"),
            ("events", "doc"),
            ("names", "doc"),
            ("stored", "rowid"),
            ("docs", "rowid"),
        ):
            self._db.execute(f"DELETE FROM {table}_{generation} WHERE {column} IN ({row_marks})", rowids)
        return len(rowids)

    # -- reading -------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        common.check_query(query)
        with self._guarded("search"), self._lock, self._snapshot():
            memory = self._loaded()
            plan = query_language.plan(query.q, memory.vocabulary)
            sort = common.effective_sort(query, plan)
            if query.cursor is not None:  # checked even when no page needs it (nothing matches, size 0)
                common.decode_cursor(query.cursor, _RELEVANCE_CURSOR if sort == Sort.RELEVANCE else _DATE_CURSOR)
            generation = memory.state[0]
            selection = _Selection(generation, query, plan)
            narrowed = selection.filtered or any(query.filters.values()) or selection.tree is not None
            # effective_sort leaves relevance only to queries with words.
            ranked = sort == Sort.RELEVANCE
            rids = None
            if narrowed or query.facets or selection.text:
                rids = self._matching_rowids(memory, selection, query)
                total = len(rids)
            else:
                # Text-less and unfiltered: count without visiting rows.
                total = int(self._db.execute(selection.count_sql(), selection.params).fetchone()[0])
            if ranked:
                assert rids is not None
                rows, next_cursor = self._ranked_page(memory, query, plan, rids)
            elif rids is not None:
                rows, next_cursor = memory.dates.page(rids, sort, query.cursor, query.size)
            else:
                # Every document: the published-date indexes serve the order and stop after the page.
                rows, next_cursor = self._dated_page(selection, query, sort)
            hits = self._hits(generation, rows, query, plan)
            facets = {}
            if query.facets and rids is not None:
                facets = self._facet_counts(memory, rids, query.facets, query.facet_size)
        return SearchResult(total=total, hits=hits, facets=facets, next_cursor=next_cursor)

    def _check_layout(self, generation: int) -> None:
        """Indexes written before ranking postings existed cannot be ranked or extended: say how to fix that."""
        if not self._db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (f"names_{generation}",)).fetchone():
            raise BackendUnavailable(
                f"embedded index {self.path} was built by an older kume; rebuild it from the store with `kume index`"
            )

    def _ranked_page(
        self, memory: _InMemory, query: SearchQuery, plan: Plan, rids: np.ndarray
    ) -> tuple[list[tuple[int, float]], str | None]:
        """The page's (rowid, score) by BM25, best first, ties by rowid; resumes after the cursor's (score, rowid)."""
        if query.size == 0:
            return [], None
        terms = set(plan.terms)
        for prefix in plan.prefixes:
            terms.update(memory.ranker.terms_starting(prefix))
        scores = memory.ranker.scores(sorted(terms), rids)
        if query.cursor is not None:
            last_score, last_rid = _relevance_cursor(query.cursor)
            beyond = (scores < last_score) | ((scores == last_score) & (rids > last_rid))
            rids, scores = rids[beyond], scores[beyond]
        wanted = query.size + 1
        if len(rids) > wanted:
            # Only scores at least as good as the wanted-th best can be on the page (ties included).
            threshold = -np.partition(-scores, wanted - 1)[wanted - 1]
            contenders = scores >= threshold
            rids, scores = rids[contenders], scores[contenders]
        order = np.lexsort((rids, -scores))[:wanted]
        rows = [(int(rids[i]), float(scores[i])) for i in order]
        more = len(rows) > query.size
        rows = rows[: query.size]
        next_cursor = common.encode_cursor([rows[-1][1], rows[-1][0]]) if more else None
        return rows, next_cursor

    def _dated_page(
        self, selection: _Selection, query: SearchQuery, sort: Sort
    ) -> tuple[list[tuple[int, float]], str | None]:
        """The page's (rowid, 0.0) in date order; resumes after the cursor's (published, id)."""
        if query.size == 0:
            return [], None
        after_sql, after_params = _after_date(sort, query.cursor)
        order = {
            # SQLite sorts NULL lowest, so undated documents already come last, and the published-date
            # indexes serve the order: the page stops after `size` rows instead of sorting them all.
            Sort.DATE_DESC: "m.published DESC, m.id ASC",
            Sort.DATE_ASC: "m.published IS NULL, m.published ASC, m.id ASC",
        }[sort]
        rows = self._db.execute(
            f"SELECT m.rid, m.published, m.id FROM ({selection.rows_sql()}) m WHERE {after_sql} "
            f"ORDER BY {order} LIMIT ?",
            [*selection.params, *after_params, query.size + 1],
        ).fetchall()
        more = len(rows) > query.size
        rows = rows[: query.size]
        next_cursor = common.encode_cursor([rows[-1][1], rows[-1][2]]) if more else None
        return [(row[0], 0.0) for row in rows], next_cursor

    def _hits(self, generation: int, rows: list[tuple[int, float]], query: SearchQuery, plan: Plan) -> list[SearchHit]:
        if not rows:
            return []
        stored = dict(
            self._db.execute(
                f"SELECT rowid, doc FROM stored_{generation} WHERE rowid IN ({','.join('?' * len(rows))})",
                [rowid for rowid, _ in rows],
            ).fetchall()
        )
        return [common.hit_from_document(_unpack(stored[rowid]), score, query, plan) for rowid, score in rows]

    def _matching_rowids(self, memory: _InMemory, selection: _Selection, query: SearchQuery) -> np.ndarray:
        """Rowids of every match, ascending: `selection` (text, dates, events) run once in SQL, then the facet filters.

        Facet filters are a mask over rowids from the in-memory facet columns, where a subquery per
        filter built a temporary index (of, say, every Turkish document) on each request.
        """
        facet_filters = {facet: values for facet, values in query.filters.items() if values}
        if selection.tree is not None:
            rids = self._evaluate(memory, selection.tree)
            if selection.conditions:
                rids = np.intersect1d(rids, self._rowids(memory, selection), assume_unique=True)
        elif facet_filters and not selection.conditions:
            return np.flatnonzero(memory.columns.documents_with(facet_filters))
        else:
            rids = self._rowids(memory, selection)
        if facet_filters:
            rids = rids[memory.columns.documents_with(facet_filters)[rids]]
        return rids

    def _rowids(self, memory: _InMemory, selection: _Selection) -> np.ndarray:
        sql = selection.rowids_sql()
        return memory.matches.get((sql, *selection.params), lambda: self._run_rowids(sql, selection.params))

    def _run_rowids(self, sql: str, params: list[Any]) -> np.ndarray:
        # The rowids travel as one comma-joined string parsed by numpy: a Python object per matched row
        # would cost more than the full-text match itself on broad queries.
        joined = self._db.execute(sql, params).fetchone()[0]
        rowids = np.fromstring(joined or "", sep=",", dtype=np.int64)
        rowids.sort()
        return rowids

    def _evaluate(self, memory: _InMemory, node: Node) -> np.ndarray:
        """Ascending rowids of the documents a query tree that mixes words with facets or dates matches.

        Each maximal part made of words only runs as one FTS5 match; facets, dates and the boolean
        operators between such parts are set operations on sorted rowid arrays.
        """
        return memory.matches.get(("tree", node), lambda: self._evaluate_uncached(memory, node))

    def _evaluate_uncached(self, memory: _InMemory, node: Node) -> np.ndarray:
        generation = memory.state[0]
        if query_language.is_text(node):
            sql = f"SELECT group_concat(rowid) FROM text_{generation} WHERE text_{generation} MATCH ?"
            expression = _fts_expression(node)
            return memory.matches.get((sql, expression), lambda: self._run_rowids(sql, [expression]))
        if isinstance(node, Facet):
            return np.flatnonzero(memory.columns.documents_with({node.facet: list(node.values)}))
        if isinstance(node, Range):
            return self._range_rowids(memory, node)
        if isinstance(node, Everything):
            return memory.dates.rowids
        if isinstance(node, Not):
            return np.setdiff1d(memory.dates.rowids, self._evaluate(memory, node.child), assume_unique=True)
        if isinstance(node, Or):
            return functools.reduce(np.union1d, [self._evaluate(memory, child) for child in node.children])
        assert isinstance(node, And)
        # The word-only children (with their negations) are one FTS5 match, not one per word.
        words = [child for child in node.children if query_language.is_text(_unnegated(child))]
        if len(words) > 1 and any(not isinstance(child, Not) for child in words):
            others = [child for child in node.children if child not in words]
            node = And((And(tuple(words)), *others))
        positive = [self._evaluate(memory, child) for child in node.children if not isinstance(child, Not)]
        rids = (
            functools.reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True), positive)
            if positive
            else memory.dates.rowids
        )
        for child in node.children:
            if isinstance(child, Not):
                rids = np.setdiff1d(rids, self._evaluate(memory, child.child), assume_unique=True)
        return rids

    def _range_rowids(self, memory: _InMemory, node: Range) -> np.ndarray:
        generation = memory.state[0]
        if node.field == "published":
            return memory.dates.published_between(node.start, node.end)
        overlap, params = ["1"], []
        if node.start:
            overlap.append('"end" >= ?')
            params.append(node.start.isoformat())
        if node.end:
            overlap.append("start <= ?")
            params.append(node.end.isoformat())
        sql = f"SELECT group_concat(DISTINCT doc) FROM events_{generation} WHERE {' AND '.join(overlap)}"
        return self._run_rowids(sql, params)

    def _facet_counts(
        self, memory: _InMemory, rids: np.ndarray, facets: list[str], size: int
    ) -> dict[str, list[FacetCount]]:
        columns = memory.columns
        selected = np.zeros(columns.max_rowid + 1, dtype=bool)
        selected[rids] = True
        return {facet: columns.count(facet, rids, selected, size) for facet in facets}

    def histogram(
        self, query: SearchQuery, interval: Interval, split_by: str | None = None, field: str = "published"
    ) -> list[HistogramBucket]:
        common.check_query(query)
        common.check_facet(split_by)
        common.check_histogram_field(field)
        with self._guarded("query"), self._lock, self._snapshot():
            memory = self._loaded()
            generation = memory.state[0]
            selection = _Selection(generation, query, query_language.plan(query.q, memory.vocabulary))
            rids = None
            if selection.conditions or any(query.filters.values()) or selection.tree is not None:
                rids = self._matching_rowids(memory, selection, query)
            if field == "published":
                buckets = memory.columns.published_histogram(rids, interval, split_by)
                return _top_splits(buckets, query.facet_size) if split_by else buckets
            matched = f"(SELECT rowid AS rid, published FROM docs_{generation}"
            params: list[Any] = []
            if rids is not None:
                matched += " WHERE rowid IN (SELECT value FROM json_each(?))"
                params.append(_rowid_list(rids))
            matched += ")"
            period = _PERIOD_SQL[interval].format(col="e.start")
            source = f"{matched} m JOIN events_{generation} e ON e.doc = m.rid"
            if split_by is None:
                sql = f"SELECT {period} AS period, NULL, COUNT(DISTINCT m.rid) FROM {source} GROUP BY 1"
            else:
                source += f" JOIN facets_{generation} f ON f.doc = m.rid AND f.facet = ?"
                params.append(split_by)
                sql = f"SELECT {period} AS period, f.value, COUNT(DISTINCT m.rid) FROM {source} GROUP BY 1, 2"
            rows = self._db.execute(sql, params).fetchall()
        buckets = [HistogramBucket(period=row[0], split=row[1], count=row[2]) for row in rows]
        return _top_splits(buckets, query.facet_size) if split_by else sorted(buckets, key=lambda b: b.period)

    def suggest(self, facet: str, prefix: str, size: int = 10) -> list[FacetCount]:
        common.check_facet(facet)
        key = analysis.fold_key(prefix)
        with self._guarded("query"), self._lock, self._snapshot():
            generation = self._generation()
            rows = self._db.execute(
                f"SELECT value, folded, COUNT(*) AS n FROM facets_{generation} "
                "WHERE facet = ? AND folded >= ? AND folded < ? "
                "GROUP BY value, folded ORDER BY n DESC, folded ASC, value ASC LIMIT ?",
                (facet, key, key + _SUGGEST_END, size),
            ).fetchall()
        return [FacetCount(value=row[0], count=row[2]) for row in rows]

    def indexed_values(self) -> list[IndexedValue]:
        with self._guarded("query"), self._lock, self._snapshot():
            return self._loaded().indexed_values

    def vocabulary(self) -> Vocabulary:
        with self._guarded("query"), self._lock, self._snapshot():
            return self._loaded().vocabulary

    def count(self) -> int:
        with self._guarded("count"), self._lock, self._snapshot():
            return int(self._db.execute(f"SELECT COUNT(*) FROM docs_{self._generation()}").fetchone()[0])

    def ping(self) -> None:
        with self._guarded("read"), self._lock:
            self._generation()

    def close(self) -> None:
        with self._lock:
            self._db.close()


class _Selection:
    """The documents a query's text and date ranges select, as SQL over one generation's tables.

    Rows come from the FTS5 table when there is text and from the document table
    otherwise; each date range is a condition on the row's document rowid. Facet
    filters are not here: they are masks over the in-memory facet columns.
    """

    def __init__(self, generation: int, query: SearchQuery, plan: Plan) -> None:
        self.generation = generation
        g = generation
        # A tree of words only is one FTS5 match in this SQL; any other tree is evaluated on rowid sets.
        match = _fts_expression(plan.tree) if plan.tree is not None and query_language.is_text(plan.tree) else None
        self.tree = plan.tree if plan.tree is not None and match is None else None
        self.text = match is not None
        self.source = f"text_{g}" if self.text else f"docs_{g}"
        # Unary + keeps SQLite from driving the FTS5 scan by the rowid lists of the filters, which
        # would re-run the full-text match once per filtered document.
        rid = f"+{self.source}.rowid" if self.text else f"{self.source}.rowid"
        self.conditions: list[str] = []
        self.params: list[Any] = []
        if match is not None:
            self.conditions.append(f"text_{g} MATCH ?")
            self.params.append(match)
        published = []
        if query.published_from:
            published.append("published >= ?")
            self.params.append(query.published_from.isoformat())
        if query.published_to:
            published.append("published <= ?")
            self.params.append(query.published_to.isoformat())
        if published and self.text:
            self.conditions.append(f"{rid} IN (SELECT rowid FROM docs_{g} WHERE {' AND '.join(published)})")
        else:
            self.conditions += published
        if query.event_from or query.event_to:
            # An event matches when its span overlaps the asked range.
            overlap = []
            if query.event_from:
                overlap.append('e."end" >= ?')
                self.params.append(query.event_from.isoformat())
            if query.event_to:
                overlap.append("e.start <= ?")
                self.params.append(query.event_to.isoformat())
            self.conditions.append(
                f"EXISTS (SELECT 1 FROM events_{g} e WHERE e.doc = {rid} AND {' AND '.join(overlap)})"
            )

    @property
    def filtered(self) -> bool:
        """Whether a date range narrows the selection beyond the text."""
        return len(self.conditions) > int(self.text)

    def _where(self) -> str:
        return " AND ".join(self.conditions) or "1"

    def count_sql(self) -> str:
        return f"SELECT COUNT(*) FROM {self.source} WHERE {self._where()}"

    def rowids_sql(self) -> str:
        """Every matching rowid, comma-joined in one value."""
        return f"SELECT group_concat(rowid) FROM {self.source} WHERE {self._where()}"

    def rows_sql(self) -> str:
        """(rid, published, id) of every match of a selection without text (text matches are paged in numpy)."""
        assert not self.text, "a selection with text is paged from its rowids"
        return f"SELECT rowid AS rid, published, id FROM docs_{self.generation} WHERE {self._where()}"


class _InMemory:
    """What a process keeps in memory of one index state (generation, write version), each part made on first use."""

    def __init__(self, db: sqlite3.Connection, state: tuple[int, int], match_cache_rowids: int) -> None:
        self._db = db
        self.state = state
        self.matches = _MatchCache(match_cache_rowids)

    @functools.cached_property
    def columns(self) -> _FacetColumns:
        return _FacetColumns(self._db, self.state)

    @functools.cached_property
    def dates(self) -> _DateOrder:
        return _DateOrder(self._db, self.state[0])

    @functools.cached_property
    def ranker(self) -> Ranker:
        return Ranker(self._db, self.state[0])

    @functools.cached_property
    def indexed_values(self) -> list[IndexedValue]:
        g = self.state[0]
        names: dict[tuple[str, str], list[str]] = {}
        for facet, value, name in self._db.execute(
            f"SELECT DISTINCT facet, value, name FROM names_{g} ORDER BY facet, value, name"
        ):
            names.setdefault((facet, value), []).append(name)
        return [
            IndexedValue(facet=facet, value=value, count=count, names=names.get((facet, value), []))
            for facet, value, count in self._db.execute(
                f"SELECT facet, value, COUNT(*) FROM facets_{g} GROUP BY facet, value ORDER BY facet, value"
            )
        ]

    @functools.cached_property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.indexed_values)


class _MatchCache:
    """The rowids recent selections matched, least recently used dropped first.

    Walking FTS5's doclists row by row through SQL was a third of the CPU of every API request, and
    dashboards and researchers send the same searches again and again. Like Lucene's query cache
    (doc-id sets of frequent queries per segment), this keeps match sets, never scores or pages; it
    belongs to one index state, so any write to the index leaves it behind.
    """

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._sets: OrderedDict[tuple[Any, ...], np.ndarray] = OrderedDict()
        self._held = 0

    def get(self, key: tuple[Any, ...], compute: Callable[[], np.ndarray]) -> np.ndarray:
        rowids = self._sets.get(key)
        if rowids is not None:
            self._sets.move_to_end(key)
            return rowids
        rowids = compute()
        if not self._capacity:
            return rowids
        rowids.flags.writeable = False  # shared by every later request
        self._sets[key] = rowids
        self._held += len(rowids)
        while self._held > self._capacity and len(self._sets) > 1:
            _, dropped = self._sets.popitem(last=False)
            self._held -= len(dropped)
        return rowids


class _DateOrder:
    """Pages of matched documents in date order, from each rowid's publication day and id rank in memory.

    Restricting SQL's date-ordered scan to a large set of matched rowids meant a temporary index of
    them per request; sorting keys of only the matched rowids in numpy does not.
    """

    def __init__(self, db: sqlite3.Connection, generation: int) -> None:
        rows = db.execute(f"SELECT rowid, published, id FROM docs_{generation} ORDER BY id").fetchall()
        size = max((row[0] for row in rows), default=0) + 1
        self._count = len(rows)
        self._ids = [row[2] for row in rows]  # in id order, for cursors
        self.rowids = np.sort(np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows)))
        self._published: list[str | None] = [None] * size
        self._id: list[str] = [""] * size
        self._days = np.zeros(size, dtype=np.int64)
        self._dated = np.zeros(size, dtype=bool)
        self._id_rank = np.zeros(size, dtype=np.int64)
        for rank, (rowid, published, doc_id) in enumerate(rows):
            self._published[rowid] = published
            self._id[rowid] = doc_id
            self._id_rank[rowid] = rank
            if published:
                self._days[rowid] = date.fromisoformat(published[:10]).toordinal()
                self._dated[rowid] = True

    def published_between(self, start: date | None, end: date | None) -> np.ndarray:
        """Ascending rowids of the documents published on or between the days given (None: open)."""
        rids = self.rowids[self._dated[self.rowids]]
        days = self._days[rids]
        keep = np.ones(len(rids), dtype=bool)
        if start is not None:
            keep &= days >= start.toordinal()
        if end is not None:
            keep &= days <= end.toordinal()
        return rids[keep]

    def _keys(self, days: np.ndarray, dated: np.ndarray, id_rank: np.ndarray, sort: Sort) -> np.ndarray:
        """One integer per document that orders as SQL's ORDER BY published (undated last), id ASC does."""
        day_key = np.where(dated, -days if sort == Sort.DATE_DESC else days, _UNDATED)
        return day_key * (self._count + 1) + id_rank

    def page(
        self, rids: np.ndarray, sort: Sort, cursor: str | None, size: int
    ) -> tuple[list[tuple[int, float]], str | None]:
        if size == 0 or not len(rids):
            return [], None
        keys = self._keys(self._days[rids], self._dated[rids], self._id_rank[rids], sort)
        if cursor is not None:
            published, last_id = common.decode_cursor(cursor, _DATE_CURSOR)
            rank = bisect.bisect_left(self._ids, last_id)
            present = rank < len(self._ids) and self._ids[rank] == last_id
            day = date.fromisoformat(published[:10]).toordinal() if published else 0
            last = self._keys(np.array([day]), np.array([published is not None]), np.array([rank]), sort)[0]
            beyond = keys > last if present else keys >= last
            rids, keys = rids[beyond], keys[beyond]
        wanted = min(size + 1, len(rids))
        nearest = np.argpartition(keys, wanted - 1)[:wanted] if len(rids) > wanted else np.arange(len(rids))
        chosen = rids[nearest[np.argsort(keys[nearest])]].tolist()
        rows = [(rowid, 0.0) for rowid in chosen[:size]]
        next_cursor = None
        if len(chosen) > size:
            last_rowid = chosen[size - 1]
            next_cursor = common.encode_cursor([self._published[last_rowid], self._id[last_rowid]])
        return rows, next_cursor


# Sorts undated documents after every dated one (day ordinals stay below 4 million).
_UNDATED = 1 << 23


class _FacetColumns:
    """Facet values of one index state as parallel arrays (document rowid, value number), loaded per facet.

    Counting a facet over a large match set by joining doc_facets costs one
    index seek per matched document and facet; SQLite has no columnar
    aggregation, so counts come from numpy's bincount over these arrays instead.
    The arrays are reloaded whenever the generation or the write version changes.
    """

    def __init__(self, db: sqlite3.Connection, state: tuple[int, int]) -> None:
        self._db = db
        self.state = state
        self.max_rowid = int(db.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM docs_{state[0]}").fetchone()[0])
        self._columns: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = {}
        self._by_document: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._value_indexes: dict[str, tuple[dict[str, int], np.ndarray]] = {}
        self._periods_by_interval: dict[Interval, tuple[np.ndarray, list[str]]] = {}

    def _column(self, facet: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
        if facet not in self._columns:
            rows = self._db.execute(
                f"SELECT doc, value FROM facets_{self.state[0]} WHERE facet = ? ORDER BY value", (facet,)
            ).fetchall()
            values: list[str] = []
            numbers = np.empty(len(rows), dtype=np.int32)
            for position, (_, value) in enumerate(rows):
                if not values or values[-1] != value:
                    values.append(value)
                numbers[position] = len(values) - 1
            docs = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            self._columns[facet] = (docs, numbers, values)
        return self._columns[facet]

    def _value_index(self, facet: str) -> tuple[dict[str, int], np.ndarray]:
        """Each value's number, and where each number's run of rows starts in the value-ordered column."""
        if facet not in self._value_indexes:
            _, numbers, values = self._column(facet)
            self._value_indexes[facet] = (
                {value: number for number, value in enumerate(values)},
                np.searchsorted(numbers, np.arange(len(values) + 1)),
            )
        return self._value_indexes[facet]

    def _rows_by_document(self, facet: str) -> tuple[np.ndarray, np.ndarray]:
        """The facet's value numbers ordered by document, and where each rowid's run of them starts."""
        if facet not in self._by_document:
            docs, numbers, _ = self._column(facet)
            order = np.argsort(docs, kind="stable")
            starts = np.searchsorted(docs[order], np.arange(self.max_rowid + 2))
            self._by_document[facet] = (numbers[order], starts)
        return self._by_document[facet]

    def _periods(self, interval: Interval) -> tuple[np.ndarray, list[str]]:
        """Per rowid the number of its publication period (-1 if undated), and the period labels in order."""
        if interval not in self._periods_by_interval:
            # Labels come from the same SQL expression event histograms use, so both agree on their form.
            label = _PERIOD_SQL[interval].format(col="published")
            rows = self._db.execute(
                f"SELECT rowid, {label} FROM docs_{self.state[0]} WHERE published IS NOT NULL ORDER BY 2"
            ).fetchall()
            labels: list[str] = []
            codes = np.full(self.max_rowid + 1, -1, dtype=np.int64)
            for rowid, period in rows:
                if not labels or labels[-1] != period:
                    labels.append(period)
                codes[rowid] = len(labels) - 1
            self._periods_by_interval[interval] = (codes, labels)
        return self._periods_by_interval[interval]

    def published_histogram(
        self, rids: np.ndarray | None, interval: Interval, split_by: str | None
    ) -> list[HistogramBucket]:
        """Documents per publication period (and split value) among `rids` (None: all), in period order.

        A GROUP BY over the facet join cost one index seek per matched document; counting pairs
        (period, value) with bincount over the in-memory columns does not.
        """
        codes, labels = self._periods(interval)
        selected = np.ones(self.max_rowid + 1, dtype=bool)
        if rids is not None:
            selected[:] = False
            selected[rids] = True
        if split_by is None:
            dated = codes[selected]
            counts = np.bincount(dated[dated >= 0], minlength=len(labels))
            return [
                HistogramBucket(period=labels[number], count=int(counts[number])) for number in np.flatnonzero(counts)
            ]
        docs, numbers, values = self._column(split_by)
        periods = codes[docs]
        keep = selected[docs] & (periods >= 0)
        counts = np.bincount(periods[keep] * len(values) + numbers[keep], minlength=len(labels) * len(values))
        return [
            HistogramBucket(
                period=labels[pair // len(values)], split=values[pair % len(values)], count=int(counts[pair])
            )
            for pair in np.flatnonzero(counts)
        ]

    def documents_with(self, filters: dict[str, list[str]]) -> np.ndarray:
        """Mask over rowids of the documents holding one of the values of every filtered facet."""
        allowed = np.ones(self.max_rowid + 1, dtype=bool)
        for facet, wanted in filters.items():
            docs, _, _ = self._column(facet)
            number_of, value_starts = self._value_index(facet)
            holding = np.zeros(self.max_rowid + 1, dtype=bool)
            for value in wanted:
                if value in number_of:
                    # The column is ordered by value, so one value's documents are one slice of it.
                    number = number_of[value]
                    holding[docs[value_starts[number] : value_starts[number + 1]]] = True
            allowed &= holding
        return allowed

    def count(self, facet: str, rids: np.ndarray, selected: np.ndarray, size: int) -> list[FacetCount]:
        """The `size` most frequent values among selected documents; ties in value order (values are sorted).

        `rids` and `selected` are the same documents as rowids and as a mask: a few documents are
        counted through their own rows, many through one pass over the whole column.
        """
        docs, numbers, values = self._column(facet)
        if len(rids) * 8 < len(docs):
            by_doc, starts = self._rows_by_document(facet)
            begin, end = starts[rids], starts[rids + 1]
            lengths = end - begin
            # Row positions of every selected document, without a Python loop: each document's run of
            # rows starts at `begin` and is `lengths` long.
            positions = np.repeat(begin - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
            counts = np.bincount(by_doc[positions], minlength=len(values))
        else:
            counts = np.bincount(numbers[selected[docs]], minlength=len(values))
        present = np.flatnonzero(counts)
        ranked = present[np.lexsort((present, -counts[present]))][:size]
        return [FacetCount(value=values[number], count=int(counts[number])) for number in ranked]


def _rowid_list(rowids: np.ndarray) -> str:
    """Rowids as the JSON array `json_each(?)` reads in C, with no limit on bound parameters."""
    return "[" + ",".join(map(str, rowids.tolist())) + "]"


def _pack(doc: IndexDocument) -> bytes:
    # A stored document (mostly its body) is ~2.5 KB of JSON: uncompressed, one row fills a 4 KB page
    # and wastes the rest; compressed, several share a page, and only a page of hits is ever unpacked.
    return zlib.compress(doc.model_dump_json().encode(), STORED_COMPRESSION)


def _unpack(stored: bytes | str) -> IndexDocument:
    # Generations written before compression hold JSON text; they stay readable until the next rebuild.
    return IndexDocument.model_validate_json(stored if isinstance(stored, str) else zlib.decompress(stored))


def _quoted(terms: tuple[str, ...] | list[str]) -> str:
    """Analysed terms as one FTS5 string (a phrase when several): quoted, so no text is read as FTS5 syntax."""
    return '"' + " ".join(terms).replace('"', '""') + '"'


def _fts_expression(node: Node) -> str:
    """The FTS5 query of a tree of words only (query_language.is_text)."""
    if isinstance(node, Term):
        return _WORD_COLUMNS[node.title] + "(" + " OR ".join(_quoted([term]) for term in node.alternatives) + ")"
    if isinstance(node, Phrase):
        return _PHRASE_COLUMNS[node.title] + "(" + " OR ".join(_quoted(variant) for variant in node.variants) + ")"
    if isinstance(node, Prefix):
        return _WORD_COLUMNS[node.title] + "(" + _quoted([node.prefix]) + " *)"
    if isinstance(node, Or):
        return "(" + " OR ".join(_fts_expression(child) for child in node.children) + ")"
    assert isinstance(node, And)
    positive = [child for child in node.children if not isinstance(child, Not)]
    expression = "(" + " AND ".join(_fts_expression(child) for child in positive) + ")"
    for child in node.children:
        if isinstance(child, Not):
            expression = f"({expression} NOT {_fts_expression(child.child)})"
    return expression


def _unnegated(node: Node) -> Node:
    return node.child if isinstance(node, Not) else node


def _columns(doc: IndexDocument) -> tuple[list[str], list[str], list[str], list[str]]:
    """The terms of a document's title and body, and of their hyphenated words joined."""
    return (
        analysis.term_list(doc.title, doc.language),
        analysis.term_list(doc.body, doc.language),
        analysis.compound_terms(doc.title, doc.language),
        analysis.compound_terms(doc.body, doc.language),
    )


# (published or None, id) of the last hit of a page in date order; (score, rowid) of one by relevance.
_DATE_CURSOR = (common.TEXT_OR_NONE, common.TEXT)
_RELEVANCE_CURSOR = (common.NUMBER, common.INTEGER)


def _relevance_cursor(cursor: str) -> tuple[float, int]:
    score, last_rid = common.decode_cursor(cursor, _RELEVANCE_CURSOR)
    return float(score), last_rid


def _after_date(sort: Sort, cursor: str | None) -> tuple[str, list[Any]]:
    """The WHERE clause that resumes after the cursor's (published, id)."""
    if cursor is None:
        return "1", []
    value, last_id = common.decode_cursor(cursor, _DATE_CURSOR)
    if value is None:
        return "(m.published IS NULL AND m.id > ?)", [last_id]
    beyond = "<" if sort == Sort.DATE_DESC else ">"
    return (
        f"(m.published IS NULL OR m.published {beyond} ? OR (m.published = ? AND m.id > ?))",
        [value, value, last_id],
    )


def _top_splits(buckets: list[HistogramBucket], size: int) -> list[HistogramBucket]:
    """Per period, the `size` most frequent split values (as a terms aggregation under a histogram gives)."""
    by_period: dict[str, list[HistogramBucket]] = {}
    for bucket in buckets:
        by_period.setdefault(bucket.period, []).append(bucket)
    ordered: list[HistogramBucket] = []
    for period in sorted(by_period):
        ordered += sorted(by_period[period], key=lambda b: (-b.count, b.split or ""))[:size]
    return ordered


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
