"""Webhook deliveries of saved searches' new matches: signed, retried with backoff, never in a crawl's way.

Matching only queues a delivery in the store (pipeline.follow); a sender, run by the API server on a
thread of its own, posts what is due. Each POST carries a JSON body and its HMAC-SHA256 signature under
the saved search's secret (`X-Kume-Signature-256: sha256=<hex>`, as GitHub signs its webhooks), so a
receiver can tell kume's deliveries from forgeries. A failed attempt (network error, timeout, a status
that is not 2xx) is tried again after base × 2^attempts seconds, up to a number of attempts; each
delivery is leased while it is being sent, so two server processes never send it twice at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from crawler.fetch import public_address
from kume.config import Settings
from kume.store import Store
from pipeline.follow import SavedSearches, SearchNotFound

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Kume-Signature-256"
TIMEOUT_SECONDS = 10.0
LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=6)


class WebhookUrlRefused(ValueError):
    """A webhook URL kume will not post to: not http(s), or an address inside this network."""


def signature(secret: str, body: bytes) -> str:
    """The value of SIGNATURE_HEADER for `body`."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def check_webhook_url(url: str, *, allow_private: bool) -> None:
    """Refuse a URL that is not http(s), or whose host resolves to a private, loopback or link-local address
    (unless `allow_private`): a webhook must not make the server request its own network."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookUrlRefused(f"webhook URL {url!r} is not an absolute http(s) URL")
    if allow_private:
        return
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except socket.gaierror as exc:
        raise WebhookUrlRefused(f"webhook host {parts.hostname!r} does not resolve: {exc}") from exc
    for address in sorted(addresses):
        if not public_address(address):
            raise WebhookUrlRefused(f"webhook host {parts.hostname!r} is at {address}, not a public address")


class WebhookSender:
    """Sends the due deliveries of one store."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._searches = SavedSearches(store)

    def send_due(self, now: datetime | None = None, limit: int = 50) -> int:
        """Attempt every delivery due by `now`; how many were delivered."""
        now = now or datetime.now(UTC)
        delivered = 0
        for match_seq, search_id, doc_id, version, attempts in self.store.claim_deliveries(now, LEASE, limit):
            error = self._attempt(search_id, doc_id, version, now)
            if error is None:
                self.store.delivery_sent(match_seq, datetime.now(UTC))
                delivered += 1
                continue
            tried = attempts + 1
            retry = None
            if tried < self.settings.webhook_max_attempts:
                wait = timedelta(seconds=self.settings.webhook_retry_seconds * 2 ** (tried - 1))
                retry = datetime.now(UTC) + min(wait, MAX_BACKOFF)
            log.warning("webhook of saved search %s, attempt %d: %s", search_id, tried, error)
            self.store.delivery_failed(match_seq, error, retry)
        return delivered

    def _attempt(self, search_id: str, doc_id: str, version: int, now: datetime) -> str | None:
        """Post one delivery; None when the receiver took it, else what went wrong."""
        try:
            search = self._searches.get(search_id)
        except SearchNotFound:
            return "the saved search was deleted"
        document = self.store.get(doc_id, version)
        if search.webhook_url is None or search.webhook_secret is None or document is None:
            return "nothing to deliver: no webhook, or the document version is gone"
        payload = {
            "event": "search.match",
            "search": {"id": search.id, "name": search.name},
            "document": {
                "id": document.id,
                "version": document.version,
                "url": document.url,
                "title": document.title,
                "source": document.source,
                "published": document.published.isoformat() if document.published else None,
            },
            "sent_at": now.isoformat(),
        }
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": self.settings.user_agent,
            SIGNATURE_HEADER: signature(search.webhook_secret, body),
            "X-Kume-Delivery": f"{search.id}/{document.id}/{document.version}",
        }
        try:
            check_webhook_url(search.webhook_url, allow_private=self.settings.allow_private_addresses)
            response = httpx.post(search.webhook_url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
        except (WebhookUrlRefused, httpx.HTTPError) as exc:
            return f"{type(exc).__name__}: {exc}"
        if not 200 <= response.status_code < 300:
            return f"HTTP {response.status_code}"
        return None


class WebhookThread:
    """Runs a sender every `poll` seconds on a daemon thread until stopped (the API server's lifetime)."""

    def __init__(self, sender: WebhookSender, poll: float) -> None:
        self._sender = sender
        self._poll = poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start sending (again, after a stop: an app's lifespan may run more than once)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="kume-webhooks", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._sender.send_due()
            except Exception:  # a store hiccup must not end deliveries for the server's lifetime
                log.exception("webhook deliveries failed; trying again in %s s", self._poll)
            self._stop.wait(self._poll)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=TIMEOUT_SECONDS + 5)
