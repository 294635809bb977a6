"""Serve the bundled demo site (demo_site/site/) on 127.0.0.1 like a small publisher's web server.

The stdlib's threaded http.server is enough here: the site is a few dozen static
files read by one crawler and one test at a time on the loopback interface, and
the standard library already does safe path translation, directory indexes and
MIME guessing. What it lacks, and what a crawler meets on real chamber sites, is
added below: a charset in Content-Type taken from the page's own declaration
(one page is windows-1254), ETag with If-None-Match, and 304 answers computed on
the bytes actually sent.

Files may contain the placeholder `{base_url}` (feeds, sitemaps, robots.txt and
canonical links need absolute URLs, but the port is only known at start-up);
it is replaced by the server's base URL when a file is served.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from w3lib.encoding import html_body_declared_encoding

SITE_ROOT = Path(__file__).with_name("site")
BASE_URL_PLACEHOLDER = b"{base_url}"
TEXT_TYPES = ("text/", "application/xml", "application/rss+xml")
# A feed served as application/rss+xml is what real CMSs send and what feed readers key on.
CONTENT_TYPES_BY_NAME = {"rss.xml": "application/rss+xml"}

log = logging.getLogger(__name__)


class DemoSiteHandler(SimpleHTTPRequestHandler):
    """Static files with per-file charset, ETag/Last-Modified and conditional GET."""

    extensions_map = {  # noqa: RUF012 - the stdlib declares it as a class attribute
        **SimpleHTTPRequestHandler.extensions_map,
        ".xml": "application/xml",
        ".txt": "text/plain",
    }

    server: DemoSiteServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(SITE_ROOT), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def send_head(self) -> io.BytesIO | None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                self._redirect_to_directory()
                return None
            path = path / "index.html"
        if not path.is_file():
            self.send_error(HTTPStatus.NOT_FOUND, f"no such page: {urlsplit(self.path).path}")
            return None

        content_type = CONTENT_TYPES_BY_NAME.get(path.name) or self.guess_type(path)
        body = path.read_bytes()
        if content_type.startswith(TEXT_TYPES):
            body = body.replace(BASE_URL_PLACEHOLDER, self.server.base_url.encode("ascii"))
            content_type += f"; charset={declared_charset(body, content_type)}"
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        modified = int(path.stat().st_mtime)

        if self._not_modified(etag, modified):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(modified, usegmt=True))
            self.end_headers()
            return None
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", formatdate(modified, usegmt=True))
        self.end_headers()
        return io.BytesIO(body)

    def _redirect_to_directory(self) -> None:
        parts = urlsplit(self.path)
        location = parts.path + "/" + (f"?{parts.query}" if parts.query else "")
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_modified(self, etag: str, modified: int) -> bool:
        # RFC 9110 13.2.2: If-None-Match decides when present; If-Modified-Since only without it.
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in candidates or etag in candidates
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since.timestamp() >= modified


def declared_charset(body: bytes, content_type: str) -> str:
    """The charset a page declares in its own markup (HTML), else UTF-8, which every other demo file uses."""
    if not content_type.startswith("text/html"):
        return "utf-8"
    codec = html_body_declared_encoding(body) or "utf-8"
    # w3lib answers with Python codec names; HTTP wants the IANA name, which for Windows code pages is windows-125x.
    return re.sub(r"^cp(125\d)$", r"windows-\1", codec)


class DemoSiteServer(ThreadingHTTPServer):
    daemon_threads = True

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        host = str(host)
        return f"http://{f'[{host}]' if ':' in host else host}:{port}"


@contextmanager
def serve_demo_site(host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve the demo site in a background thread; yields its base URL (no trailing slash).

    Port 0 picks a free port. The server stops when the block exits.
    """
    server = DemoSiteServer((host, port), DemoSiteHandler)
    thread = threading.Thread(target=server.serve_forever, name=f"demo-site {server.base_url}", daemon=True)
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
