"""What the routes depend on, in one place: the services of the app, key checks, and where a read runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from api.guard import Keys, Refusal, client_of
from api.reader import Reader
from kume.config import Settings
from pipeline.jobs import CrawlJobs
from pipeline.writer import Writer

T = TypeVar("T")


@dataclass
class Services:
    """The read side, the write side and its jobs, over one store and one backend."""

    settings: Settings
    reader: Reader
    writer: Writer
    jobs: CrawlJobs
    keys: Keys

    def close(self) -> None:
        self.jobs.wait(timeout=30)
        self.reader.backend.close()
        self.reader.store.close()


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


ServicesDep = Annotated[Services, Depends(services)]


def reader(request: Request) -> Reader:
    return services(request).reader


def writer(request: Request) -> Writer:
    return services(request).writer


def jobs(request: Request) -> CrawlJobs:
    return services(request).jobs


ReaderDep = Annotated[Reader, Depends(reader)]
WriterDep = Annotated[Writer, Depends(writer)]
JobsDep = Annotated[CrawlJobs, Depends(jobs)]


def _raise(refusal: Refusal | None) -> None:
    if refusal is not None:
        raise HTTPException(refusal.status, refusal.detail, headers=refusal.headers or None)


def read_access(
    request: Request,
    found: ServicesDep,
    x_api_key: Annotated[str | None, Header(description="Needed when a read key is set.")] = None,
) -> None:
    _raise(found.keys.refuse_read(x_api_key, client_of(request.scope)))


def write_access(
    request: Request,
    found: ServicesDep,
    x_api_key: Annotated[str | None, Header(description="The write key (Settings.api_key).")] = None,
) -> None:
    _raise(found.keys.refuse_write(x_api_key, client_of(request.scope)))


READ = [Depends(read_access)]
WRITE = [Depends(write_access)]


async def answer(found: Reader, backend_read: Callable[..., T], *args: Any) -> T:
    """A backend read, run where it costs least.

    An in-process backend computes the answer holding the GIL and its own lock, so a hop to the
    thread pool only adds switching; a backend that waits on a server goes to the pool, so other
    requests proceed meanwhile.
    """
    if found.backend.answers_in_process:
        return backend_read(*args)
    return await run_in_threadpool(backend_read, *args)
