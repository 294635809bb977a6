"""What a request meets before a route runs: keys before bodies, bounded bodies, throttled guesses,
security headers, and errors that name nothing of the server's own.

Body tests talk raw HTTP/1.1 to a real uvicorn server, so what is measured is what the server reads.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from api.guard import MAX_BODY_BYTES, MAX_WRONG_KEYS, PAGE_POLICY
from kume.store import Store
from tests.api.conftest import WRITE_KEY, Served, serve_over_http

HUGE = 300 * 1024 * 1024


@pytest.fixture(scope="module")
def live(embedded: Served) -> Iterator[str]:
    yield from serve_over_http(embedded.app)


def raw_post(base_url: str, headers: dict[str, str], body: bytes, timeout: float = 5.0) -> str:
    """Send a POST's head and the first bytes of its body, then read the status line the server answers with."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        sock.sendall(f"POST /v1/ingest HTTP/1.1\r\nHost: {parts.netloc}\r\n{head}\r\n".encode() + body)
        try:
            answer = sock.recv(4096).decode("latin-1")
        except TimeoutError:
            return "no answer: the server waits for the rest of the body"
    return answer.split("\r\n", 1)[0]


def test_a_write_without_its_key_is_refused_before_the_body_is_read(live: str) -> None:
    declared = {"Content-Type": "application/json", "Content-Length": str(HUGE)}
    assert raw_post(live, declared, b"{" + b" " * 65536).startswith("HTTP/1.1 401")
    assert raw_post(live, {**declared, "X-API-Key": "wrong"}, b"{").startswith("HTTP/1.1 401")


def test_a_write_body_beyond_the_bound_is_a_413(live: str) -> None:
    declared = {"Content-Type": "application/json", "Content-Length": str(HUGE), "X-API-Key": WRITE_KEY}
    assert raw_post(live, declared, b"{").startswith("HTTP/1.1 413")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"url": "https://oda.example/haber/1", "title": "t", "body": "'
        for _ in range(MAX_BODY_BYTES // 65536 + 1):
            yield b"a" * 65536
        yield b'"}'

    response = httpx.post(f"{live}/v1/ingest", content=chunks(), headers={"X-API-Key": WRITE_KEY}, timeout=60)
    assert response.status_code == 413, response.text
    assert str(MAX_BODY_BYTES) in response.json()["detail"]


def test_wrong_keys_are_throttled_per_client(make_settings) -> None:
    from api.app import create_app

    app = create_app(make_settings(read_api_key="reader"))
    with TestClient(app) as guesser, TestClient(app, client=("10.0.0.2", 50000)) as other:
        for attempt in range(MAX_WRONG_KEYS):
            assert (
                guesser.post("/v1/crawl", json={"source": "x"}, headers={"X-API-Key": f"guess-{attempt}"}).status_code
                == 401
            )
        refused = guesser.post("/v1/crawl", json={"source": "x"}, headers={"X-API-Key": WRITE_KEY})
        assert refused.status_code == 429, refused.text
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        assert guesser.get("/v1/search", headers={"X-API-Key": "reader"}).status_code == 429
        # Another client is not held up by this one's guesses.
        assert other.get("/v1/search", headers={"X-API-Key": "reader"}).status_code == 200
        assert other.post("/v1/crawl", json={"source": "x"}).status_code == 401  # no key given: no guess counted


def test_each_key_has_its_rate_limit(make_settings) -> None:
    from api.app import create_app

    app = create_app(make_settings(read_api_key="reader", rate_limit_per_minute=5))
    with TestClient(app) as client, TestClient(app, client=("10.0.0.3", 50000)) as elsewhere:
        for _ in range(5):
            assert client.get("/v1/search", headers={"X-API-Key": "reader"}).status_code == 200
        limited = client.get("/v1/search", headers={"X-API-Key": "reader"})
        assert limited.status_code == 429, limited.text
        assert 0 < int(limited.headers["Retry-After"]) <= 60 and "5 requests a minute" in limited.json()["detail"]
        # The limit follows the key, not the address: the same key elsewhere is limited too, another key is not.
        assert elsewhere.get("/v1/search", headers={"X-API-Key": "reader"}).status_code == 429
        assert elsewhere.get("/v1/search", headers={"X-API-Key": WRITE_KEY}).status_code == 200
        assert client.get("/healthz").status_code == 200  # health checks are not API calls
    with TestClient(create_app(make_settings())) as unlimited:  # no limit unless one is set
        assert all(unlimited.get("/v1/search").status_code == 200 for _ in range(20))


def test_the_read_key_is_a_security_scheme_only_where_the_server_has_one(make_settings) -> None:
    from api.app import create_app

    with TestClient(create_app(make_settings(read_api_key="reader"))) as keyed:
        schema = keyed.get("/openapi.json").json()
        assert "ReadKey" in schema["components"]["securitySchemes"]
        assert {"ReadKey": []} in schema["paths"]["/v1/search"]["get"]["security"]
    with TestClient(create_app(make_settings())) as open_:
        schema = open_.get("/openapi.json").json()
        assert "ReadKey" not in schema["components"]["securitySchemes"]
        assert "security" not in schema["paths"]["/v1/search"]["get"]
        assert schema["paths"]["/v1/ingest"]["post"]["security"]


def test_every_answer_carries_the_security_headers(embedded: Served) -> None:
    for path in ("/", "/app.js", "/v1/search", "/v1/documents/none", "/openapi.json"):
        headers = embedded.client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Referrer-Policy"] == "no-referrer", path
        assert headers["Content-Security-Policy"] == PAGE_POLICY, path
    docs = embedded.client.get("/docs").headers["Content-Security-Policy"]
    assert "'sha256-" in docs and "frame-ancestors 'none'" in docs and "'unsafe-eval'" not in docs


def test_errors_name_no_server_path_or_address(make_settings) -> None:
    from api.app import create_app
    from search_api.backends import open_backend

    settings = make_settings(backend="elasticsearch", search_url="http://127.0.0.1:9", index_name="kume-down")
    with TestClient(create_app(settings, backend=open_backend(settings))) as client:
        for path in ("/v1/search?q=halı", "/readyz"):
            answer = client.get(path).text
            assert "unavailable" in answer and "127.0.0.1:9" not in answer, answer

    settings = make_settings()
    store = Store(settings.store_path)
    with TestClient(create_app(settings, store=store)) as client:
        store.close()  # the store goes away under the running service
        for path in ("/v1/documents/abc", "/readyz"):
            answer = client.get(path)
            assert answer.status_code == 503, answer.text
            assert str(settings.data_dir) not in answer.text and "store.sqlite3" not in answer.text, answer.text


def test_an_internal_error_is_json_without_details_and_keeps_the_connection(make_settings) -> None:
    from api.app import create_app

    app = create_app(make_settings())

    def broken() -> None:
        raise RuntimeError(f"a bug that knows {make_settings().data_dir}")

    app.add_api_route("/v1/broken", broken)
    app.router.routes.insert(0, app.router.routes.pop())  # before the page's mount at /, which takes any path
    for base in serve_over_http(app):
        with httpx.Client(base_url=base) as client:
            failed = client.get("/v1/broken")
            port = failed.extensions["network_stream"].get_extra_info("client_addr")[1]
            assert failed.status_code == 500 and failed.json()["detail"].startswith("internal error serving /v1/broken")
            assert "a bug" not in failed.text and failed.headers["X-Content-Type-Options"] == "nosniff"
            again = client.get("/healthz")
            assert again.extensions["network_stream"].get_extra_info("client_addr")[1] == port, "the 500 closed it"
