"""The document store: SQLite in WAL mode, the embedded default.

Documents are keyed by canonical URL. The raw bytes of every fetched page or
PDF are kept (content-addressed, so identical bytes are stored once), which is
what lets extraction and indexing be re-run from the store at any time. A page
whose extracted text changed becomes a new version; an unchanged one does not.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from kume.event_columns import CODED_COLUMNS, EventColumns, ScoreboardCounts
from kume.process import is_local, owner_alive
from kume.schema import (
    Document,
    EventRecord,
    Extraction,
    Page,
    ProjectRecord,
    document_id,
    sha256_hex,
    text_hash,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS raw_blobs (
    sha256 TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    encoding TEXT,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    duplicate_of TEXT REFERENCES documents(id)
);
CREATE TABLE IF NOT EXISTS versions (
    doc_id TEXT NOT NULL REFERENCES documents(id),
    version INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    published TEXT,
    language TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    raw_sha256 TEXT NOT NULL REFERENCES raw_blobs(sha256),
    content_hash TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    PRIMARY KEY (doc_id, version)
);
CREATE INDEX IF NOT EXISTS documents_by_original ON documents(duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE TABLE IF NOT EXISTS aliases (
    url TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id)
);
CREATE TABLE IF NOT EXISTS extractions (
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    pipeline_version TEXT NOT NULL,
    extracted_at TEXT NOT NULL,
    result TEXT NOT NULL,
    linked INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (doc_id, version),
    FOREIGN KEY (doc_id, version) REFERENCES versions(doc_id, version)
);
-- A project's record and, beside it, what the linker compares new mentions with (nlp.linking's profile, JSON).
CREATE TABLE IF NOT EXISTS projects (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    created INTEGER NOT NULL DEFAULT 0,
    profile TEXT
);
-- Every project mention, by the project it was linked to, in the order they were linked: a project's
-- record is summed up from its mentions, so a document's re-extraction replaces its mentions only.
-- `mention` is the mention as nlp.linking reads it (JSON); `ordinal` its place among the document's projects.
CREATE TABLE IF NOT EXISTS project_mentions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    mention TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS project_mentions_by_project ON project_mentions(project_id, seq);
CREATE INDEX IF NOT EXISTS project_mentions_by_document ON project_mentions(doc_id);
-- Lookup keys of the projects' mentions (pipeline.link asks nlp.linking for them), to find the projects a
-- new mention may belong to without reading every project.
CREATE TABLE IF NOT EXISTS project_keys (
    key TEXT NOT NULL,
    project_id TEXT NOT NULL,
    PRIMARY KEY (key, project_id)
);
-- Names of organisations (lookup keys), each with the organisation it names (one of its names' keys): names
-- a document gives together (a full name and its abbreviation) name one organisation, in any language.
CREATE TABLE IF NOT EXISTS organization_names (
    name TEXT PRIMARY KEY,
    organization TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS organization_names_by_organization ON organization_names(organization);
-- Each organisation's name for people: its full name as a Turkish document first wrote it (else any document).
CREATE TABLE IF NOT EXISTS organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    turkish INTEGER NOT NULL
);
-- When each source's last crawl finished, for crawling sources when their schedule says they are due.
CREATE TABLE IF NOT EXISTS source_crawls (
    source TEXT PRIMARY KEY,
    finished_at TEXT NOT NULL
);
-- Documents stored by a crawl whose near-duplicate check has not run yet: the check, its signature and
-- its mark land in one transaction that removes the row, so a crawl killed in between leaves it here
-- for the next crawl of its source to finish.
CREATE TABLE IF NOT EXISTS duplicate_checks (
    doc_id TEXT PRIMARY KEY REFERENCES documents(id)
);
-- MinHash signatures of canonical texts, for near-duplicate detection across crawls.
CREATE TABLE IF NOT EXISTS crawl_minhash (
    doc_id TEXT PRIMARY KEY,
    hashvalues BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS crawl_jobs (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    active INTEGER NOT NULL,
    owner TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS crawl_jobs_one_active ON crawl_jobs(source) WHERE active = 1;
-- One crawl per source at a time, whichever process (kume crawl, an API worker) runs it.
CREATE TABLE IF NOT EXISTS crawl_locks (
    source TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
-- Following: saved searches (their record is pipeline.follow's), the document versions the index
-- received and whether the saved searches were asked about them, the matches, and webhook deliveries.
CREATE TABLE IF NOT EXISTS saved_searches (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    feed_token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS saved_searches_by_owner ON saved_searches(owner);
CREATE TABLE IF NOT EXISTS indexed_versions (
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    first_indexed_at TEXT NOT NULL,
    followed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (doc_id, version)
);
CREATE INDEX IF NOT EXISTS indexed_versions_to_follow ON indexed_versions(first_indexed_at) WHERE followed = 0;
CREATE TABLE IF NOT EXISTS search_matches (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    search_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    matched_at TEXT NOT NULL,
    UNIQUE (search_id, doc_id, version)
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    match_seq INTEGER PRIMARY KEY REFERENCES search_matches(seq) ON DELETE CASCADE,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at TEXT,
    gave_up INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries(next_attempt_at)
    WHERE delivered_at IS NULL AND gave_up = 0;
-- Events across documents (pipeline.events keeps them; nlp.event_identity decides what is one event):
-- the project's programme, coordinator, province and sector are copied onto each of its events, so the
-- scoreboard aggregates one table; they are refreshed whenever the project is summed up again.
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    activity TEXT NOT NULL,
    status TEXT NOT NULL,
    start TEXT,
    finish TEXT,
    year INTEGER,
    firms INTEGER,
    project_id TEXT,
    program TEXT,
    coordinator TEXT,
    province TEXT,
    sector TEXT,
    sources INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_project ON events(project_id);
CREATE INDEX IF NOT EXISTS events_by_year ON events(year);
CREATE TABLE IF NOT EXISTS event_countries (
    event_id TEXT NOT NULL,
    country TEXT NOT NULL,
    PRIMARY KEY (event_id, country)
);
CREATE TABLE IF NOT EXISTS event_sources (
    doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (doc_id, ordinal)
);
CREATE INDEX IF NOT EXISTS event_sources_by_event ON event_sources(event_id);
"""


# Ids bound into one IN (...) list, well under SQLite's limit on variables per statement.
_IDS_PER_QUERY = 500
# A crawl lock of another host's process is stale once its holder has not renewed it for this long
# (a process of this host is asked directly whether it still runs).
CRAWL_LOCK_STALE_AFTER = timedelta(minutes=2)


class StoreError(RuntimeError):
    """The store file cannot be used (locked, corrupt, not a database); names the file."""


class UpsertOutcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class UpsertResult:
    doc_id: str
    version: int
    outcome: UpsertOutcome


@dataclass(frozen=True)
class KnownPage:
    """What the crawler needs to ask a server whether a page changed."""

    doc_id: str
    version: int
    content_hash: str
    etag: str | None
    last_modified: str | None
    fetched_at: datetime


@dataclass(frozen=True)
class CrawlLock:
    """A source's crawl lock: which process holds it, since when."""

    source: str
    owner: str
    acquired_at: datetime
    heartbeat_at: datetime

    def live(self, now: datetime | None = None) -> bool:
        """Whether its holder is still there: asked directly on this host, by its heartbeat on another."""
        if is_local(self.owner):
            return owner_alive(self.owner)
        return (now or datetime.now(UTC)) - self.heartbeat_at < CRAWL_LOCK_STALE_AFTER


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _year(day: str | None) -> int | None:
    """The year of an ISO day or YYYY-MM."""
    return int(day[:4]) if day and day[:4].isdigit() else None


class Store:
    """A document store in one SQLite file (WAL mode), safe to share between threads."""

    def __init__(self, path: Path | str, *, timeout: float = 30.0) -> None:
        """Open (creating if needed) the store; `timeout` is how long to wait for another writer's lock."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, check_same_thread=False, isolation_level=None)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            older = self._tables()
            self._db.executescript(SCHEMA)
            self._db.executescript(self.SCOREBOARD_SCHEMA)
            self._migrate(older)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open document store {self.path}: {exc}") from exc

    def _tables(self) -> set[str]:
        return {row["name"] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def _migrate(self, older: set[str]) -> None:
        """Bring a store written by an older kume (with tables `older`) up to this schema."""
        if "events_version" in older:
            # The scoreboard's columns were loaded again in full whenever a counter moved; a log of the events
            # changed (SCOREBOARD_SCHEMA) now lets them take in only those.
            with self._transaction():
                for table in ("events", "event_countries", "event_sources"):
                    for change in ("insert", "update", "delete"):
                        self._db.execute(f"DROP TRIGGER IF EXISTS {table}_{change}_moves_events_version")
                self._db.execute("DROP TABLE events_version")
        if "documents" in older and "indexed_versions" not in older:
            # Saved searches are newer than every version stored before them: none is a new match for any.
            with self._transaction():
                self._db.execute(
                    "INSERT INTO indexed_versions (doc_id, version, first_indexed_at, followed) "
                    "SELECT id, current_version, '1970-01-01T00:00:00+00:00', 1 FROM documents"
                )
        columns = {row["name"] for row in self._db.execute("PRAGMA table_info(extractions)")}
        mention_columns = {row["name"] for row in self._db.execute("PRAGMA table_info(project_mentions)")}
        if "profile" not in {row["name"] for row in self._db.execute("PRAGMA table_info(projects)")}:
            self._db.execute("ALTER TABLE projects ADD COLUMN profile TEXT")
        if "linked" in columns and "mention" not in mention_columns:
            # Mentions were kept as bare facts; the linker now reads each in its document (coordinator,
            # short names, languages), so every extraction is linked again, in first-seen order.
            with self._transaction():
                self._db.execute("DROP TABLE project_mentions")
                self._db.execute("DELETE FROM projects")
                self._db.execute("DELETE FROM project_keys")
                self._db.execute("UPDATE extractions SET linked = 0")
            self._db.executescript(SCHEMA)  # the mentions' table as it is now
        if "linked" not in columns:
            # Projects were linked as a whole after every run; from now on they are summed up from their
            # mentions, so every extraction is linked again (in first-seen order, giving the same projects).
            with self._transaction():
                self._db.execute("ALTER TABLE extractions ADD COLUMN linked INTEGER NOT NULL DEFAULT 0")
                self._db.execute("ALTER TABLE projects ADD COLUMN created INTEGER NOT NULL DEFAULT 0")
                self._db.execute("DELETE FROM projects")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"document store {self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"document store {self.path} is damaged: {exc}") from exc

    # -- writing -------------------------------------------------------------

    def upsert_page(self, page: Page) -> UpsertResult:
        """Store a fetched page: new document, new version, or nothing when its text is unchanged.

        The raw bytes are kept in every case so that a re-fetch with new markup
        but the same text still leaves the latest bytes available.
        """
        raw_sha = sha256_hex(page.raw)
        content_hash = text_hash(page.title, page.body)
        with self._lock, self._transaction():
            self._execute(
                "INSERT OR IGNORE INTO raw_blobs (sha256, content_type, encoding, size, data) VALUES (?, ?, ?, ?, ?)",
                (raw_sha, page.content_type, page.encoding, len(page.raw), page.raw),
            )
            row = self._execute(
                "SELECT d.id, d.current_version, v.content_hash FROM documents d "
                "JOIN versions v ON v.doc_id = d.id AND v.version = d.current_version WHERE d.url = ?",
                (page.url,),
            ).fetchone()
            if row is None:
                doc_id, version, outcome = document_id(page.url), 1, UpsertOutcome.NEW
                self._execute(
                    "INSERT INTO documents (id, url, source, current_version, first_seen) VALUES (?, ?, ?, 1, ?)",
                    (doc_id, page.url, page.source, _now()),
                )
            elif row["content_hash"] == content_hash:
                doc_id, version, outcome = row["id"], row["current_version"], UpsertOutcome.UNCHANGED
                self._execute(
                    "UPDATE versions SET fetched_at = ?, etag = ?, last_modified = ?, raw_sha256 = ? "
                    "WHERE doc_id = ? AND version = ?",
                    (page.fetched_at.isoformat(), page.etag, page.last_modified, raw_sha, doc_id, version),
                )
            else:
                doc_id, version, outcome = row["id"], row["current_version"] + 1, UpsertOutcome.CHANGED
                self._execute("UPDATE documents SET current_version = ? WHERE id = ?", (version, doc_id))
            if outcome is not UpsertOutcome.UNCHANGED:
                self._execute(
                    "INSERT INTO versions (doc_id, version, fetched_at, published, language, title, body, "
                    "raw_sha256, content_hash, etag, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        doc_id,
                        version,
                        page.fetched_at.isoformat(),
                        page.published.isoformat() if page.published else None,
                        page.language,
                        page.title,
                        page.body,
                        raw_sha,
                        content_hash,
                        page.etag,
                        page.last_modified,
                    ),
                )
            for alias in page.aliases:
                if alias != page.url:
                    self._execute("INSERT OR IGNORE INTO aliases (url, doc_id) VALUES (?, ?)", (alias, doc_id))
        return UpsertResult(doc_id, version, outcome)

    def await_duplicate_check(self, doc_id: str) -> None:
        """Note that a stored document still has to be checked for near-duplicates."""
        with self._lock:
            self._execute("INSERT OR IGNORE INTO duplicate_checks (doc_id) VALUES (?)", (doc_id,))

    def duplicate_check_done(self, doc_id: str) -> None:
        with self._lock:
            self._execute("DELETE FROM duplicate_checks WHERE doc_id = ?", (doc_id,))

    def pending_duplicate_checks(self, source: str) -> list[str]:
        """Documents of `source` stored by a crawl that stopped before checking them, first seen first."""
        with self._lock:
            rows = self._execute(
                "SELECT d.id FROM duplicate_checks c JOIN documents d ON d.id = c.doc_id "
                "WHERE d.source = ? ORDER BY d.first_seen, d.id",
                (source,),
            ).fetchall()
        return [row["id"] for row in rows]

    def mark_duplicate(self, doc_id: str, canonical_id: str) -> None:
        """Keep `canonical_id` as the document and record `doc_id`'s URL as one of its aliases."""
        with self._lock, self._transaction():
            row = self._execute("SELECT url FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                raise KeyError(doc_id)
            self._execute("UPDATE documents SET duplicate_of = ? WHERE id = ?", (canonical_id, doc_id))
            self._execute("INSERT OR IGNORE INTO aliases (url, doc_id) VALUES (?, ?)", (row["url"], canonical_id))

    def record_crawl(self, source: str, finished_at: datetime) -> None:
        """Note that a crawl of `source` finished (for schedules)."""
        with self._lock:
            self._execute(
                "INSERT OR REPLACE INTO source_crawls (source, finished_at) VALUES (?, ?)",
                (source, finished_at.isoformat()),
            )

    def last_crawls(self) -> dict[str, datetime]:
        """When the last crawl of each source that was ever crawled finished."""
        with self._lock:
            rows = self._execute("SELECT source, finished_at FROM source_crawls").fetchall()
        return {row["source"]: datetime.fromisoformat(row["finished_at"]) for row in rows}

    def save_signature(self, doc_id: str, hashvalues: bytes) -> None:
        """Keep the MinHash signature of a canonical text (crawler.dedup computes it)."""
        with self._lock:
            self._execute(
                "INSERT OR REPLACE INTO crawl_minhash (doc_id, hashvalues) VALUES (?, ?)", (doc_id, hashvalues)
            )

    def delete_signature(self, doc_id: str) -> None:
        with self._lock:
            self._execute("DELETE FROM crawl_minhash WHERE doc_id = ?", (doc_id,))

    def signatures(self) -> list[tuple[str, bytes]]:
        """(document id, MinHash hash values) of every canonical text seen so far."""
        with self._lock:
            rows = self._execute("SELECT doc_id, hashvalues FROM crawl_minhash ORDER BY doc_id").fetchall()
        return [(row["doc_id"], bytes(row["hashvalues"])) for row in rows]

    def save_extraction(self, doc_id: str, version: int, extraction: Extraction, *, linked: bool = False) -> None:
        """Keep the facts of one document version; `linked` once its project mentions carry their project ids."""
        with self._lock:
            self._execute(
                "INSERT OR REPLACE INTO extractions (doc_id, version, pipeline_version, extracted_at, result, linked) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (doc_id, version, extraction.pipeline_version, _now(), extraction.model_dump_json(), int(linked)),
            )

    def save_project(self, project: ProjectRecord, profile: str | None = None) -> None:
        """Keep a project's record (and the linker's profile of it); a new project comes after every project
        kept before it."""
        with self._lock:
            self._execute(
                "INSERT INTO projects (id, record, created, profile) VALUES (?, ?, (SELECT COALESCE(MAX(created), 0) "
                "+ 1 FROM projects), ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record, "
                "profile = excluded.profile",
                (project.id, project.model_dump_json(), profile),
            )

    def delete_project(self, project_id: str) -> None:
        with self._lock, self._transaction():
            self._execute("DELETE FROM projects WHERE id = ?", (project_id,))
            self._execute("DELETE FROM project_keys WHERE project_id = ?", (project_id,))

    def add_project_mention(self, project_id: str, doc_id: str, ordinal: int, mention: str, keys: list[str]) -> None:
        """Record that a document's `ordinal`-th project mention (`mention`, as nlp.linking reads it, JSON)
        belongs to `project_id`, which is findable under `keys` from now on."""
        with self._lock, self._transaction():
            self._execute(
                "INSERT INTO project_mentions (project_id, doc_id, ordinal, mention) VALUES (?, ?, ?, ?)",
                (project_id, doc_id, ordinal, mention),
            )
            self._add_project_keys(project_id, keys)

    def move_project_mention(self, doc_id: str, ordinal: int, project_id: str, mention: str, keys: list[str]) -> None:
        """Give a mention (keeping its place in the linking order) to another project, findable under `keys`."""
        with self._lock, self._transaction():
            self._execute(
                "UPDATE project_mentions SET project_id = ?, mention = ? WHERE doc_id = ? AND ordinal = ?",
                (project_id, mention, doc_id, ordinal),
            )
            self._add_project_keys(project_id, keys)

    def _add_project_keys(self, project_id: str, keys: list[str]) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO project_keys (key, project_id) VALUES (?, ?)",
            [(key, project_id) for key in keys],
        )

    def add_organization(self, names: list[str], written: str, *, turkish: bool) -> None:
        """Record that `names` (lookup keys) name one organisation, whose full name a document wrote as
        `written` (in Turkish or not): organisations known under one of them become one, named as a
        Turkish document first named any of them."""
        if not names:
            return
        marks = ", ".join("?" * len(names))
        with self._lock, self._transaction():
            rows = self._execute(
                f"SELECT o.id, o.turkish FROM organizations o WHERE o.id IN (SELECT organization FROM "
                f"organization_names WHERE name IN ({marks})) ORDER BY o.turkish DESC, o.rowid",
                tuple(names),
            ).fetchall()
            if not rows:
                organization = names[0]
                self._execute(
                    "INSERT OR REPLACE INTO organizations (id, name, turkish) VALUES (?, ?, ?)",
                    (organization, written, int(turkish)),
                )
            else:
                organization = rows[0]["id"]
                if turkish and not rows[0]["turkish"]:
                    self._execute(
                        "UPDATE organizations SET name = ?, turkish = 1 WHERE id = ?", (written, organization)
                    )
            for row in rows[1:]:
                self._execute(
                    "UPDATE organization_names SET organization = ? WHERE organization = ?", (organization, row["id"])
                )
                self._execute("DELETE FROM organizations WHERE id = ?", (row["id"],))
            self._db.executemany(
                "INSERT OR IGNORE INTO organization_names (name, organization) VALUES (?, ?)",
                [(name, organization) for name in names],
            )

    def organization_name(self, organization: str) -> str | None:
        """An organisation's name for people."""
        with self._lock:
            row = self._execute("SELECT name FROM organizations WHERE id = ?", (organization,)).fetchone()
        return str(row["name"]) if row else None

    def organizations_named(self, names: list[str]) -> dict[str, str]:
        """The organisation each of `names` (those known) names."""
        wanted = tuple(dict.fromkeys(names))
        if not wanted:
            return {}
        with self._lock:
            rows = self._execute(
                f"SELECT name, organization FROM organization_names WHERE name IN ({', '.join('?' * len(wanted))})",
                wanted,
            ).fetchall()
        return {row["name"]: row["organization"] for row in rows}

    def remove_project_mentions(self, doc_id: str) -> set[str]:
        """Forget the project mentions of a document (before it is linked again); the projects they were of."""
        with self._lock, self._transaction():
            rows = self._execute("SELECT DISTINCT project_id FROM project_mentions WHERE doc_id = ?", (doc_id,))
            projects = {row["project_id"] for row in rows}
            self._execute("DELETE FROM project_mentions WHERE doc_id = ?", (doc_id,))
        return projects

    def project_mentions(self, project_id: str) -> list[str]:
        """The mentions (JSON, as nlp.linking reads them) of a project, in the order they were linked."""
        with self._lock:
            rows = self._execute(
                "SELECT mention FROM project_mentions WHERE project_id = ? ORDER BY seq", (project_id,)
            ).fetchall()
        return [row["mention"] for row in rows]

    def document_projects(self, doc_id: str) -> dict[int, str]:
        """The project each of a document's project mentions was linked to, by the mention's ordinal."""
        with self._lock:
            rows = self._execute(
                "SELECT ordinal, project_id FROM project_mentions WHERE doc_id = ?", (doc_id,)
            ).fetchall()
        return {row["ordinal"]: row["project_id"] for row in rows}

    def project_profiles_with_keys(self, keys: list[str]) -> list[tuple[str, str | None]]:
        """(id, the linker's profile) of the projects findable under one of `keys`, oldest project first."""
        if not keys:
            return []
        marks = ", ".join("?" * len(keys))
        with self._lock:
            rows = self._execute(
                "SELECT p.id, p.profile FROM projects p WHERE p.id IN "
                f"(SELECT project_id FROM project_keys WHERE key IN ({marks})) ORDER BY p.created",
                tuple(keys),
            ).fetchall()
        return [(row["id"], row["profile"]) for row in rows]

    def projects_with_keys(self, keys: list[str]) -> list[ProjectRecord]:
        """Projects findable under one of `keys`, oldest project first."""
        if not keys:
            return []
        marks = ", ".join("?" * len(keys))
        with self._lock:
            rows = self._execute(
                "SELECT p.record FROM projects p WHERE p.id IN "
                f"(SELECT project_id FROM project_keys WHERE key IN ({marks})) ORDER BY p.created",
                tuple(keys),
            ).fetchall()
        return [ProjectRecord.model_validate_json(row["record"]) for row in rows]

    def unlinked_ids(self, *, among: set[str] | None = None) -> list[str]:
        """Documents (of `among`, if given) whose current extraction's project mentions have not been linked yet,
        first seen first."""
        sql = (
            "SELECT d.id, d.first_seen FROM documents d "
            "JOIN extractions e ON e.doc_id = d.id AND e.version = d.current_version "
            "WHERE e.linked = 0 AND d.duplicate_of IS NULL"
        )
        if among is None:
            with self._lock:
                return [row["id"] for row in self._execute(sql + " ORDER BY d.first_seen, d.id").fetchall()]
        wanted = sorted(among)
        found: list[tuple[str, str]] = []
        for offset in range(0, len(wanted), _IDS_PER_QUERY):
            chunk = tuple(wanted[offset : offset + _IDS_PER_QUERY])
            with self._lock:
                rows = self._execute(sql + f" AND d.id IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
            found += [(row["first_seen"], row["id"]) for row in rows]
        return [doc_id for _, doc_id in sorted(found)]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Several writes that land together or not at all (BEGIN IMMEDIATE ... COMMIT)."""
        with self._lock, self._transaction():
            yield

    def claim_crawl_job(self, job_id: str, source: str, owner: str, record: str) -> str | None:
        """Record an active crawl job of `source` run by `owner`; the id of the active one if there already is one.

        Jobs live in the store, not in a server process, so every API worker sees every job and two
        workers never crawl one source at once.
        """
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO crawl_jobs (id, source, active, owner, record) VALUES (?, ?, 1, ?, ?)",
                    (job_id, source, owner, record),
                )
            except sqlite3.IntegrityError:
                row = self._execute("SELECT id FROM crawl_jobs WHERE source = ? AND active = 1", (source,)).fetchone()
                return str(row["id"]) if row else job_id
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"document store {self.path}: {exc}") from exc
        return None

    def lock_crawls(self, sources: list[str], owner: str) -> dict[str, CrawlLock]:
        """Take the crawl locks of `sources` for `owner`, all or none; the live locks of others that stood in the way.

        A lock whose holder has gone (killed, crashed) is taken over.
        """
        now = _now()
        with self._lock, self._transaction():
            held = {lock.source: lock for lock in self._crawl_locks(sources) if lock.owner != owner and lock.live()}
            if not held:
                self._db.executemany(
                    "INSERT OR REPLACE INTO crawl_locks (source, owner, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?)",
                    [(source, owner, now, now) for source in sources],
                )
        return held

    def hand_over_crawls(self, sources: list[str], from_owner: str, to_owner: str) -> bool:
        """Pass the crawl locks of `sources` from one process to another (the crawl child); False, and nothing
        changed, unless `from_owner` held every one of them."""
        with self._lock, self._transaction():
            locks = self._crawl_locks(sources)
            if len(locks) != len(set(sources)) or any(lock.owner != from_owner for lock in locks):
                return False
            self._execute(
                f"UPDATE crawl_locks SET owner = ?, heartbeat_at = ? WHERE source IN ({', '.join('?' * len(sources))})",
                (to_owner, _now(), *sources),
            )
        return True

    def renew_crawls(self, owner: str) -> None:
        """The heartbeat of a crawl: its locks are still held."""
        with self._lock:
            self._execute("UPDATE crawl_locks SET heartbeat_at = ? WHERE owner = ?", (_now(), owner))

    def unlock_crawls(self, sources: list[str], owners: list[str]) -> None:
        """Release the crawl locks of `sources` that one of `owners` holds."""
        with self._lock:
            self._execute(
                f"DELETE FROM crawl_locks WHERE source IN ({', '.join('?' * len(sources))}) "
                f"AND owner IN ({', '.join('?' * len(owners))})",
                (*sources, *owners),
            )

    def crawl_locks(self) -> dict[str, CrawlLock]:
        """The sources being crawled now, with the live lock of each."""
        with self._lock:
            return {lock.source: lock for lock in self._crawl_locks(None) if lock.live()}

    def _crawl_locks(self, sources: list[str] | None) -> list[CrawlLock]:
        sql = "SELECT source, owner, acquired_at, heartbeat_at FROM crawl_locks"
        params: tuple[str, ...] = ()
        if sources is not None:
            sql += f" WHERE source IN ({', '.join('?' * len(sources))})"
            params = tuple(sources)
        return [
            CrawlLock(
                row["source"],
                row["owner"],
                datetime.fromisoformat(row["acquired_at"]),
                datetime.fromisoformat(row["heartbeat_at"]),
            )
            for row in self._execute(sql, params).fetchall()
        ]

    def update_crawl_job(self, job_id: str, record: str, *, active: bool) -> None:
        with self._lock:
            self._execute("UPDATE crawl_jobs SET record = ?, active = ? WHERE id = ?", (record, int(active), job_id))

    # -- reading -------------------------------------------------------------

    def crawl_job(self, job_id: str) -> tuple[str, str, bool] | None:
        """(record, owner, active) of a crawl job."""
        with self._lock:
            row = self._execute("SELECT record, owner, active FROM crawl_jobs WHERE id = ?", (job_id,)).fetchone()
        return (row["record"], row["owner"], bool(row["active"])) if row else None

    def project(self, project_id: str) -> ProjectRecord | None:
        with self._lock:
            row = self._execute("SELECT record FROM projects WHERE id = ?", (project_id,)).fetchone()
        return ProjectRecord.model_validate_json(row["record"]) if row else None

    def projects(self) -> list[ProjectRecord]:
        with self._lock:
            rows = self._execute("SELECT record FROM projects ORDER BY id").fetchall()
        return [ProjectRecord.model_validate_json(r["record"]) for r in rows]

    def known(self, url: str) -> KnownPage | None:
        """The current version of a URL (or of the document it is an alias of), if stored."""
        with self._lock:
            row = self._execute(
                "SELECT d.id, d.current_version, v.content_hash, v.etag, v.last_modified, v.fetched_at "
                "FROM documents d JOIN versions v ON v.doc_id = d.id AND v.version = d.current_version "
                "WHERE d.url = ? OR d.id = (SELECT doc_id FROM aliases WHERE url = ?)",
                (url, url),
            ).fetchone()
        if row is None:
            return None
        return KnownPage(
            row["id"],
            row["current_version"],
            row["content_hash"],
            row["etag"],
            row["last_modified"],
            datetime.fromisoformat(row["fetched_at"]),
        )

    def raw(self, sha256: str) -> bytes:
        with self._lock:
            row = self._execute("SELECT data FROM raw_blobs WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise KeyError(sha256)
        return bytes(row["data"])

    def get(self, doc_id: str, version: int | None = None) -> Document | None:
        """A document at its current version (or the given one), with its extraction if any."""
        where = "v.version = ?" if version is not None else "v.version = d.current_version"
        params: tuple[Any, ...] = (doc_id, version) if version is not None else (doc_id,)
        with self._lock:
            row = self._execute(f"{_DOCUMENT_SELECT} WHERE d.id = ? AND {where}", params).fetchone()
            return self._document(row) if row else None

    def documents(
        self, *, missing_extraction_for: str | None = None, include_duplicates: bool = False
    ) -> Iterator[Document]:
        """Current versions of all documents, in a stable order.

        With `missing_extraction_for`, only those without an extraction made by
        that pipeline version. Near-duplicates are left out unless asked for.
        """
        clauses = ["v.version = d.current_version"]
        params: list[Any] = []
        if not include_duplicates:
            clauses.append("d.duplicate_of IS NULL")
        if missing_extraction_for is not None:
            clauses.append("(e.pipeline_version IS NULL OR e.pipeline_version != ?)")
            params.append(missing_extraction_for)
        sql = f"{_DOCUMENT_SELECT} WHERE {' AND '.join(clauses)} ORDER BY d.first_seen, d.id"
        with self._lock:
            rows = self._execute(sql, tuple(params)).fetchall()
        for row in rows:
            with self._lock:
                doc = self._document(row)
            yield doc

    def current_versions(self) -> list[tuple[str, int]]:
        """(id, current version) of every canonical document."""
        with self._lock:
            rows = self._execute("SELECT id, current_version FROM documents WHERE duplicate_of IS NULL").fetchall()
        return [(row["id"], row["current_version"]) for row in rows]

    def is_duplicate(self, doc_id: str) -> bool:
        """Whether the document is recorded as a near-duplicate of another."""
        with self._lock:
            row = self._execute("SELECT duplicate_of FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row is not None and row["duplicate_of"] is not None

    def copies_of(self, doc_id: str) -> list[str]:
        """Documents recorded as near-duplicates of `doc_id`."""
        with self._lock:
            rows = self._execute("SELECT id FROM documents WHERE duplicate_of = ? ORDER BY id", (doc_id,)).fetchall()
        return [row["id"] for row in rows]

    def duplicate_ids(self) -> list[str]:
        """Documents recorded as near-duplicates of another (which indexes must not hold)."""
        with self._lock:
            rows = self._execute("SELECT id FROM documents WHERE duplicate_of IS NOT NULL ORDER BY id").fetchall()
        return [row["id"] for row in rows]

    def count(self, *, include_duplicates: bool = False) -> int:
        sql = "SELECT COUNT(*) FROM documents" + ("" if include_duplicates else " WHERE duplicate_of IS NULL")
        with self._lock:
            return int(self._execute(sql).fetchone()[0])

    def versions_count(self, doc_id: str) -> int:
        with self._lock:
            return int(self._execute("SELECT COUNT(*) FROM versions WHERE doc_id = ?", (doc_id,)).fetchone()[0])

    def check(self) -> None:
        """Raise StoreError unless the store file is readable and intact."""
        with self._lock:
            result = self._execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise StoreError(f"document store {self.path} failed its integrity check: {result}")

    # -- following: saved searches, their matches, webhook deliveries -------------

    def save_search(self, search_id: str, owner: str, feed_token: str, created_at: datetime, record: str) -> None:
        with self._lock:
            self._execute(
                "INSERT INTO saved_searches (id, owner, feed_token, created_at, record) VALUES (?, ?, ?, ?, ?)",
                (search_id, owner, feed_token, created_at.isoformat(), record),
            )

    def saved_searches(self, owner: str | None = None) -> list[tuple[str, str, datetime, str]]:
        """(id, feed token, created_at, record) of the saved searches (of one owner), oldest first."""
        where, params = ("WHERE owner = ?", (owner,)) if owner is not None else ("", ())
        with self._lock:
            rows = self._execute(
                f"SELECT id, feed_token, created_at, record FROM saved_searches {where} ORDER BY created_at, id",
                params,
            ).fetchall()
        return [
            (row["id"], row["feed_token"], datetime.fromisoformat(row["created_at"]), row["record"]) for row in rows
        ]

    def saved_search(self, search_id: str) -> tuple[str, str, datetime, str] | None:
        """(owner, feed token, created_at, record) of a saved search."""
        with self._lock:
            row = self._execute(
                "SELECT owner, feed_token, created_at, record FROM saved_searches WHERE id = ?", (search_id,)
            ).fetchone()
        if row is None:
            return None
        return row["owner"], row["feed_token"], datetime.fromisoformat(row["created_at"]), row["record"]

    def saved_search_by_feed_token(self, feed_token: str) -> str | None:
        with self._lock:
            row = self._execute("SELECT id FROM saved_searches WHERE feed_token = ?", (feed_token,)).fetchone()
        return str(row["id"]) if row else None

    def delete_search(self, search_id: str) -> None:
        with self._lock, self._transaction():
            self._execute("DELETE FROM search_matches WHERE search_id = ?", (search_id,))
            self._execute("DELETE FROM saved_searches WHERE id = ?", (search_id,))

    def record_indexed(self, versions: list[tuple[str, int]], at: datetime) -> None:
        """Note document versions the index received; a version seen before keeps its first time."""
        with self._lock, self._transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO indexed_versions (doc_id, version, first_indexed_at) VALUES (?, ?, ?)",
                [(doc_id, version, at.isoformat()) for doc_id, version in versions],
            )

    def versions_to_follow(self, limit: int) -> list[tuple[str, int, datetime]]:
        """(doc_id, version, first indexed) of indexed versions no saved search has been asked about, oldest first."""
        with self._lock:
            rows = self._execute(
                "SELECT doc_id, version, first_indexed_at FROM indexed_versions WHERE followed = 0 "
                "ORDER BY first_indexed_at, doc_id LIMIT ?",
                (limit,),
            ).fetchall()
        return [(row["doc_id"], row["version"], datetime.fromisoformat(row["first_indexed_at"])) for row in rows]

    def record_matches(
        self, matches: list[tuple[str, str, int]], deliver: set[str], followed: list[tuple[str, int]], at: datetime
    ) -> None:
        """Keep (search id, doc id, version) matches, queue a webhook delivery for those of searches in `deliver`,
        and mark `followed` versions as asked about: all at once, so a crash repeats the whole step or none of it.
        A match already kept is not kept again."""
        with self._lock, self._transaction():
            for search_id, doc_id, version in matches:
                cursor = self._execute(
                    "INSERT OR IGNORE INTO search_matches (search_id, doc_id, version, matched_at) VALUES (?, ?, ?, ?)",
                    (search_id, doc_id, version, at.isoformat()),
                )
                if cursor.rowcount and search_id in deliver:
                    self._execute(
                        "INSERT INTO webhook_deliveries (match_seq, next_attempt_at) VALUES (?, ?)",
                        (cursor.lastrowid, at.isoformat()),
                    )
            self._db.executemany("UPDATE indexed_versions SET followed = 1 WHERE doc_id = ? AND version = ?", followed)

    def search_matches(self, search_id: str, limit: int) -> list[tuple[str, int, datetime]]:
        """(doc_id, version, matched_at) of a saved search's matches, newest first."""
        with self._lock:
            rows = self._execute(
                "SELECT doc_id, version, matched_at FROM search_matches WHERE search_id = ? ORDER BY seq DESC LIMIT ?",
                (search_id, limit),
            ).fetchall()
        return [(row["doc_id"], row["version"], datetime.fromisoformat(row["matched_at"])) for row in rows]

    def claim_deliveries(self, now: datetime, lease: timedelta, limit: int) -> list[tuple[int, str, str, int, int]]:
        """Webhook deliveries due by `now`, each leased until now + `lease` so no other process sends it meanwhile:
        (match seq, search id, doc id, version, attempts so far)."""
        with self._lock, self._transaction():
            rows = self._execute(
                "SELECT w.match_seq, m.search_id, m.doc_id, m.version, w.attempts FROM webhook_deliveries w "
                "JOIN search_matches m ON m.seq = w.match_seq "
                "WHERE w.delivered_at IS NULL AND w.gave_up = 0 AND w.next_attempt_at <= ? "
                "ORDER BY w.next_attempt_at LIMIT ?",
                (now.isoformat(), limit),
            ).fetchall()
            self._db.executemany(
                "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE match_seq = ?",
                [((now + lease).isoformat(), row["match_seq"]) for row in rows],
            )
        return [(row[0], row[1], row[2], row[3], row[4]) for row in rows]

    def delivery_sent(self, match_seq: int, at: datetime) -> None:
        with self._lock:
            self._execute(
                "UPDATE webhook_deliveries SET delivered_at = ?, attempts = attempts + 1, last_error = NULL "
                "WHERE match_seq = ?",
                (at.isoformat(), match_seq),
            )

    def delivery_failed(self, match_seq: int, error: str, next_attempt: datetime | None) -> None:
        """Record a failed attempt; without a next attempt the delivery is given up (kept, with its error)."""
        with self._lock:
            if next_attempt is None:
                self._execute(
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?, gave_up = 1 "
                    "WHERE match_seq = ?",
                    (error, match_seq),
                )
            else:
                self._execute(
                    "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
                    "WHERE match_seq = ?",
                    (error, next_attempt.isoformat(), match_seq),
                )

    def deliveries(self, search_id: str) -> list[tuple[str, int, int, str | None, bool, str | None]]:
        """(doc_id, version, attempts, delivered_at, gave_up, last_error) of a saved search's webhook deliveries."""
        with self._lock:
            rows = self._execute(
                "SELECT m.doc_id, m.version, w.attempts, w.delivered_at, w.gave_up, w.last_error "
                "FROM webhook_deliveries w JOIN search_matches m ON m.seq = w.match_seq "
                "WHERE m.search_id = ? ORDER BY w.match_seq",
                (search_id,),
            ).fetchall()
        return [(row[0], row[1], row[2], row[3], bool(row[4]), row[5]) for row in rows]

    # -- events ----------------------------------------------------------------

    def save_event(self, event: EventRecord, project: ProjectRecord | None) -> None:
        """Keep an event (replacing its earlier record and sources) with its project's attributes beside it."""
        year = _year(event.start) or next((s.published.year for s in event.sources if s.published), None)
        with self._lock, self._transaction():
            self._execute(
                "INSERT OR REPLACE INTO events (id, activity, status, start, finish, year, firms, project_id, program, "
                "coordinator, province, sector, sources, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    event.id,
                    event.activity,
                    event.status.value,
                    event.start,
                    event.end,
                    year,
                    event.firms,
                    event.project_id,
                    project.program if project else None,
                    (project.coordinator if project else None) or event.organization,
                    project.province if project else None,
                    project.sector if project else None,
                    len({source.document_id for source in event.sources}),
                    event.model_dump_json(),
                ),
            )
            self._execute("DELETE FROM event_countries WHERE event_id = ?", (event.id,))
            self._db.executemany(
                "INSERT INTO event_countries (event_id, country) VALUES (?, ?)",
                [(event.id, country) for country in dict.fromkeys(event.countries)],
            )
            self._execute("DELETE FROM event_sources WHERE event_id = ?", (event.id,))
            self._db.executemany(
                "INSERT OR REPLACE INTO event_sources (doc_id, ordinal, event_id) VALUES (?, ?, ?)",
                [(source.document_id, source.ordinal, event.id) for source in event.sources],
            )

    def refresh_project_events(self, project_id: str, project: ProjectRecord | None) -> set[str]:
        """Copy a project's programme, coordinator, province and sector (none for a project gone) onto its events
        again, as save_event does; the ids of the events whose copy changed (only those rows are written)."""
        coordinator = "COALESCE(NULLIF(?, ''), json_extract(record, '$.organization'))"
        values = (
            project.program if project else None,
            project.coordinator if project else None,
            project.province if project else None,
            project.sector if project else None,
        )
        with self._lock, self._transaction():
            rows = self._execute(
                f"UPDATE events SET program = ?, coordinator = {coordinator}, province = ?, sector = ? "
                f"WHERE project_id = ? AND NOT (program IS ? AND coordinator IS {coordinator} AND province IS ? "
                "AND sector IS ?) RETURNING id",
                (*values, project_id, *values),
            ).fetchall()
        return {row[0] for row in rows}

    def delete_event(self, event_id: str) -> None:
        with self._lock, self._transaction():
            for table, column in (("events", "id"), ("event_countries", "event_id"), ("event_sources", "event_id")):
                self._execute(f"DELETE FROM {table} WHERE {column} = ?", (event_id,))

    def event(self, event_id: str) -> EventRecord | None:
        with self._lock:
            row = self._execute("SELECT record FROM events WHERE id = ?", (event_id,)).fetchone()
        return EventRecord.model_validate_json(row["record"]) if row else None

    def document_event_ids(self, doc_id: str) -> set[str]:
        """The events a document tells (as last linked)."""
        with self._lock:
            rows = self._execute("SELECT event_id FROM event_sources WHERE doc_id = ?", (doc_id,)).fetchall()
        return {row["event_id"] for row in rows}

    def events_of(self, activity: str, project_id: str | None, organization: str | None) -> list[EventRecord]:
        """Events of one activity of a project, or (without a project) of an organisation, oldest first."""
        if project_id is not None:
            where, params = "project_id = ?", (activity, project_id)
        elif organization is not None:
            where, params = "project_id IS NULL AND coordinator = ?", (activity, organization)
        else:
            return []
        with self._lock:
            rows = self._execute(
                f"SELECT record FROM events WHERE activity = ? AND {where} ORDER BY start IS NULL, start, id", params
            ).fetchall()
        return [EventRecord.model_validate_json(row["record"]) for row in rows]

    def project_events(self, project_id: str) -> list[EventRecord]:
        """A project's events, oldest first (undated last)."""
        with self._lock:
            rows = self._execute(
                "SELECT record FROM events WHERE project_id = ? ORDER BY start IS NULL, start, id", (project_id,)
            ).fetchall()
        return [EventRecord.model_validate_json(row["record"]) for row in rows]

    def events(self) -> list[EventRecord]:
        """Every event, oldest first (undated last)."""
        with self._lock:
            rows = self._execute("SELECT record FROM events ORDER BY start IS NULL, start, id").fetchall()
        return [EventRecord.model_validate_json(row["record"]) for row in rows]

    def events_count(self) -> int:
        with self._lock:
            return int(self._execute("SELECT COUNT(*) FROM events").fetchone()[0])

    # -- scoreboard: events aggregated by project, programme, coordinator, province or sector ------------

    # The events column each kind of scoreboard row groups by.
    SCOREBOARD_KEYS: ClassVar[dict[str, str]] = {
        "project": "project_id",
        "program": "program",
        "coordinator": "coordinator",
        "province": "province",
        "sector": "sector",
    }
    # Columns of `events` a scoreboard filters by (the country filter goes through event_countries).
    SCOREBOARD_FILTERS = ("program", "sector", "province", "activity")
    # The columns a scoreboard loads, as one narrow index (loading them reads no event's record), and a log
    # of the events changed (in this process or another): triggers on the three events tables keep one row
    # per changed event, moved to the log's end at each change, so the events changed since a position are
    # the rows after it. A new row is written before the event's older one is deleted, and pruning keeps the
    # newest, so the largest seq never goes and positions only grow without AUTOINCREMENT (whose bookkeeping
    # doubled the time saving an event takes). The log is pruned to its newest rows (Store._prune_event_changes);
    # `through` is the last position pruned, so columns older than that know to load again.
    SCOREBOARD_SCHEMA = "".join(
        [
            "CREATE INDEX IF NOT EXISTS events_scoreboard_columns ON events (id, status, year, firms, start, finish, "
            + ", ".join(CODED_COLUMNS)
            + ");"
            "CREATE TABLE IF NOT EXISTS event_changes (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL);"
            "CREATE INDEX IF NOT EXISTS event_changes_by_event ON event_changes (event_id);"
            "CREATE TABLE IF NOT EXISTS event_changes_pruned (id INTEGER PRIMARY KEY CHECK (id = 1), "
            "through INTEGER NOT NULL);",
            *(
                f"CREATE TRIGGER IF NOT EXISTS {table}_{change.lower()}_logs_event_change AFTER {change} ON {table} "
                "BEGIN "
                + "".join(
                    f"INSERT INTO event_changes (event_id) VALUES ({row}.{column}); "
                    f"DELETE FROM event_changes WHERE event_id = {row}.{column} AND seq < last_insert_rowid(); "
                    for row in rows
                )
                + "END;"
                for table, column in (("events", "id"), ("event_countries", "event_id"), ("event_sources", "event_id"))
                for change, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",)))
            ),
            # A source is keyed by its document and ordinal: saving it for one event replaces (deletes, with no
            # DELETE trigger) the row another event held there, so that event is logged before.
            "CREATE TRIGGER IF NOT EXISTS event_sources_replace_logs_event_change BEFORE INSERT ON event_sources "
            "BEGIN INSERT INTO event_changes (event_id) SELECT event_id FROM event_sources "
            "WHERE doc_id = NEW.doc_id AND ordinal = NEW.ordinal; "
            "DELETE FROM event_changes WHERE event_id IN (SELECT event_id FROM event_sources "
            "WHERE doc_id = NEW.doc_id AND ordinal = NEW.ordinal) AND seq < last_insert_rowid(); END;",
        ]
    )
    # The columns drop their dead positions (EventColumns.compacted), and the log is pruned, once more than
    # this share of their positions is dead (changed since). Columns that more events changed since than this
    # share of their positions load again in full, as do columns the log was pruned past: it keeps as many
    # of its newest rows, so those would have been loaded again anyway.
    SCOREBOARD_COMPACT_SHARE = 0.25
    _scoreboard_columns: tuple[int, EventColumns] | None = None

    def scoreboard_rows(
        self,
        by: str,
        *,
        year: int | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        filters: dict[str, str] | None = None,
    ) -> list[ScoreboardCounts]:
        """Per value of `by` (project, program, coordinator, province, sector), its events' counts: done and
        planned per activity, countries and firms of done events, first and last done dates, distinct source
        documents and projects; rows in the order of their keys.

        `filters` maps program, sector, province, activity or country to one stored value. `year` is the events'
        year column; a date range keeps dated events overlapping it (a YYYY-MM event spans its month).
        The counting runs over the events tables as columns (kume.event_columns), which take in the events
        changed since they were loaded (by this store or another on the same file) at every call.
        """
        for name in filters or {}:
            if name != "country":
                self._scoreboard_column(name)
        columns = self._event_columns()
        mask = columns.selected(year=year, date_from=date_from, date_to=date_to, filters=filters or {})
        return columns.rows(self.SCOREBOARD_KEYS[by], mask)

    def _event_columns(self) -> EventColumns:
        with self._lock:
            # One read transaction: the log and the three tables as of one moment. Inside a caller's
            # transaction the log may hold changes that are rolled back later (and their positions given
            # again), so columns read there are not kept.
            outer = self._db.in_transaction
            if not outer:
                self._execute("BEGIN")
            try:
                columns, renewed = self._current_event_columns(keep=not outer)
            finally:
                if not outer:
                    self._execute("COMMIT")
            if renewed:
                self._prune_event_changes(columns.size)
            return columns

    def _current_event_columns(self, *, keep: bool) -> tuple[EventColumns, bool]:
        """The columns as the tables are now, and whether they were kept anew: loaded in full or compacted."""
        through = int(self._execute("SELECT COALESCE(MAX(through), 0) FROM event_changes_pruned").fetchone()[0])
        latest = max(int(self._execute("SELECT COALESCE(MAX(seq), 0) FROM event_changes").fetchone()[0]), through)
        if self._scoreboard_columns is not None and through <= self._scoreboard_columns[0]:
            position, columns = self._scoreboard_columns
            if position == latest:
                return columns, False
            changed = self._execute("SELECT COUNT(*) FROM event_changes WHERE seq > ?", (position,)).fetchone()[0]
            if keep and changed <= self.SCOREBOARD_COMPACT_SHARE * columns.size:
                ids = [row[0] for row in self._execute("SELECT event_id FROM event_changes WHERE seq > ?", (position,))]
                columns = columns.updated(ids, *self._scoreboard_tables(ids))
                compact = columns.dead > self.SCOREBOARD_COMPACT_SHARE * columns.size
                if compact:
                    columns = columns.compacted()
                self._scoreboard_columns = (latest, columns)
                return columns, compact
        columns = EventColumns(*self._scoreboard_tables(None))
        if keep:
            self._scoreboard_columns = (latest, columns)
        return columns, keep

    def _scoreboard_tables(
        self, ids: list[str] | None
    ) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]], list[tuple[str, str]]]:
        """The rows EventColumns takes, of every event or of the events `ids`, as plain tuples."""
        tables = (
            # The narrow index, also for a few ids: the planner picks the primary key's, and reading those rows
            # from the table (beside their records) took 50-300 ms per 500 events where the index takes 5.
            "SELECT id, status, year, firms, start, finish, " + ", ".join(CODED_COLUMNS) + " FROM events "
            "INDEXED BY events_scoreboard_columns",
            "SELECT event_id, country FROM event_countries",
            "SELECT event_id, doc_id FROM event_sources",
        )
        cursor = self._db.cursor()
        cursor.row_factory = None  # tuples: a sqlite3.Row per row doubles the time 300k rows take to load
        if ids is None:
            return tuple(cursor.execute(sql).fetchall() for sql in tables)  # type: ignore[return-value]
        found: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
        for first in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[first : first + _IDS_PER_QUERY]
            marks = ", ".join("?" * len(chunk))
            for rows, sql, column in zip(found, tables, ("id", "event_id", "event_id"), strict=True):
                rows.extend(cursor.execute(f"{sql} WHERE {column} IN ({marks})", chunk).fetchall())
        return found

    def _prune_event_changes(self, events: int) -> None:
        """Keep the log's newest rows only (as many as columns take in before loading again), when it holds
        more than twice as many; skipped while another connection writes (the next compaction prunes)."""
        keep = int(self.SCOREBOARD_COMPACT_SHARE * events) + 1
        if self._execute("SELECT COUNT(*) FROM event_changes").fetchone()[0] <= 2 * keep:
            return
        waits = self._execute("PRAGMA busy_timeout").fetchone()[0]
        self._execute("PRAGMA busy_timeout = 0")
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise StoreError(f"document store {self.path}: {exc}") from exc
            return
        finally:
            self._execute(f"PRAGMA busy_timeout = {int(waits)}")
        try:
            oldest_kept = "SELECT seq FROM event_changes ORDER BY seq DESC LIMIT 1 OFFSET ?"
            self._execute(
                "INSERT INTO event_changes_pruned (id, through) SELECT 1, seq FROM event_changes "
                "WHERE seq < (" + oldest_kept + ") ORDER BY seq DESC LIMIT 1 "
                "ON CONFLICT (id) DO UPDATE SET through = MAX(through, excluded.through)",
                (keep - 1,),
            )
            self._execute(f"DELETE FROM event_changes WHERE seq < ({oldest_kept})", (keep - 1,))
        except BaseException:
            self._execute("ROLLBACK")
            raise
        self._execute("COMMIT")

    # The search facets events have, and the events column (or event_countries) holding each.
    EVENT_FACETS: ClassVar[dict[str, str]] = {
        "country": "country",
        "sector": "sector",
        "program": "program",
        "project": "project_id",
        "organization": "coordinator",
        "activity": "activity",
    }
    # The day an event is counted on: its start, else its first source's publication.
    _EVENT_DAY = "COALESCE(e.start, json_extract(e.record, '$.sources[0].published'))"
    _PERIODS: ClassVar[dict[str, str]] = {
        "month": "substr({day}, 1, 7)",
        "quarter": "substr({day}, 1, 4) || '-Q' || ((CAST(substr({day}, 6, 2) AS INTEGER) + 2) / 3)",
        "year": "substr({day}, 1, 4)",
    }

    def _events_matching(
        self, filters: dict[str, list[str]], day_from: str | None, day_to: str | None
    ) -> tuple[str, list[Any]]:
        """The WHERE clause (over `events e`) of events with these facet values and dates in this range."""
        where, params = ["1"], []
        for facet, values in filters.items():
            if not values:
                continue
            marks = ", ".join("?" * len(values))
            if facet == "country":
                where.append(
                    f"EXISTS (SELECT 1 FROM event_countries c WHERE c.event_id = e.id AND c.country IN ({marks}))"
                )
            else:
                where.append(f"e.{self.EVENT_FACETS[facet]} IN ({marks})")
            params.extend(values)
        # A YYYY-MM event spans its month: it is compared with the range's ends cut to a month.
        last = f"COALESCE(e.finish, {self._EVENT_DAY})"
        if day_from is not None:
            where.append(f"{last} >= substr(?, 1, length({last}))")
            params.append(day_from)
        if day_to is not None:
            where.append(f"{self._EVENT_DAY} <= ?")
            params.append(day_to)
        return " AND ".join(where), params

    def event_histogram(
        self,
        interval: str,
        *,
        split_by: str | None = None,
        filters: dict[str, list[str]] | None = None,
        day_from: str | None = None,
        day_to: str | None = None,
    ) -> list[tuple[str, str | None, int]]:
        """Events per period (month, quarter or year) of their day, optionally per value of a facet events have:
        (period, split value, events), undated events left out."""
        condition, params = self._events_matching(filters or {}, day_from, day_to)
        period = self._PERIODS[interval].format(day=self._EVENT_DAY)
        dated = f"{condition} AND {self._EVENT_DAY} IS NOT NULL"
        if split_by is None:
            sql = f"SELECT {period}, NULL, COUNT(*) FROM events e WHERE {dated} GROUP BY 1"
        elif split_by == "country":
            sql = (
                f"SELECT {period}, c.country, COUNT(*) FROM events e JOIN event_countries c ON c.event_id = e.id "
                f"WHERE {dated} GROUP BY 1, 2"
            )
        else:
            column = self.EVENT_FACETS[split_by]
            sql = (
                f"SELECT {period}, e.{column}, COUNT(*) FROM events e "
                f"WHERE {dated} AND e.{column} IS NOT NULL GROUP BY 1, 2"
            )
        with self._lock:
            return [(row[0], row[1], row[2]) for row in self._execute(sql, tuple(params))]

    def event_top(
        self,
        facet: str,
        size: int,
        *,
        filters: dict[str, list[str]] | None = None,
        day_from: str | None = None,
        day_to: str | None = None,
    ) -> tuple[int, list[tuple[str, int]]]:
        """The events matching, and the `size` values of `facet` most of them have (most first, ties by value)."""
        condition, params = self._events_matching(filters or {}, day_from, day_to)
        if facet == "country":
            source, value = "events e JOIN event_countries c ON c.event_id = e.id", "c.country"
        else:
            source, value = "events e", f"e.{self.EVENT_FACETS[facet]}"
        with self._lock:
            total = int(self._execute(f"SELECT COUNT(*) FROM events e WHERE {condition}", tuple(params)).fetchone()[0])
            rows = self._execute(
                f"SELECT {value}, COUNT(*) AS n FROM {source} WHERE {condition} AND {value} IS NOT NULL "
                "GROUP BY 1 ORDER BY n DESC, 1 LIMIT ?",
                (*params, size),
            ).fetchall()
        return total, [(row[0], row[1]) for row in rows]

    def project_names(self) -> dict[str, tuple[str, str | None, dict[str, list[str]]]]:
        """Every project's name, code, and the names its mentions gave it per language of the mentioning
        document, by id, without reading whole records (a scoreboard labels its rows with them)."""
        with self._lock:
            rows = self._execute(
                "SELECT id, json_extract(record, '$.name'), json_extract(record, '$.code') FROM projects"
            ).fetchall()
            named = self._execute(
                "SELECT p.id, json_extract(l.value, '$.name'), v.language FROM projects p, "
                "json_each(p.record, '$.links') l JOIN documents d ON d.id = json_extract(l.value, '$.document_id') "
                "JOIN versions v ON v.doc_id = d.id AND v.version = d.current_version WHERE v.language IS NOT NULL"
            ).fetchall()
        found: dict[str, tuple[str, str | None, dict[str, list[str]]]] = {row[0]: (row[1], row[2], {}) for row in rows}
        for project_id, name, language in named:
            found[project_id][2].setdefault(language, []).append(name)
        return found

    def event_values(self, column: str) -> dict[str, int]:
        """Every value events hold in a scoreboard filter's column (or country), with its number of events."""
        sql = (
            "SELECT country, COUNT(*) FROM event_countries GROUP BY 1"
            if column == "country"
            else f"SELECT {self._scoreboard_column(column)}, COUNT(*) FROM events WHERE {column} IS NOT NULL GROUP BY 1"
        )
        with self._lock:
            return {row[0]: row[1] for row in self._execute(sql)}

    def events_have(self, column: str, value: str) -> bool:
        """Whether some event holds `value` in a scoreboard filter's column (or country)."""
        sql = (
            "SELECT 1 FROM event_countries WHERE country = ? LIMIT 1"
            if column == "country"
            else f"SELECT 1 FROM events WHERE {self._scoreboard_column(column)} = ? LIMIT 1"
        )
        with self._lock:
            return self._execute(sql, (value,)).fetchone() is not None

    def _scoreboard_column(self, column: str) -> str:
        if column not in self.SCOREBOARD_FILTERS:
            raise ValueError(f"no scoreboard filter {column!r}")
        return column

    # -- internals -----------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self)

    def _document(self, row: sqlite3.Row) -> Document:
        aliases = [
            r["url"] for r in self._execute("SELECT url FROM aliases WHERE doc_id = ? ORDER BY url", (row["id"],))
        ]
        extraction = Extraction.model_validate_json(row["result"]) if row["result"] else None
        return Document(
            id=row["id"],
            version=row["version"],
            source=row["source"],
            url=row["url"],
            fetched_at=datetime.fromisoformat(row["fetched_at"]),
            published=date.fromisoformat(row["published"]) if row["published"] else None,
            language=row["language"],
            title=row["title"],
            body=row["body"],
            raw_ref=row["raw_sha256"],
            content_type=row["content_type"],
            content_hash=row["content_hash"],
            aliases=aliases,
            extraction=extraction,
        )


_DOCUMENT_SELECT = (
    "SELECT d.id, d.url, d.source, v.version, v.fetched_at, v.published, v.language, v.title, v.body, "
    "v.raw_sha256, v.content_hash, r.content_type, e.result, e.pipeline_version FROM documents d "
    "JOIN versions v ON v.doc_id = d.id "
    "JOIN raw_blobs r ON r.sha256 = v.raw_sha256 "
    "LEFT JOIN extractions e ON e.doc_id = d.id AND e.version = v.version"
)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error, so a failed upsert leaves nothing half-written.

    Inside an open transaction (Store.transaction) it joins that one.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._outermost = False

    def __enter__(self) -> None:
        self._outermost = not self._store._db.in_transaction
        if self._outermost:
            self._store._execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if self._outermost:
            self._store._execute("ROLLBACK" if exc_type else "COMMIT")
