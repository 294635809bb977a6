"""Crawl jobs: a crawl of one source, then extraction, linking and indexing of what it reached, in the background.

Jobs live in the store (its crawl_jobs table), not in a server process, so every API worker sees
every job and two workers never crawl one source at once.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from crawler.events import CrawlReport
from crawler.run import CrawlFailed, SourceBusy
from kume.process import current_owner, owner_alive
from kume.store import StoreError
from pipeline.writer import Writer
from search_api.contract import BackendUnavailable

log = logging.getLogger(__name__)


class UnknownSource(LookupError):
    pass


class CrawlAlreadyRunning(RuntimeError):
    pass


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


_ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class CrawlJob(BaseModel):
    id: str
    source: str
    status: JobStatus
    created_at: datetime
    finished_at: datetime | None = None
    message: str | None = None
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    not_modified: int = Field(default=0, description="Known pages the server said had not changed (HTTP 304).")
    skipped: int = Field(default=0, description="Known pages not due for a revisit, so not requested.")
    disallowed: int = Field(default=0, description="Pages robots.txt forbids.")
    off_site: int = Field(default=0, description="Pages that lie or redirect outside the source's domains.")
    duplicates: int = Field(default=0, description="Pages found to be near-duplicates of stored ones.")
    errors: list[str] = Field(default_factory=list, description="URL: message, for each page that failed.")
    warnings: list[str] = Field(default_factory=list, description="URL: message, for each page stored with a warning.")
    indexed: int = 0


def _now() -> datetime:
    return datetime.now(UTC)


class CrawlJobs:
    """Starts crawl jobs on threads of this process and reports any job of any process."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.store = writer.store
        # Read-modify-write of this process's own jobs; jobs themselves live in the store.
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def source_ids(self) -> list[str]:
        return [source.id for source in self.writer.registry.sources]

    def start(self, source_id: str) -> CrawlJob:
        if source_id not in self.source_ids():
            raise UnknownSource(f"no registered source {source_id!r}; known: {', '.join(self.source_ids())}")
        if source_id in self.store.crawl_locks():
            raise CrawlAlreadyRunning(f"source {source_id!r} is already being crawled by another process")
        job = CrawlJob(id=uuid.uuid4().hex, source=source_id, status=JobStatus.QUEUED, created_at=_now())
        for _ in range(2):  # a second try after retiring a job whose process is gone
            running_id = self.store.claim_crawl_job(job.id, source_id, current_owner(), job.model_dump_json())
            if running_id is None:
                break
            running = self.get(running_id)
            if running is not None and running.status in _ACTIVE:
                raise CrawlAlreadyRunning(f"source {source_id!r} is already being crawled by job {running_id}")
        else:
            raise CrawlAlreadyRunning(f"source {source_id!r} is already being crawled")
        thread = threading.Thread(target=self._run, args=(job.id,), name=f"crawl-{source_id}", daemon=True)
        self._threads.append(thread)
        thread.start()
        return job

    def get(self, job_id: str) -> CrawlJob | None:
        """A crawl job started by any process; an active one whose process has died is marked failed."""
        found = self.store.crawl_job(job_id)
        if found is None:
            return None
        record, owner, active = found
        job = CrawlJob.model_validate_json(record)
        if active and not owner_alive(owner):
            job = job.model_copy(
                update={
                    "status": JobStatus.FAILED,
                    "finished_at": _now(),
                    "message": f"the server process running it ({owner}) stopped before it finished",
                }
            )
            self.store.update_crawl_job(job_id, job.model_dump_json(), active=False)
        return job

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            current = self.get(job_id)
            assert current is not None, f"crawl job {job_id} vanished from the store"
            job = current.model_copy(update=changes)
            self.store.update_crawl_job(job_id, job.model_dump_json(), active=job.status in _ACTIVE)

    def _run(self, job_id: str) -> None:
        job = self.get(job_id)
        assert job is not None, f"crawl job {job_id} vanished from the store"
        self._update(job_id, status=JobStatus.RUNNING)

        def crawled(report: CrawlReport) -> None:
            counts = report.model_dump(exclude={"downloads", "errors", "warnings"})
            self._update(
                job_id,
                **counts,
                errors=[f"{e.url}: {e.message}" for e in report.errors],
                warnings=[f"{w.url}: {w.message}" for w in report.warnings],
            )

        try:
            _, indexed = self.writer.crawl_and_update([job.source], on_crawled=crawled)
        except Exception as exc:  # a background job has no caller to raise to: its status carries the error
            log.exception("crawl job %s of source %r failed", job_id, job.source)
            self._update(job_id, status=JobStatus.FAILED, finished_at=_now(), message=_failure(exc))
            return
        self._update(job_id, status=JobStatus.DONE, finished_at=_now(), indexed=len(indexed))

    def wait(self, timeout: float | None = None) -> None:
        """Join the crawl threads started so far (at shutdown, and by tests)."""
        for thread in list(self._threads):
            thread.join(timeout)


def _failure(exc: Exception) -> str:
    """What a failed job tells the API's clients: the reason, never a server path or address (the log has those)."""
    if isinstance(exc, SourceBusy):
        return str(exc)
    if isinstance(exc, CrawlFailed):
        return f"the crawl process stopped with status {exc.status}; the server's crawl log says why"
    if isinstance(exc, BackendUnavailable):
        return "the search backend was unavailable; the server log says why"
    if isinstance(exc, StoreError):
        return "the document store could not be used; the server log says why"
    return f"{type(exc).__name__}; the server log says why"
