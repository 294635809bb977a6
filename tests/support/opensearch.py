"""A real, throw-away OpenSearch node for tests (see tests/support/search_node.py).

OpenSearch 3 needs Java 21 or newer: on a machine whose default JDK is 17 the
launcher passes over it to a newer JDK under /usr/lib/jvm (or OPENSEARCH_JAVA_HOME).
The integ-test-zip carries no security plugin, so no setting is needed to run over plain HTTP.
"""

from __future__ import annotations

from tests.support.search_node import HEAP, Distribution, SearchNode

OPENSEARCH_VERSION = "3.6.0"
OPENSEARCH = Distribution(
    name="OpenSearch",
    artifact_id="opensearch",
    group_id="org.opensearch.distribution.integ-test-zip",
    version=OPENSEARCH_VERSION,
    env_prefix="OPENSEARCH",
    min_java=21,
)


class OpenSearchServer(SearchNode):
    """One OpenSearch node; use as a context manager or call start()/stop()."""

    def __init__(self, *, heap: str = HEAP) -> None:
        super().__init__(OPENSEARCH, heap=heap)
