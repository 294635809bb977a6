"""Following: saved searches of a key, their new matches, and each one's Atom feed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi import Path as PathParam

from api.deps import OwnerDep, ReaderDep, SearchesDep, ServicesDep
from api.feeds import atom_feed
from api.schemas import ERRORS, OWNER_ERRORS, Message, SavedSearchInfo, SavedSearchRequest, SearchMatch
from pipeline.follow import SavedSearch, SavedSearches, SearchNotFound
from pipeline.webhooks import WebhookUrlRefused, check_webhook_url

router = APIRouter(tags=["following"], responses=OWNER_ERRORS)
# Feeds need no key (feed readers send no headers): the feed's URL is its key.
feeds = APIRouter(tags=["following"], responses=ERRORS)
FEED_ENTRIES = 50
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Message}}


def _info(request: Request, search: SavedSearch, *, with_secret: bool = False) -> SavedSearchInfo:
    return SavedSearchInfo(
        id=search.id,
        name=search.name,
        query=search.query,
        created_at=search.created_at,
        feed_url=str(request.url_for("search_feed", feed_token=search.feed_token)),
        webhook_url=search.webhook_url,
        webhook_secret=search.webhook_secret if with_secret else None,
    )


def _matches(searches: SavedSearches, search: SavedSearch, limit: int) -> list[tuple[SearchMatch, str]]:
    found = []
    for doc_id, version, matched_at in searches.store.search_matches(search.id, limit):
        doc = searches.store.get(doc_id, version)
        if doc is not None:
            match = SearchMatch(
                document_id=doc.id,
                version=doc.version,
                matched_at=matched_at,
                url=doc.url,
                title=doc.title,
                published=doc.published,
            )
            found.append((match, doc.body))
    return found


@router.post(
    "/v1/searches", status_code=201, responses={400: {"model": Message, "description": "The body is not JSON."}}
)
def create(
    body: SavedSearchRequest,
    request: Request,
    owner: OwnerDep,
    found: ServicesDep,
    reader: ReaderDep,
    searches: SearchesDep,
) -> SavedSearchInfo:
    """Save a search; documents indexed from now on that match it go to its feed (and webhook, if given)."""
    query = reader.resolved(body.query(size=0))
    reader.search(query)  # a query that does not parse is refused now, not at every match
    if body.webhook_url is not None:
        try:
            check_webhook_url(body.webhook_url, allow_private=found.settings.allow_private_addresses)
        except WebhookUrlRefused as exc:
            raise HTTPException(422, f"webhook_url: {exc}") from exc
    search = searches.create(owner, body.name, query, body.webhook_url)
    return _info(request, search, with_secret=True)


@router.get("/v1/searches")
def list_searches(request: Request, owner: OwnerDep, searches: SearchesDep) -> list[SavedSearchInfo]:
    """The saved searches of the key sent."""
    return [_info(request, search) for search in searches.of(owner)]


@router.get("/v1/searches/{search_id}", responses=NOT_FOUND)
def get_search(
    search_id: Annotated[str, PathParam(max_length=64)], request: Request, owner: OwnerDep, searches: SearchesDep
) -> SavedSearchInfo:
    try:
        return _info(request, searches.get(search_id, owner))
    except SearchNotFound as exc:
        raise HTTPException(404, str(exc)) from exc


@router.delete("/v1/searches/{search_id}", status_code=204, responses=NOT_FOUND)
def delete_search(search_id: Annotated[str, PathParam(max_length=64)], owner: OwnerDep, searches: SearchesDep) -> None:
    try:
        searches.delete(search_id, owner)
    except SearchNotFound as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/v1/searches/{search_id}/matches", responses=NOT_FOUND)
def matches(
    search_id: Annotated[str, PathParam(max_length=64)], owner: OwnerDep, searches: SearchesDep
) -> list[SearchMatch]:
    """The documents that newly matched the search, newest first."""
    try:
        search = searches.get(search_id, owner)
    except SearchNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    return [match for match, _ in _matches(searches, search, FEED_ENTRIES)]


@feeds.get(
    "/v1/feeds/{feed_token}",
    name="search_feed",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}, **NOT_FOUND},
)
def search_feed(
    feed_token: Annotated[str, PathParam(max_length=64)], request: Request, searches: SearchesDep
) -> Response:
    """A saved search's new matches as an Atom feed; the feed's URL is its key (feed readers send no headers)."""
    try:
        search = searches.by_feed_token(feed_token)
    except SearchNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    feed_url = str(request.url_for("search_feed", feed_token=feed_token))
    return Response(
        atom_feed(search, feed_url, _matches(searches, search, FEED_ENTRIES)), media_type="application/atom+xml"
    )
