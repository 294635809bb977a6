"""Following: saved searches, and which newly indexed document versions each of them matches.

Every document version the writer indexes is noted in the store; a version is asked about once, by
every saved search created before it was first indexed, and its matches are kept with it in one
transaction. So a match is announced once (a rebuild re-indexes versions already asked about) and none
is missed across a restart (versions not yet asked about wait in the store).

The asking is percolation: the versions of one batch are indexed into a throw-away embedded index
(kume's own backend, with the analysis and query tree every backend shares, which the agreement test
holds to the same answers as Elasticsearch and OpenSearch), and each saved search runs against it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from kume.schema import Document
from kume.store import Store
from search_api.backends.embedded import EmbeddedBackend
from search_api.contract import SearchQuery
from search_api.indexer import to_index_document

# Versions asked about per batch: one throw-away index of this many documents at a time.
BATCH = 500
_PAGE = 100


class SavedSearch(BaseModel):
    """A search kept under a name for its owner, with its feed and (optionally) a webhook."""

    id: str
    name: str
    query: SearchQuery = Field(description="What to match: text or query language, filters and date ranges.")
    created_at: datetime
    feed_token: str = Field(description="The secret part of the search's feed URL.")
    webhook_url: str | None = None
    webhook_secret: str | None = Field(default=None, description="Key of the HMAC-SHA256 signature of deliveries.")


def owner_of(key: str) -> str:
    """How an owner's key is kept: its SHA-256, never the key itself."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class SearchNotFound(LookupError):
    pass


class SavedSearches:
    """Saved searches in the store, by owner."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, owner: str, name: str, query: SearchQuery, webhook_url: str | None = None) -> SavedSearch:
        search = SavedSearch(
            id=uuid.uuid4().hex,
            name=name,
            query=query.model_copy(update={"cursor": None, "facets": [], "highlight": False}),
            created_at=datetime.now(UTC),
            feed_token=secrets.token_urlsafe(24),
            webhook_url=webhook_url,
            webhook_secret=secrets.token_hex(32) if webhook_url else None,
        )
        record = search.model_dump_json(exclude={"id", "created_at", "feed_token"})
        self.store.save_search(search.id, owner, search.feed_token, search.created_at, record)
        return search

    def get(self, search_id: str, owner: str | None = None) -> SavedSearch:
        """A saved search (of `owner`, if given: another owner's is not found either)."""
        found = self.store.saved_search(search_id)
        if found is None or (owner is not None and found[0] != owner):
            raise SearchNotFound(f"no saved search {search_id!r}")
        _, feed_token, created_at, record = found
        return _saved(search_id, feed_token, created_at, record)

    def by_feed_token(self, feed_token: str) -> SavedSearch:
        search_id = self.store.saved_search_by_feed_token(feed_token)
        if search_id is None:
            raise SearchNotFound("no saved search has this feed")
        return self.get(search_id)

    def of(self, owner: str | None = None) -> list[SavedSearch]:
        return [_saved(*row) for row in self.store.saved_searches(owner)]

    def delete(self, search_id: str, owner: str) -> None:
        self.get(search_id, owner)
        self.store.delete_search(search_id)


def _saved(search_id: str, feed_token: str, created_at: datetime, record: str) -> SavedSearch:
    return SavedSearch.model_validate(
        {**json.loads(record), "id": search_id, "created_at": created_at, "feed_token": feed_token}
    )


def follow(store: Store) -> int:
    """Ask every saved search about the indexed versions not asked about yet; how many matches were kept."""
    kept = 0
    while batch := store.versions_to_follow(BATCH):
        searches = SavedSearches(store).of()
        documents = {(doc_id, version): store.get(doc_id, version) for doc_id, version, _ in batch}
        first_indexed = {(doc_id, version): at for doc_id, version, at in batch}
        matches: list[tuple[str, str, int]] = []
        if searches:
            found = [doc for doc in documents.values() if doc is not None]
            for search in searches:
                eligible = {key for key, at in first_indexed.items() if at > search.created_at}
                matches += [
                    (search.id, doc.id, doc.version)
                    for doc in _percolate(found, search.query)
                    if (doc.id, doc.version) in eligible
                ]
        webhooks = {search.id for search in searches if search.webhook_url}
        store.record_matches(matches, webhooks, list(first_indexed), datetime.now(UTC))
        kept += len(matches)
    return kept


def _percolate(documents: list[Document], query: SearchQuery) -> list[Document]:
    """The documents `query` matches, asked of a throw-away embedded index holding just them."""
    if not documents:
        return []
    by_id = {doc.id: doc for doc in documents}
    with tempfile.TemporaryDirectory(prefix="kume-follow-") as directory:
        index = EmbeddedBackend(Path(directory) / "index.sqlite3", match_cache_rowids=0)
        try:
            index.rebuild(to_index_document(doc) for doc in documents)
            page = query.model_copy(update={"size": _PAGE, "cursor": None, "facets": [], "highlight": False})
            matched: list[Document] = []
            while True:
                result = index.search(page)
                matched += [by_id[hit.id] for hit in result.hits if hit.id in by_id]
                if not result.next_cursor or not result.hits:
                    return matched
                page = page.model_copy(update={"cursor": result.next_cursor})
        finally:
            index.close()
