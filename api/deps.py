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
from pipeline.follow import SavedSearches, owner_of
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
    searches: SavedSearches

    def close(self) -> None:
        self.jobs.wait(timeout=30)
        self.reader.backend.close()
        self.reader.store.close()


def _services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


# Dependencies that only read what the app holds are coroutines: FastAPI runs a plain function
# dependency on its thread pool, a hop that cost a third of a millisecond a request.
async def services(request: Request) -> Services:
    return _services(request)


ServicesDep = Annotated[Services, Depends(services)]


async def reader(request: Request) -> Reader:
    return _services(request).reader


async def writer(request: Request) -> Writer:
    return _services(request).writer


async def jobs(request: Request) -> CrawlJobs:
    return _services(request).jobs


async def searches(request: Request) -> SavedSearches:
    return _services(request).searches


ReaderDep = Annotated[Reader, Depends(reader)]
SearchesDep = Annotated[SavedSearches, Depends(searches)]
WriterDep = Annotated[Writer, Depends(writer)]
JobsDep = Annotated[CrawlJobs, Depends(jobs)]


def _key_matches(given: str | None, *accepted: SecretStr | None) -> bool:
    keys = [k.get_secret_value() for k in accepted if k is not None]
    return given is not None and any(secrets.compare_digest(given.encode(), k.encode()) for k in keys)


async def read_access(
    found: ServicesDep,
    x_api_key: Annotated[str | None, Header(description="Needed when a read key is set.")] = None,
) -> None:
    settings = found.settings
    if settings.read_api_key is not None and not _key_matches(x_api_key, settings.read_api_key, settings.api_key):
        raise HTTPException(401, "X-API-Key header missing or wrong: this server's read endpoints need a key")


async def write_access(
    found: ServicesDep,
    x_api_key: Annotated[str | None, Header(description="The write key (Settings.api_key).")] = None,
) -> None:
    settings = found.settings
    if settings.api_key is None:
        raise HTTPException(403, "write endpoints are disabled: this server has no api_key configured")
    if not _key_matches(x_api_key, settings.api_key):
        raise HTTPException(401, "X-API-Key header missing or wrong")


async def owner(
    found: ServicesDep,
    x_api_key: Annotated[str | None, Header(description="The key saved searches belong to.")] = None,
) -> str:
    """The owner a request speaks for: its key, which must be one of the server's keys when it has any."""
    settings = found.settings
    if not x_api_key:
        raise HTTPException(401, "X-API-Key header missing: saved searches belong to the key that saves them")
    configured = (settings.read_api_key, settings.api_key)
    if any(configured) and not _key_matches(x_api_key, *configured):
        raise HTTPException(401, "X-API-Key header wrong")
    return owner_of(x_api_key)


OwnerDep = Annotated[str, Depends(owner)]


async def known_parameters(request: Request) -> None:
    """Refuse query parameters an endpoint does not take, on every endpoint alike (the OpenAPI schema says which
    it takes), so a mistyped filter is a 422 and not a silent answer to another question."""
    route = request.scope.get("route")
    path = getattr(route, "path_format", None)
    if path is None:
        return
    accepted = _query_parameters(request.app).get((request.method.lower(), path), set())
    unknown = sorted(set(request.query_params) - accepted)
    if unknown:
        takes = ", ".join(sorted(accepted)) or "no query parameters"
        raise HTTPException(422, f"{unknown[0]}: unknown parameter; {request.url.path} takes {takes}")


def _query_parameters(app: Any) -> dict[tuple[str, str], set[str]]:
    cached: dict[tuple[str, str], set[str]] | None = getattr(app.state, "query_parameters", None)
    if cached is None:
        cached = {
            (method, path): {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            for path, operations in app.openapi()["paths"].items()
            for method, operation in operations.items()
        }
        app.state.query_parameters = cached
    return cached


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
