"""Fixtures: the real store and a real backend (embedded, and Elasticsearch where the server fixture runs)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kume.config import Settings
from kume.store import Store
from search_api.contract import IndexDocument
from tests.api.corpus import Article, load_corpus

WRITE_KEY = "test-write-key"


@dataclass
class Served:
    app: FastAPI
    client: TestClient
    store: Store
    settings: Settings
    articles: dict[str, Article]


def _settings(data_dir: Path, backend: str, search_url: str | None = None, **extra: object) -> Settings:
    values: dict[str, object] = {"data_dir": data_dir, "backend": backend, "api_key": WRITE_KEY, **extra}
    if search_url:
        values["search_url"] = search_url
        values["index_name"] = f"kume-api-{uuid.uuid4().hex[:8]}"
    return Settings(**values)  # type: ignore[arg-type]


@contextmanager
def extra_documents(served: Served, documents: list[IndexDocument]) -> Iterator[None]:
    """Documents in the served index for the length of a test (as crawled from a hostile site), then gone."""
    backend = served.app.state.services.reader.backend
    backend.bulk_upsert(documents)
    try:
        yield
    finally:
        backend.delete([doc.id for doc in documents])


def serve_over_http(app: FastAPI) -> Iterator[str]:
    """The app behind a real uvicorn server on 127.0.0.1 (in a thread of this process); yields its base URL."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def serve_corpus(settings: Settings) -> Iterator[Served]:
    from api.app import create_app
    from search_api.backends import open_backend
    from search_api.indexer import index_store

    store = Store(settings.store_path)
    articles = load_corpus(store)
    backend = open_backend(settings)
    index_store(store, backend, rebuild=True)
    app = create_app(settings, backend=backend, store=store)
    with TestClient(app) as client:
        yield Served(app, client, store, settings, articles)


@pytest.fixture(
    scope="module",
    params=["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)],
)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The API over the annotated corpus, once per backend."""
    search_url = request.getfixturevalue("elasticsearch_url") if request.param == "elasticsearch" else None
    settings = _settings(tmp_path_factory.mktemp(f"api-{request.param}"), request.param, search_url)
    yield from serve_corpus(settings)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The API over the annotated corpus on the embedded backend only."""
    yield from serve_corpus(_settings(tmp_path_factory.mktemp("api-embedded"), "embedded"))


@pytest.fixture
def make_settings(tmp_path: Path):
    def make(backend: str = "embedded", **extra: object) -> Settings:
        return _settings(tmp_path, backend, **extra)

    return make
