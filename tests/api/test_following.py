"""Saved searches through the API: owners, an Atom feed of new matches once each, signed webhooks retried."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kume.config import Settings
from nlp.pipeline import Extractor
from tests.api.conftest import WRITE_KEY

KEY = {"X-API-Key": WRITE_KEY}
ATOM = "{http://www.w3.org/2005/Atom}"


def document(number: int, country: str = "Özbekistan", version: str = "") -> dict[str, str]:
    return {
        "url": f"https://www.example-tso.org.tr/haber/{number}",
        "source": "example-tso",
        "title": f"Tekstil firmaları {country}'da {version}".strip(),
        "body": f"Odamızın Ev Tekstili UR-GE Projesi kapsamında 10 firma {country}'da ikili iş görüşmeleri yaptı. "
        + version,
        "published": "2024-06-12",
        "language": "tr",
    }


class Receiver:
    """A webhook receiver on 127.0.0.1 that fails its first `failures` deliveries with a 500."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if len(receiver.received) < receiver.failures else 204
                receiver.received.append((dict(self.headers), body, status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver(failures=1)
    yield running
    running.close()


def open_app(data_dir: Path, extractor: Extractor) -> TestClient:
    settings = Settings(  # type: ignore[call-arg]
        data_dir=data_dir,
        backend="embedded",
        api_key=WRITE_KEY,
        allow_private_addresses=True,
        webhook_retry_seconds=0.2,
        webhook_poll_seconds=0.1,
    )
    return TestClient(create_app(settings, extractor=extractor))


def feed_entries(client: TestClient, feed_url: str) -> list[str]:
    response = client.get(feed_url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return [entry.findtext(f"{ATOM}id") or "" for entry in root.findall(f"{ATOM}entry")]


def test_a_saved_search_announces_each_new_match_once_across_a_restart(
    tmp_path: Path, extractor: Extractor, receiver: Receiver
) -> None:
    with open_app(tmp_path, extractor) as client:
        assert client.post("/v1/ingest", json=document(0), headers=KEY).status_code == 200  # before the search
        created = client.post(
            "/v1/searches",
            json={"name": "Özbekistan tekstil", "q": "tekstil", "country": ["uz"], "webhook_url": receiver.url},
            headers=KEY,
        )
        assert created.status_code == 201, created.text
        search = created.json()
        assert search["query"]["filters"] == {"country": ["UZ"]}  # resolved as the index holds it
        secret = search["webhook_secret"]
        assert secret and client.get(f"/v1/searches/{search['id']}", headers=KEY).json()["webhook_secret"] is None
        feed = search["feed_url"]
        assert feed_entries(client, feed) == []

        matching = client.post("/v1/ingest", json=document(1), headers=KEY).json()
        client.post("/v1/ingest", json=document(2, country="Almanya"), headers=KEY)  # another country
        client.post("/v1/ingest", json=document(1), headers=KEY)  # the same version again
        entries = feed_entries(client, feed)
        assert entries == [f"urn:kume:match:{search['id']}:{matching['id']}:1"]
        matches = client.get(f"/v1/searches/{search['id']}/matches", headers=KEY).json()
        assert [m["document_id"] for m in matches] == [matching["id"]]

        deadline = time.monotonic() + 15
        while len(receiver.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert [status for _, _, status in receiver.received] == [500, 204], "delivered once after one retry"
    headers, body, _ = receiver.received[-1]
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Kume-Signature-256"], expected)
    assert json.loads(body)["document"]["id"] == matching["id"]

    with open_app(tmp_path, extractor) as restarted:  # a restarted server announces nothing again
        restarted.post("/v1/ingest", json=document(1), headers=KEY)
        assert feed_entries(restarted, feed) == entries
        changed = restarted.post("/v1/ingest", json=document(1, version="(güncellendi)"), headers=KEY).json()
        assert changed["version"] == 2
        assert len(feed_entries(restarted, feed)) == 2  # a new version that matches is news
        time.sleep(1.0)
    assert len(receiver.received) == 3


def test_saved_searches_belong_to_their_key(tmp_path: Path, extractor: Extractor) -> None:
    with open_app(tmp_path, extractor) as client:
        body = {"name": "halı", "q": "halı"}
        assert client.post("/v1/searches", json=body).status_code == 401
        assert client.post("/v1/searches", json=body, headers={"X-API-Key": "wrong"}).status_code == 401
        search = client.post("/v1/searches", json=body, headers=KEY).json()
        assert [s["id"] for s in client.get("/v1/searches", headers=KEY).json()] == [search["id"]]
        refused = client.post("/v1/searches", json={"name": "x", "q": "((("}, headers=KEY)
        assert refused.status_code == 422 and "q:" in refused.json()["detail"]
        outside = client.post("/v1/searches", json={**body, "webhook_url": "javascript:alert(1)"}, headers=KEY)
        assert outside.status_code == 422 and "webhook_url" in outside.json()["detail"]
        assert client.delete(f"/v1/searches/{search['id']}", headers=KEY).status_code == 204
        assert client.get(f"/v1/searches/{search['id']}", headers=KEY).status_code == 404
        assert client.get("/v1/feeds/no-such-feed").status_code == 404
