"""Fixtures shared by every test area: a real Elasticsearch node for the session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.elasticsearch import ElasticsearchServer, ElasticsearchSetupError

EXTERNAL_URL_ENV = "KUME_TEST_ELASTICSEARCH_URL"


@pytest.fixture(scope="session")
def elasticsearch_url() -> Iterator[str]:
    """URL of a running Elasticsearch: the one KUME_TEST_ELASTICSEARCH_URL names, else a node started here."""
    external = os.environ.get(EXTERNAL_URL_ENV)
    if external:
        yield external
        return
    server = ElasticsearchServer()
    try:
        server.start()
    except ElasticsearchSetupError as exc:
        pytest.fail(f"cannot start Elasticsearch for the tests: {exc}", pytrace=False)
    try:
        yield server.url
    finally:
        server.stop()
