"""The HTTP API and the researchers' web page: routers per resource over the read side and the write side.

Query parameters are pydantic models (one field per facet of the search contract) with unknown
parameters forbidden, so every bad parameter is answered with a 422 that names it. Backend or
store failures become 503s.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from api.deps import Services, known_parameters
from api.guard import Keys, RequestGuard, docs_policy
from api.reader import BACKEND_DOWN, STORE_DOWN, Reader
from api.routers import documents, health, projects, scoreboard, search, searches, sources, stats, write
from kume.config import Settings
from kume.store import Store, StoreError
from pipeline.follow import SavedSearches
from pipeline.jobs import CrawlJobs
from pipeline.webhooks import WebhookSender, WebhookThread
from pipeline.writer import Writer
from search_api.contract import BackendUnavailable, InvalidQuery, QuerySyntaxError

if TYPE_CHECKING:
    from crawler.registry import Registry
    from nlp.pipeline import Extractor
    from search_api.contract import SearchBackend

WEB_DIR = Path(__file__).parent / "web"
SWAGGER_UI = "/vendor/swagger-ui"
log = logging.getLogger(__name__)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        location = [str(p) for p in error.get("loc", ()) if p not in ("query", "body", "path", "header")]
        name = ".".join(location) or "request"
        parts.append(f"{name}: {error.get('msg', 'invalid')}")
    return "; ".join(parts)


def create_app(
    settings: Settings,
    *,
    backend: SearchBackend | None = None,
    store: Store | None = None,
    registry: Registry | None = None,
    extractor: Extractor | None = None,
) -> FastAPI:
    """The API and web page over `settings.data_dir` and `settings.backend`.

    A backend, store, crawler registry or nlp extractor may be passed in (tests, demo sites
    on 127.0.0.1); otherwise they are opened from the settings (the extractor on first use).
    """
    if backend is None:
        from search_api.backends import open_backend

        backend = open_backend(settings)
    store = store or Store(settings.store_path)
    writer = Writer(settings, store, backend, registry=registry, extractor=extractor)
    keys = Keys(settings)
    services = Services(
        settings=settings,
        reader=Reader(store, backend),
        writer=writer,
        jobs=CrawlJobs(writer),
        searches=SavedSearches(store),
        keys=keys,
    )
    webhooks = WebhookThread(WebhookSender(store, settings), settings.webhook_poll_seconds)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        webhooks.start()
        yield
        webhooks.stop()
        services.close()

    app = FastAPI(
        title="kume",
        summary="Search news about Turkey's export-cluster programmes (UR-GE, KOBİ clustering, EU-funded clusters).",
        version="1",
        lifespan=lifespan,
        # FastAPI's own pages load Swagger UI and ReDoc from a CDN; /docs below serves a vendored copy.
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(known_parameters)],
    )
    app.state.services = services
    if settings.read_api_key is None:
        app.openapi = _without_security_scheme(app, "ReadKey")  # type: ignore[method-assign]
    if settings.cors_origins:
        # Dashboards on these origins call the API from the browser; keys travel in a header, never in cookies.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["X-API-Key", "Content-Type"],
            allow_credentials=False,
        )

    docs_page = get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title="kume API",
        swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_UI}/favicon-32x32.png",
    )
    docs_page.headers["Content-Security-Policy"] = docs_policy(bytes(docs_page.body).decode())

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return docs_page

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_message(exc)}, status_code=422)

    @app.exception_handler(InvalidQuery)
    async def invalid_query(_: Request, exc: InvalidQuery) -> JSONResponse:
        # A query that does not parse says where it broke; an unknown value lists the values that exist.
        return JSONResponse({"detail": f"q: {exc}" if isinstance(exc, QuerySyntaxError) else str(exc)}, 422)

    # The reasons (a file's path, the search cluster's URL) go to the server's log, not to the client.
    @app.exception_handler(BackendUnavailable)
    async def backend_down(request: Request, exc: BackendUnavailable) -> JSONResponse:
        log.error("search backend unavailable serving %s: %s", request.url.path, exc)
        return JSONResponse({"detail": BACKEND_DOWN}, status_code=503)

    @app.exception_handler(StoreError)
    async def store_down(request: Request, exc: StoreError) -> JSONResponse:
        log.error("document store unavailable serving %s: %s", request.url.path, exc)
        return JSONResponse({"detail": STORE_DOWN}, status_code=503)

    for module in (health, search, documents, projects, scoreboard, stats, sources, searches, write):
        app.include_router(module.router)
    app.include_router(searches.feeds)
    app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="web")
    # Any error no handler answered becomes a JSON 500 inside RequestGuard (see api.guard).
    write_paths = {
        route.path for route in write.router.routes if isinstance(route, APIRoute) and "POST" in (route.methods or ())
    }
    app.add_middleware(RequestGuard, keys=keys, write_paths=write_paths)
    return app


def _without_security_scheme(app: FastAPI, scheme: str) -> Callable[[], dict[str, Any]]:
    """The app's OpenAPI schema without a security scheme the server does not use: reads are open when no read key
    is set, and the schema says what the server does (FastAPI's documented way to change the schema)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema.get("components", {}).get("securitySchemes", {}).pop(scheme, None)
            for operations in schema["paths"].values():
                for operation in operations.values():
                    kept = [need for need in operation.get("security", []) if scheme not in need]
                    if kept:
                        operation["security"] = kept
                    else:
                        operation.pop("security", None)
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi


def app_from_environment() -> FastAPI:
    """`create_app` over `load_settings()` (KUME_* variables, kume.toml): for `uvicorn --factory` and its workers."""
    from kume.config import load_settings

    return create_app(load_settings())
