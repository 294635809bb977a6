"""One URL of a registered source, fetched without Scrapy (the API's ingest by URL), and nothing else.

The URL comes from a client, so every hop of it is checked before it is requested: http(s) only,
a host within the source's allowed domains, the scheme's default port or one the source's
registry URLs use, and addresses (as resolved, and as actually connected to) that are public
unless `Settings.allow_private_addresses` says otherwise. Redirects are followed here, one hop at
a time, for that reason.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego
from w3lib.encoding import http_content_type_encoding
from w3lib.url import canonicalize_url

from crawler.maintext import extract_main_text
from crawler.registry import Registry, SourceConfig
from crawler.settings import CrawlOptions
from kume.config import Settings
from kume.schema import Page

MAX_REDIRECTS = 10
_DEFAULT_PORTS = {"http": 80, "https": 443}


class UrlNotAllowed(ValueError):
    """The URL (or a hop it redirects to) is not one kume fetches: outside every registered source, not
    http(s), on another port, at a private address, or forbidden by robots.txt."""


class FetchError(RuntimeError):
    """A single-URL fetch failed (HTTP error, timeout, too large, too many redirects); the message names the URL."""


def fetch_page(
    settings: Settings,
    registry: Registry,
    url: str,
    *,
    timeout: float = 30.0,
    max_size: int = CrawlOptions().max_size,
) -> Page:
    """Fetch and extract one URL of a registered source, obeying robots.txt; nothing is stored.

    Raises UrlNotAllowed where the URL or a hop of its redirects may not be fetched (see the module)
    or robots.txt forbids it, FetchError when the server fails, MainTextError when the page has no text.
    """
    source = registry.source_for_url(url)
    if source is None:
        raise UrlNotAllowed(f"{url} is not within the allowed domains of any registered source")
    check_hop(url, source, settings)
    headers = {"User-Agent": settings.user_agent}
    # No proxies from the environment: the addresses checked must be the ones connected to.
    with httpx.Client(headers=headers, timeout=timeout, follow_redirects=False, trust_env=False) as client:
        if not _robots_allow(client, url, source, settings):
            raise UrlNotAllowed(f"{url} is disallowed by robots.txt")
        try:
            with _get(client, url, source, settings) as (response, chain):
                if response.status_code >= 400:
                    raise FetchError(f"{url}: HTTP {response.status_code}")
                raw = bytearray()
                for chunk in response.iter_bytes():
                    raw.extend(chunk)
                    if len(raw) > max_size:
                        raise FetchError(f"{url}: response larger than {max_size} bytes, refused")
                content_type = response.headers.get("Content-Type", "text/html")
                etag = response.headers.get("ETag")
                last_modified = response.headers.get("Last-Modified")
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
    canonical = canonicalize_url(chain[-1])
    extracted = extract_main_text(
        bytes(raw),
        canonical,
        content_type,
        http_content_type_encoding(content_type),
        source.selectors,
        languages=source.languages,
    )
    aliases = sorted({canonicalize_url(u) for u in chain} - {canonical})
    return extracted.to_page(
        source=source.id,
        url=canonical,
        raw=bytes(raw),
        etag=etag,
        last_modified=last_modified,
        aliases=aliases,
    )


def check_hop(url: str, source: SourceConfig, settings: Settings) -> None:
    """Raise UrlNotAllowed unless `url` may be requested for `source` (see the module)."""
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise UrlNotAllowed(f"{url}: only absolute http and https URLs are fetched")
    if not source.allows(url):
        raise UrlNotAllowed(f"{url} is outside source {source.id!r} ({', '.join(source.allowed_domains)})")
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError as exc:
        raise UrlNotAllowed(f"{url}: {exc}") from exc
    if port not in _source_ports(source):
        raise UrlNotAllowed(f"{url}: port {port} is none the source's registry URLs use")
    if settings.allow_private_addresses:
        return
    try:
        resolved = {str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)}
    except OSError as exc:
        raise UrlNotAllowed(f"{url}: its host {parts.hostname} cannot be resolved ({exc})") from exc
    for address in sorted(resolved):
        if not public_address(address):
            raise UrlNotAllowed(f"{url}: {parts.hostname} is at {address}, not a public address; not fetched")


def public_address(address: str) -> bool:
    """Whether an IP address is one on the public Internet: not private, loopback, link-local, reserved or multicast."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _source_ports(source: SourceConfig) -> set[int]:
    ports = set(_DEFAULT_PORTS.values())
    for registered in [*source.start_urls, *source.feeds, *source.sitemaps]:
        parts = urlsplit(registered)
        if parts.port is not None:
            ports.add(parts.port)
    return ports


@contextmanager
def _get(
    client: httpx.Client, url: str, source: SourceConfig, settings: Settings
) -> Iterator[tuple[httpx.Response, list[str]]]:
    """The streamed response at the end of `url`'s redirects, with the chain of URLs; each hop checked first."""
    chain = [url]
    for _ in range(MAX_REDIRECTS + 1):
        response = client.send(client.build_request("GET", chain[-1]), stream=True)
        try:
            _check_peer(response, chain[-1], settings)
            if not response.is_redirect:
                yield response, chain
                return
            target = urljoin(chain[-1], response.headers["Location"])
        finally:
            response.close()
        if target in chain:
            raise FetchError(f"{url}: redirect loop: {' -> '.join([*chain, target])}")
        try:
            check_hop(target, source, settings)
        except UrlNotAllowed as exc:
            raise UrlNotAllowed(f"{url} redirects to {target}, which is not fetched: {exc}") from exc
        chain.append(target)
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _check_peer(response: httpx.Response, url: str, settings: Settings) -> None:
    """The address actually connected to must pass too: a name may resolve anew between the check and the connect."""
    if settings.allow_private_addresses:
        return
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if peer and not public_address(str(peer[0])):
        raise UrlNotAllowed(f"{url}: connected to {peer[0]}, not a public address; not read")


def _robots_allow(client: httpx.Client, url: str, source: SourceConfig, settings: Settings) -> bool:
    """robots.txt per RFC 9309: missing (4xx) allows everything, unreachable (5xx, network error) nothing."""
    parts = urlsplit(url)
    try:
        with _get(client, f"{parts.scheme}://{parts.netloc}/robots.txt", source, settings) as (response, _):
            response.read()
    except (httpx.HTTPError, UrlNotAllowed, FetchError):
        return False
    if 400 <= response.status_code < 500:
        return True
    if response.status_code >= 500:
        return False
    return bool(Protego.parse(response.text).can_fetch(url, settings.user_agent))
