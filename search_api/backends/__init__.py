"""Search backends behind `search_api.contract.SearchBackend`, chosen by Settings.backend."""

from __future__ import annotations

from kume.config import Settings
from search_api.contract import SearchBackend


def open_backend(settings: Settings) -> SearchBackend:
    """The backend `settings.backend` names: embedded (SQLite beside the store), elasticsearch or opensearch."""
    if settings.backend == "embedded":
        from search_api.backends.embedded import EmbeddedBackend

        return EmbeddedBackend(settings.embedded_index_path)
    from search_api.backends.elastic import ElasticBackend

    return ElasticBackend.connect(settings.search_url, settings.index_name, flavour=settings.backend)
