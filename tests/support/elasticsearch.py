"""A real, throw-away Elasticsearch node for tests and benchmarks (see tests/support/search_node.py).

Security is switched off with a setting, as the integ-test-zip ships the X-Pack security module.
"""

from __future__ import annotations

from tests.support.search_node import HEAP, Distribution, SearchNode, SearchNodeSetupError, free_port

__all__ = ["ELASTICSEARCH", "ElasticsearchServer", "ElasticsearchSetupError", "free_port"]

ES_VERSION = "8.19.21"
ELASTICSEARCH = Distribution(
    name="Elasticsearch",
    artifact_id="elasticsearch",
    group_id="org.elasticsearch.distribution.integ-test-zip",
    version=ES_VERSION,
    env_prefix="ES",
    min_java=17,
    settings=("-Expack.security.enabled=false",),
)
ElasticsearchSetupError = SearchNodeSetupError


class ElasticsearchServer(SearchNode):
    """One Elasticsearch node; use as a context manager or call start()/stop()."""

    def __init__(self, *, heap: str = HEAP) -> None:
        super().__init__(ELASTICSEARCH, heap=heap)
