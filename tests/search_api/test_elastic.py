"""Elasticsearch specifics: the alias moves atomically on rebuild, a down cluster is a clear error, opensearch-py."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kume.config import Settings
from kume.schema import Page
from kume.store import Store
from search_api.backends import open_backend
from search_api.backends.elastic import ElasticBackend
from search_api.backends.embedded import EmbeddedBackend
from search_api.contract import BackendUnavailable, Interval, SearchQuery
from search_api.indexer import index_store
from tests.search_api.conftest import corpus
from tests.support.elasticsearch import free_port


@pytest.mark.elasticsearch
def test_rebuild_moves_the_alias_and_deletes_the_old_index(elasticsearch_url: str) -> None:
    alias = f"kume-alias-{uuid.uuid4().hex[:8]}"
    backend = open_backend(Settings(backend="elasticsearch", search_url=elasticsearch_url, index_name=alias))
    assert isinstance(backend, ElasticBackend)
    try:
        backend.bulk_upsert(corpus()[:5])
        (first,) = backend.client.indices.get_alias(name=alias)
        backend.rebuild(corpus()[5:25])
        (second,) = backend.client.indices.get_alias(name=alias)
        assert second != first
        assert not backend.client.indices.exists(index=first)
        assert backend.count() == 20
        backend.bulk_upsert(corpus()[:1])
        assert backend.count() == 21
    finally:
        for index in backend.client.indices.get_alias(name=alias):
            backend.client.indices.delete(index=index)
        backend.close()


def test_indexing_into_a_down_cluster_loses_nothing_in_the_store(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    backend = open_backend(Settings(backend="elasticsearch", search_url=url, index_name="kume"))
    with Store(tmp_path / "store.sqlite3") as store:
        for number in range(3):
            store.upsert_page(
                Page(
                    source="izto",
                    url=f"https://izto.example.org/haber/{number}",
                    fetched_at=datetime(2024, 1, 1, tzinfo=UTC),
                    raw=b"<html></html>",
                    title=f"Haber {number}",
                    body="Ticaret heyeti.",
                )
            )
        with pytest.raises(BackendUnavailable, match=url.replace(".", r"\.")):
            index_store(store, backend)
        assert store.count() == 3
        store.check()
    backend.close()


def test_a_cluster_that_is_down_is_named_in_the_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    backend = open_backend(Settings(backend="elasticsearch", search_url=url, index_name="kume"))
    try:
        for call in (
            backend.ping,
            lambda: backend.search(SearchQuery(q="ihracat")),
            lambda: backend.bulk_upsert(corpus()[:2]),
            lambda: backend.rebuild(corpus()[:2]),
            backend.count,
        ):
            with pytest.raises(BackendUnavailable, match=url.replace(".", r"\.")):
                call()
    finally:
        backend.close()


@pytest.mark.elasticsearch
def test_opensearch_client_shares_the_query_building(elasticsearch_url: str, tmp_path: Path) -> None:
    """The opensearch-py flavour against the same server (the APIs kume uses agree) gives the embedded answers."""
    pytest.importorskip(
        "opensearchpy", reason="opensearch-py is the 'opensearch' extra: pip install -e '.[opensearch]'"
    )
    alias = f"kume-os-{uuid.uuid4().hex[:8]}"
    backend = open_backend(Settings(backend="opensearch", search_url=elasticsearch_url, index_name=alias))
    embedded = EmbeddedBackend(tmp_path / "index.sqlite3")
    try:
        docs = corpus()
        assert backend.rebuild(docs) == embedded.rebuild(docs) == len(docs)
        query = SearchQuery(q="ihracat heyet", facets=["country", "activity"], event_from=date(2019, 1, 1))
        left, right = embedded.search(query), backend.search(query)
        assert (left.total, left.facets) == (right.total, right.facets)
        assert embedded.histogram(query, Interval.YEAR, "sector", "event") == backend.histogram(
            query, Interval.YEAR, "sector", "event"
        )
        assert embedded.suggest("city", "iz") == backend.suggest("city", "iz")
    finally:
        embedded.close()
        backend.close()


def test_opensearch_cluster_that_is_down_is_named_in_the_error() -> None:
    pytest.importorskip(
        "opensearchpy", reason="opensearch-py is the 'opensearch' extra: pip install -e '.[opensearch]'"
    )
    url = f"http://127.0.0.1:{free_port()}"
    backend = open_backend(Settings(backend="opensearch", search_url=url, index_name="kume"))
    with pytest.raises(BackendUnavailable, match=r"OpenSearch at " + url.replace(".", r"\.")):
        backend.ping()


KILLED_REBUILD = """
import sys, time
from search_api.backends.elastic import ElasticBackend
from tests.search_api.conftest import corpus

def slowly():
    for doc in corpus():
        time.sleep(0.05)
        yield doc

ElasticBackend.connect(sys.argv[1], sys.argv[2], flavour=sys.argv[3]).rebuild(slowly())
"""


@pytest.mark.parametrize(
    "flavour",
    [
        pytest.param("elasticsearch", marks=pytest.mark.elasticsearch),
        pytest.param("opensearch", marks=pytest.mark.opensearch),
    ],
)
def test_a_rebuild_killed_midway_leaves_no_index_after_the_next_one(
    flavour: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(f"{flavour}_url")
    alias = f"kume-orphan-{uuid.uuid4().hex[:8]}"
    backend = ElasticBackend.connect(url, alias, flavour=flavour)
    try:
        backend.rebuild(corpus()[:5])
        (live,) = backend.client.indices.get_alias(name=alias)
        killed = subprocess.Popen([sys.executable, "-c", KILLED_REBUILD, url, alias, flavour])
        try:
            deadline = time.monotonic() + 60
            while len(backend.client.indices.get(index=f"{alias}.v*")) < 2:  # its new index exists: kill it
                assert time.monotonic() < deadline and killed.poll() is None, "the rebuild never started"
                time.sleep(0.1)
            killed.send_signal(signal.SIGKILL)
        finally:
            killed.wait()
        left = set(backend.client.indices.get(index=f"{alias}.v*"))
        assert len(left) == 2 and live in left, "the kill left no half-built index (nothing to test)"
        backend.rebuild(corpus()[:7])
        (current,) = backend.client.indices.get_alias(name=alias)
        assert set(backend.client.indices.get(index=f"{alias}.v*")) == {current}
        assert current not in left and backend.count() == 7
    finally:
        for index in backend.client.indices.get(index=f"{alias}.v*"):
            backend.client.indices.delete(index=index)
        backend.close()
