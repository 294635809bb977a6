"""What the routes depend on, in one place: the services of the app, key checks, and where a read runs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from api.guard import Keys, Refusal, client_of
from api.reader import Reader
from kume.config import Settings
from pipeline.jobs import CrawlJobs
from pipeline.writer import Writer
from search_api.contract import FACETS

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


# The write key, declared as the OpenAPI security scheme of the write routes (RequestGuard checks it first).
WRITE_KEY = APIKeyHeader(name="X-API-Key", description="The write key (Settings.api_key).", auto_error=False)


def write_access(
    request: Request, found: ServicesDep, x_api_key: Annotated[str | None, Security(WRITE_KEY)] = None
) -> None:
    _raise(found.keys.refuse_write(x_api_key, client_of(request.scope)))


# The query parameters a request may repeat: facet filters, and the facets to count. Any other one given
# twice is ambiguous, and refused rather than read as its last value.
REPEATABLE = {*FACETS, "facets"}


def single_values(request: Request) -> None:
    counts = Counter(name for name, _ in request.query_params.multi_items())
    repeated = sorted(name for name, count in counts.items() if count > 1 and name not in REPEATABLE)
    if repeated:
        raise HTTPException(422, "; ".join(f"{name}: given more than once" for name in repeated))


READ = [Depends(read_access), Depends(single_values)]
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
