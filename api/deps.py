"""What the routes depend on, in one place: the services of the app, key checks, and where a read runs."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, HTTPException, Request
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

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


def _key_matches(given: str | None, *accepted: SecretStr | None) -> bool:
    keys = [k.get_secret_value() for k in accepted if k is not None]
    return given is not None and any(secrets.compare_digest(given.encode(), k.encode()) for k in keys)


def read_access(
    found: ServicesDep,
    x_api_key: Annotated[str | None, Header(description="Needed when a read key is set.")] = None,
) -> None:
    settings = found.settings
    if settings.read_api_key is not None and not _key_matches(x_api_key, settings.read_api_key, settings.api_key):
        raise HTTPException(401, "X-API-Key header missing or wrong: this server's read endpoints need a key")


def write_access(
    found: ServicesDep,
    x_api_key: Annotated[str | None, Header(description="The write key (Settings.api_key).")] = None,
) -> None:
    settings = found.settings
    if settings.api_key is None:
        raise HTTPException(403, "write endpoints are disabled: this server has no api_key configured")
    if not _key_matches(x_api_key, settings.api_key):
        raise HTTPException(401, "X-API-Key header missing or wrong")


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
