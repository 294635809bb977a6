"""The write side over HTTP: ingest one document, crawl one source in the background."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException
from fastapi import Path as PathParam

from api.deps import WRITE, JobsDep, WriterDep
from api.schemas import WRITE_ERRORS, CrawlRequest, Message
from pipeline.ingest import FetchFailed, IngestRequest, IngestResult, UrlRejected
from pipeline.jobs import CrawlAlreadyRunning, CrawlJob, UnknownSource

router = APIRouter(tags=["write"], dependencies=WRITE, responses=WRITE_ERRORS)


@router.post("/v1/ingest", responses={502: {"model": Message, "description": "The page could not be fetched."}})
def ingest(request: IngestRequest, writer: WriterDep) -> IngestResult:
    """Store, extract and index one document: given by its text, or by a URL of a registered source."""
    try:
        return writer.ingest(request)
    except UrlRejected as exc:
        raise HTTPException(422, f"url: {exc}") from exc
    except FetchFailed as exc:
        raise HTTPException(502, str(exc)) from exc


@router.post("/v1/crawl", status_code=202, responses={409: {"model": Message}})
def crawl(request: CrawlRequest, jobs: JobsDep) -> CrawlJob:
    """Crawl one registered source in the background, then extract and index; poll /v1/crawl/{job_id}."""
    try:
        return jobs.start(request.source)
    except UnknownSource as exc:
        raise HTTPException(422, f"source: {exc}") from exc
    except CrawlAlreadyRunning as exc:
        raise HTTPException(409, str(exc)) from exc


@router.get("/v1/crawl/{job_id}", responses={404: {"model": Message}})
def crawl_status(job_id: Annotated[str, PathParam(max_length=100)], jobs: JobsDep) -> CrawlJob:
    """Status of a crawl job."""
    job = jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no crawl job {job_id!r}")
    return job
