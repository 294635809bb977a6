"""What the routes depend on, in one place: the services of the app, key checks, and where a read runs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from api.guard import Keys, Refusal, client_of
from api.reader import Reader
from kume.config import Settings
from pipeline.follow import SavedSearches, owner_of
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
    searches: SavedSearches
    keys: Keys

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


def _raise(refusal: Refusal | None) -> None:
    if refusal is not None:
        raise HTTPException(refusal.status, refusal.detail, headers=refusal.headers or None)


# The keys, declared as OpenAPI security schemes: one header, X-API-Key, whose value is the read key (or the write
# key) for reads when the server has a read key, the write key for writes (RequestGuard checks it first), and
# the owner's key for saved searches.
READ_KEY = APIKeyHeader(
    name="X-API-Key",
    scheme_name="ReadKey",
    description="The read key (Settings.read_api_key) or the write key; needed only when the server has a read key.",
    auto_error=False,
)
WRITE_KEY = APIKeyHeader(name="X-API-Key", description="The write key (Settings.api_key).", auto_error=False)
OWNER_KEY = APIKeyHeader(
    name="X-API-Key",
    scheme_name="OwnerKey",
    description="The key saved searches belong to: one of the server's keys, or any key when it has none.",
    auto_error=False,
)


async def read_access(
    request: Request, found: ServicesDep, x_api_key: Annotated[str | None, Security(READ_KEY)] = None
) -> None:
    _raise(found.keys.refuse_read(x_api_key, client_of(request.scope)))


async def write_access(
    request: Request, found: ServicesDep, x_api_key: Annotated[str | None, Security(WRITE_KEY)] = None
) -> None:
    _raise(found.keys.refuse_write(x_api_key, client_of(request.scope)))


async def owner(
    request: Request,
    found: ServicesDep,
    x_api_key: Annotated[str | None, Security(OWNER_KEY)] = None,
) -> str:
    """The owner a request speaks for: its key, which must be one of the server's keys when it has any."""
    _raise(found.keys.refuse_owner(x_api_key, client_of(request.scope)))
    assert x_api_key is not None, "refuse_owner refuses a missing key"
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


# The query parameters a request may repeat: facet filters, and the facets to count. Any other one given
# twice is ambiguous, and refused rather than read as its last value.
REPEATABLE = {*FACETS, "facets"}


async def single_values(request: Request) -> None:
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
