"""Ingest and crawl through the API: keys, the source registry as the only fetch list, the real pipeline."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kume.config import Settings
from kume.store import Store
from tests.api.conftest import WRITE_KEY
from tests.api.sites import ARTICLES, Site, news_site, write_registry

KEY = {"X-API-Key": WRITE_KEY}


def open_app(settings: Settings, registry_dir: Path | None = None, base_url: str | None = None) -> TestClient:
    from api.app import create_app
    from crawler.registry import load_registry
    from search_api.backends import open_backend

    store = Store(settings.store_path)
    backend = open_backend(settings)
    registry = load_registry(write_registry(registry_dir), base_url=base_url) if registry_dir and base_url else None
    return TestClient(create_app(settings, backend=backend, store=store, registry=registry))


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with news_site() as running:
        yield running


@pytest.fixture(scope="module")
def writer(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app with the write key, the real nlp pipeline and a registry naming the local site."""
    data_dir = tmp_path_factory.mktemp("api-write")
    settings = Settings(data_dir=data_dir, backend="embedded", api_key=WRITE_KEY, allow_private_addresses=True)  # type: ignore[arg-type]
    with open_app(settings, data_dir, site.base_url) as client:
        yield client


def test_write_endpoints_need_the_key(make_settings) -> None:
    document = {"url": "https://example.org/a", "title": "t", "body": "b"}
    with open_app(make_settings(api_key=None)) as no_key_configured:
        refused = no_key_configured.post("/v1/ingest", json=document, headers=KEY)
        assert refused.status_code == 403
        assert "api_key" in refused.json()["detail"]
    with open_app(make_settings()) as keyed:
        assert keyed.post("/v1/ingest", json=document).status_code == 401
        assert keyed.post("/v1/ingest", json=document, headers={"X-API-Key": "wrong"}).status_code == 401
        assert keyed.post("/v1/crawl", json={"source": "x"}).status_code == 401


def test_read_key_closes_the_read_endpoints(make_settings) -> None:
    with open_app(make_settings(read_api_key="reader")) as client:
        assert client.get("/v1/search").status_code == 401
        assert client.get("/v1/search", headers={"X-API-Key": "reader"}).status_code == 200
        assert client.get("/v1/search", headers=KEY).status_code == 200
        assert client.get("/healthz").status_code == 200


def test_ingest_a_document_by_its_text(writer: TestClient) -> None:
    document = {
        "url": "https://www.example-tso.org.tr/haber/tekstil-urge-ozbekistan",
        "source": "example-tso",
        "title": "Denizli ev tekstili firmaları Özbekistan'da",
        "body": (
            "Denizli Ticaret Odası'nın yürüttüğü Ev Tekstili UR-GE Projesi kapsamında 10 firma 3-7 Haziran 2024 "
            "tarihlerinde Taşkent'e ticaret heyeti düzenledi. Özbek firmalarla ikili iş görüşmeleri yapıldı."
        ),
        "published": "2024-06-12",
        "language": "tr",
    }
    response = writer.post("/v1/ingest", json=document, headers=KEY)
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["outcome"], result["indexed"], result["extraction_status"]) == ("new", True, "ok")

    stored = writer.get(f"/v1/documents/{result['id']}").json()
    assert stored["extraction"]["status"] == "ok"
    assert "UZ" in {c["code"] for c in stored["extraction"]["countries"]}
    found = writer.get("/v1/search", params={"q": "Özbekistan tekstil", "country": "UZ"}).json()
    assert [hit["id"] for hit in found["hits"]] == [result["id"]]

    # The pipeline links the project it names; its dossier and the project facet both lead back here.
    dossiers = [writer.get(f"/v1/projects/{p['id']}").json() for p in writer.get("/v1/projects").json()]
    mine = [d for d in dossiers if result["id"] in {link["document_id"] for link in d["documents"]}]
    assert mine, "no project dossier links the ingested document"
    for dossier in mine:
        assert dossier["program"] == "UR-GE"
        trips = [event for event in dossier["events"] if event["activity"] == "trade_delegation"]
        assert [(e["start"], e["end"], e["firms"]) for e in trips] == [("2024-06-03", "2024-06-07", 10)]
        assert [source["document_id"] for source in trips[0]["sources"]] == [result["id"]]
        by_project = writer.get("/v1/search", params={"project": dossier["id"]}).json()
        assert [hit["id"] for hit in by_project["hits"]] == [result["id"]]

    again = writer.post("/v1/ingest", json=document, headers=KEY).json()
    assert again["outcome"] == "unchanged"


def test_ingest_by_url_fetches_only_registered_sources(writer: TestClient, site: Site) -> None:
    path = next(iter(ARTICLES))
    before = len(site.requests)
    outside = site.base_url.replace("127.0.0.1", "localhost") + path
    refused = writer.post("/v1/ingest", json={"url": outside}, headers=KEY)
    assert refused.status_code == 422
    assert "url" in refused.json()["detail"] and "localhost" in refused.json()["detail"]
    assert len(site.requests) == before, "a URL outside the registry was fetched"

    response = writer.post("/v1/ingest", json={"url": site.base_url + path}, headers=KEY)
    assert response.status_code == 200, response.text
    doc = writer.get(f"/v1/documents/{response.json()['id']}").json()
    assert doc["source"] == "ornek-oda"
    assert doc["title"] == ARTICLES[path][0]
    assert "IQ" in {c["code"] for c in doc["extraction"]["countries"]}

    missing = writer.post("/v1/ingest", json={"url": site.base_url + "/haberler/yok"}, headers=KEY)
    assert missing.status_code == 502
    assert "/haberler/yok" in missing.json()["detail"]


def test_only_web_urls_are_ingested_and_private_addresses_not_fetched(
    make_settings, site: Site, tmp_path: Path
) -> None:
    page = {"title": "Tıklayın", "body": "Ayrıntılar bağlantıda."}
    with open_app(make_settings(), tmp_path, site.base_url) as client:  # the default: public addresses only
        for url in (
            "javascript:alert(document.domain)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://a.example/x",
        ):
            refused = client.post("/v1/ingest", json={"url": url, **page}, headers=KEY)
            assert refused.status_code == 422 and "http" in refused.json()["detail"], (url, refused.text)
        before = len(site.requests)
        private = client.post("/v1/ingest", json={"url": site.base_url + next(iter(ARTICLES))}, headers=KEY)
        assert private.status_code == 422 and "not a public address" in private.json()["detail"], private.text
        assert len(site.requests) == before, "a private address was fetched"


def test_ingest_validation_names_the_field(writer: TestClient) -> None:
    response = writer.post("/v1/ingest", json={"title": "no url"}, headers=KEY)
    assert response.status_code == 422
    assert "url" in response.json()["detail"]
    response = writer.post(
        "/v1/ingest", json={"url": "https://a.example/x", "body": "b", "published": "yesterday"}, headers=KEY
    )
    assert response.status_code == 422
    assert "published" in response.json()["detail"]


def test_crawl_a_registered_source_in_the_background(writer: TestClient, site: Site) -> None:
    unknown = writer.post("/v1/crawl", json={"source": "https://evil.example/"}, headers=KEY)
    assert unknown.status_code == 422
    assert "source" in unknown.json()["detail"]

    started = writer.post("/v1/crawl", json={"source": "ornek-oda"}, headers=KEY)
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    deadline = time.monotonic() + 120
    while True:
        job = writer.get(f"/v1/crawl/{job_id}", headers=KEY).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert job["status"] == "done", job
    assert job["indexed"] >= len(ARTICLES)
    # The page test_ingest_by_url_fetches_only_registered_sources stored sent no validators and is fresh: skipped.
    assert (job["new"], job["skipped"], job["not_modified"], job["off_site"], job["disallowed"]) == (1, 1, 0, 0, 0)
    found = writer.get("/v1/search", params={"q": "Azerbaycan alım heyeti", "source": "ornek-oda"}).json()
    assert any(hit["url"].endswith("/haberler/gida-alim-heyeti") for hit in found["hits"])
    assert writer.get("/v1/crawl/no-such-job", headers=KEY).status_code == 404


def test_sources_list_the_registry_with_labels_and_last_crawls(writer: TestClient) -> None:
    listed = writer.get("/v1/sources")
    assert listed.status_code == 200, listed.text
    by_id = {source["id"]: source for source in listed.json()}
    oda = by_id["ornek-oda"]
    assert oda["name"] and oda["kind"] and oda["languages"] and oda["schedule"].startswith("every ")
    # test_crawl_a_registered_source_in_the_background crawled it just before.
    assert oda["last_crawled"] is not None


def test_backend_down_is_a_503_with_a_reason(make_settings) -> None:
    from api.app import create_app
    from search_api.backends import open_backend

    settings = make_settings(backend="elasticsearch", search_url="http://127.0.0.1:9", index_name="kume-down")
    with TestClient(create_app(settings, backend=open_backend(settings))) as client:
        for path in ("/v1/search?q=halı", "/v1/stats/top?facet=country", "/v1/export", "/readyz"):
            response = client.get(path)
            assert response.status_code == 503, (path, response.text)
            assert "unavailable" in response.json()["detail"]
        assert client.get("/healthz").status_code == 200


def wait_for_job(client: TestClient, job_id: str) -> dict[str, object]:
    deadline = time.monotonic() + 120
    while True:
        job: dict[str, object] = client.get(f"/v1/crawl/{job_id}", headers=KEY).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.5)


def test_crawl_jobs_are_shared_by_every_api_process(site: Site, tmp_path: Path) -> None:
    """Two apps over one data directory stand for two `kume serve --workers 2` processes."""
    from pipeline.jobs import CrawlJob, JobStatus

    settings = Settings(data_dir=tmp_path, backend="embedded", api_key=WRITE_KEY)  # type: ignore[arg-type]
    with open_app(settings, tmp_path, site.base_url) as first, open_app(settings, tmp_path, site.base_url) as second:
        job_id = first.post("/v1/crawl", json={"source": "ornek-oda"}, headers=KEY).json()["id"]
        assert wait_for_job(second, job_id)["status"] == "done"

        store = Store(settings.store_path)
        try:
            # A job still running in a live process blocks a second crawl of its source, from any process.
            running = CrawlJob(id="live", source="ornek-oda", status=JobStatus.RUNNING, created_at=datetime.now(UTC))
            here = f"{socket.gethostname()}:{os.getpid()}"
            store.claim_crawl_job("live", "ornek-oda", here, running.model_dump_json())
            refused = second.post("/v1/crawl", json={"source": "ornek-oda"}, headers=KEY)
            assert refused.status_code == 409 and "live" in refused.json()["detail"]
            # A job left active by a process that is gone is reported failed and blocks nothing.
            gone = subprocess.Popen(["true"])
            gone.wait()
            store.update_crawl_job("live", running.model_dump_json(), active=False)
            orphan = running.model_copy(update={"id": "orphan"})
            store.claim_crawl_job("orphan", "ornek-oda", f"{socket.gethostname()}:{gone.pid}", orphan.model_dump_json())
            retried = second.post("/v1/crawl", json={"source": "ornek-oda"}, headers=KEY)
            assert retried.status_code == 202, retried.text
            reported = second.get("/v1/crawl/orphan", headers=KEY).json()
            assert reported["status"] == "failed" and "stopped before it finished" in reported["message"]
            assert wait_for_job(first, retried.json()["id"])["status"] == "done"
        finally:
            store.close()
