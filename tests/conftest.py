"""Fixtures shared by every test area: real Elasticsearch and OpenSearch nodes, and the nlp extractor.

One node of each per session, started when a test first asks for its URL; one extractor (its spaCy
pipelines loaded once) for every test that extracts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kume.config import load_settings
from nlp.pipeline import Extractor
from tests.support.elasticsearch import ElasticsearchServer
from tests.support.opensearch import OpenSearchServer
from tests.support.search_node import SearchNode, SearchNodeSetupError

EXTERNAL_URL_ENV = "KUME_TEST_ELASTICSEARCH_URL"
EXTERNAL_OPENSEARCH_URL_ENV = "KUME_TEST_OPENSEARCH_URL"


def _node_url(server: SearchNode, external_url_env: str) -> Iterator[str]:
    """The URL `external_url_env` names, else that of `server` started here and stopped after the session.

    A node that cannot be fetched or started fails the test: CI always reaches Maven Central, so a skip
    would hide a bug.
    """
    external = os.environ.get(external_url_env)
    if external:
        yield external
        return
    try:
        server.start()
    except SearchNodeSetupError as exc:
        pytest.fail(f"cannot start {server.dist.name} for the tests: {exc}", pytrace=False)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def elasticsearch_url() -> Iterator[str]:
    """URL of a running Elasticsearch: the one KUME_TEST_ELASTICSEARCH_URL names, else a node started here."""
    yield from _node_url(ElasticsearchServer(), EXTERNAL_URL_ENV)


@pytest.fixture(scope="session")
def opensearch_url() -> Iterator[str]:
    """URL of a running OpenSearch: the one KUME_TEST_OPENSEARCH_URL names, else a node started here."""
    yield from _node_url(OpenSearchServer(), EXTERNAL_OPENSEARCH_URL_ENV)


@pytest.fixture(scope="session")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> Extractor:
    """One extractor (and so one pipeline per language) for the whole session."""
    return Extractor(load_settings(data_dir=tmp_path_factory.mktemp("kume-data")))
