"""A saved search's new matches as an Atom feed (RFC 4287), written by feedgen."""

from __future__ import annotations

from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from api.schemas import SearchMatch
from pipeline.follow import SavedSearch

SUMMARY_CHARS = 400


def atom_feed(search: SavedSearch, feed_url: str, matches: list[tuple[SearchMatch, str]]) -> bytes:
    """The feed of `search`: one entry per (match, body), newest first, as the store keeps them."""
    feed = FeedGenerator()
    feed.id(f"urn:kume:saved-search:{search.id}")
    feed.title(f"kume: {search.name}")
    feed.link(href=feed_url, rel="self")
    feed.author({"name": "kume"})
    feed.updated(matches[0][0].matched_at if matches else search.created_at)
    for match, body in matches:
        entry = feed.add_entry(order="append")
        entry.id(f"urn:kume:match:{search.id}:{match.document_id}:{match.version}")
        entry.title(match.title or match.url)
        entry.link(href=match.url)
        entry.updated(match.matched_at)
        if match.published is not None:
            entry.published(datetime(match.published.year, match.published.month, match.published.day, tzinfo=UTC))
        entry.summary(" ".join(body.split())[:SUMMARY_CHARS])
    atom: bytes = feed.atom_str(pretty=True)
    return atom
