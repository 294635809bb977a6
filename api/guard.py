"""What a request meets before any route runs, and what every answer carries.

- API keys are checked here (for the routes' dependencies and, before a byte of a write request's
  body is read, by `RequestGuard`); a client that sends wrong keys again and again is refused for
  a while (429), so keys cannot be guessed at speed.
- Each key (or client without one) may make the server's rate limit of requests a minute (429 beyond).
- Request bodies are bounded (413), counted as they arrive, not trusted to their Content-Length.
- An error no handler answered becomes a JSON 500 that names no server internals, sent without
  raising further, so the client's keep-alive connection survives it.
- Every answer carries the security headers, the Content-Security-Policy fitting the page it is.

Written as a plain ASGI middleware: FastAPI reads and parses a body before it runs a route's
dependencies, so a key check in a dependency comes too late for the body.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pydantic import SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kume.config import Settings

log = logging.getLogger(__name__)

# The largest body any route takes: an ingest request's 2,000,000-character body, JSON-escaped.
MAX_BODY_BYTES = 16 * 1024 * 1024
# Wrong keys one client may send within the window before it is refused until the window has passed.
MAX_WRONG_KEYS = 10
WRONG_KEY_WINDOW_SECONDS = 60.0

# The researchers' page loads only its own scripts, styles and images and talks only to this API.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_policy(html: str) -> str:
    """The policy of the vendored Swagger UI page: its own files, plus its one inline script by hash."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return PAGE_POLICY.replace("script-src 'self'", f"script-src 'self' {hashes}")


@dataclass(frozen=True)
class Refusal:
    """Why a request may not go on: its status, message and headers."""

    status: int
    detail: str
    headers: dict[str, str]


class SlidingWindow:
    """Events per name (a client, a key) in a sliding window: wrong keys, or requests under a rate limit
    (this process's memory; each worker counts its own)."""

    def __init__(
        self,
        limit: int = MAX_WRONG_KEYS,
        window: float = WRONG_KEY_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._wrong: dict[str, deque[float]] = {}

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may go on, or None when it may now."""
        with self._lock:
            recent = self._recent(client)
            if len(recent) < self.limit:
                return None
            return max(1, int(recent[0] + self.window - self._clock()) + 1)

    def count(self, client: str) -> None:
        with self._lock:
            self._recent(client).append(self._clock())
            if len(self._wrong) > 10_000:  # forget clients that have not erred within the window
                for other in [
                    c for c, times in self._wrong.items() if not times or times[-1] < self._clock() - self.window
                ]:
                    del self._wrong[other]

    def _recent(self, client: str) -> deque[float]:
        times = self._wrong.setdefault(client, deque())
        while times and times[0] <= self._clock() - self.window:
            times.popleft()
        return times


class Keys:
    """The API's key checks: the write key for writes, the read key (or the write key) for reads when one is set."""

    def __init__(self, settings: Settings, throttle: SlidingWindow | None = None) -> None:
        self.settings = settings
        self.throttle = throttle or SlidingWindow()
        # Requests per key (or per client without one), when the server sets a rate limit.
        per_minute = settings.rate_limit_per_minute
        self.requests = SlidingWindow(limit=per_minute, window=60.0) if per_minute else None

    def refuse_write(self, given: str | None, client: str) -> Refusal | None:
        if self.settings.api_key is None:
            return Refusal(403, "write endpoints are disabled: this server has no api_key configured", {})
        return self._check(given, client, [self.settings.api_key], "X-API-Key header missing or wrong")

    def refuse_read(self, given: str | None, client: str) -> Refusal | None:
        if self.settings.read_api_key is None:
            return None
        accepted = [self.settings.read_api_key, self.settings.api_key]
        message = "X-API-Key header missing or wrong: this server's read endpoints need a key"
        return self._check(given, client, accepted, message)

    def refuse_owner(self, given: str | None, client: str) -> Refusal | None:
        """Saved searches belong to a key: one is always needed, and it must be one of the server's keys when the
        server has any (else any key names its owner)."""
        if not given:
            return Refusal(401, "X-API-Key header missing: saved searches belong to the key that saves them", {})
        accepted = [self.settings.read_api_key, self.settings.api_key]
        if not any(accepted):
            return None
        return self._check(given, client, accepted, "X-API-Key header wrong")

    def refuse_rate(self, given: str | None, client: str) -> Refusal | None:
        """A 429 once a key (or a client without one) has made the server's rate limit of requests this minute."""
        if self.requests is None:
            return None
        name = "key:" + hashlib.sha256(given.encode()).hexdigest()[:16] if given else f"client:{client}"
        wait = self.requests.retry_after(name)
        if wait is not None:
            detail = f"more than {self.settings.rate_limit_per_minute} requests a minute; try again in {wait} s"
            return Refusal(429, detail, {"Retry-After": str(wait)})
        self.requests.count(name)
        return None

    def _check(
        self, given: str | None, client: str, accepted: Iterable[SecretStr | None], message: str
    ) -> Refusal | None:
        wait = self.throttle.retry_after(client)
        if wait is not None:
            detail = f"too many wrong API keys from this client; try again in {wait} s"
            return Refusal(429, detail, {"Retry-After": str(wait)})
        keys = [key.get_secret_value().encode() for key in accepted if key is not None]
        if given is not None and any(secrets.compare_digest(given.encode(), key) for key in keys):
            return None
        if given is not None:
            self.throttle.count(client)
        return Refusal(401, message, {})


def client_of(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class BodyTooLarge(Exception):
    pass


class RequestGuard:
    """The ASGI middleware: write keys before bodies, bounded bodies, security headers, leak-free 500s."""

    def __init__(self, app: ASGIApp, *, keys: Keys, write_paths: set[str], max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.keys = keys
        self.write_paths = write_paths
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = {**SECURITY_HEADERS, "Content-Security-Policy": PAGE_POLICY}
                message["headers"] = [
                    *message.get("headers", []),
                    *(
                        (name.lower().encode(), value.encode())
                        for name, value in extra.items()
                        if name.lower().encode() not in present
                    ),
                ]
            await send(message)

        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        if scope["path"].startswith("/v1/"):
            refusal = self.keys.refuse_rate(headers.get("x-api-key"), client_of(scope))
            if refusal is not None:
                await _answer(send_with_headers, refusal)
                return
        if scope["method"] in ("POST", "PUT", "PATCH"):
            if scope["path"] in self.write_paths:
                refusal = self.keys.refuse_write(headers.get("x-api-key"), client_of(scope))
                if refusal is not None:
                    await _answer(send_with_headers, refusal)
                    return
            try:
                body = await self._read_body(headers.get("content-length"), receive)
            except BodyTooLarge:
                await _answer(send_with_headers, Refusal(413, f"request body larger than {self.max_body} bytes", {}))
                return
            receive = _replay(body, receive)
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise  # the answer is under way; only closing the connection can tell the client
            log.exception("internal error serving %s", scope["path"])
            detail = f"internal error serving {scope['path']}; see the server log"
            await _answer(send_with_headers, Refusal(500, detail, {}))

    async def _read_body(self, declared: str | None, receive: Receive) -> bytes:
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            raise BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then waits for the client to go."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(send: Send, refusal: Refusal) -> None:
    body = json.dumps({"detail": refusal.detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in refusal.headers.items()),
    ]
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
