"""Search as a library: Python text analysis, the backend contract, the backends (embedded,
Elasticsearch/OpenSearch) and the indexer. The HTTP service over it is api/."""
