"""A crawl's processes: the child dies with its parent, one crawl per source per store, nothing left on disk.

Real processes throughout: `kume crawl` as a script runs it, a crawl in a second Python process, a
real uvicorn server killed with SIGKILL, and the local news site counting every fetch.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from crawler.registry import load_registry
from crawler.run import SourceBusy, crawl, log_path
from crawler.settings import CrawlOptions
from kume.config import Settings
from kume.process import owner_alive
from kume.store import Store
from tests.crawler.site import BULK_REGISTRY_TOML, LocalNewsSite

WRITE_KEY = "process-life-key"
FAST = CrawlOptions(download_delay=0, autothrottle_start_delay=0, concurrency_per_domain=2, log_level="INFO")


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def stored(settings: Settings) -> int:
    if not settings.store_path.exists():
        return 0
    with Store(settings.store_path) as store:
        return store.count(include_duplicates=True)


def crawl_holder(settings: Settings) -> str | None:
    """The owner (host:pid:start) of the bulk source's live crawl lock, if any."""
    if not settings.store_path.exists():
        return None
    with Store(settings.store_path) as store:
        lock = store.crawl_locks().get("toplu")
    return lock.owner if lock else None


def holder_pid(owner: str) -> int:
    return int(owner.split(":")[1])


def kume_crawl(settings: Settings, registry_file: Path, base_url: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "kume_cli", "--data-dir", str(settings.data_dir), "crawl", "--source", "toplu"]
    argv += ["--registry", str(registry_file), "--base-url", base_url]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def files_left(data_dir: Path) -> set[str]:
    """Files of the data directory besides the store and the crawl log."""
    log = log_path(Settings(data_dir=data_dir))
    return {
        str(path.relative_to(data_dir))
        for path in data_dir.rglob("*")
        if path.is_file() and not path.name.startswith("store.sqlite3") and path != log
    }


@pytest.fixture
def bulk(tmp_path: Path) -> tuple[LocalNewsSite, Path, Settings]:
    site = LocalNewsSite(bulk_articles=40, bulk_delay=0.2)
    registry_file = tmp_path / "sources.toml"
    registry_file.write_text(BULK_REGISTRY_TOML, encoding="utf-8")
    return site, registry_file, Settings(data_dir=tmp_path / "data")


def test_killing_kume_crawl_kills_its_child_and_leaves_no_order_behind(bulk) -> None:
    site, registry_file, settings = bulk
    with site:
        cli = kume_crawl(settings, registry_file, site.base_url)
        try:
            wait_for(lambda: stored(settings) >= 3, 60, "the crawl to store pages")
            child = crawl_holder(settings)
            assert child is not None and holder_pid(child) != cli.pid, "the child holds the source's crawl lock"
            cli.send_signal(signal.SIGKILL)  # the CLI only; its child must follow it
            cli.wait()
            wait_for(lambda: not owner_alive(child), 5, "the crawl child to die with its parent")
        finally:
            cli.kill()
            cli.communicate()
        at_death = stored(settings)
        time.sleep(2)
        assert stored(settings) == at_death, "pages were stored after the crawl's parent died"
        assert at_death < 40
        assert crawl_holder(settings) is None, "a dead crawl's lock still counts as held"
    assert files_left(settings.data_dir) == set(), "an order (registry, user agent) was left on disk"
    assert "BrokenPipeError" not in log_path(settings).read_text(encoding="utf-8")


def test_one_crawl_per_source_per_store_across_processes(bulk) -> None:
    site, registry_file, settings = bulk
    script = (
        "import sys; from pathlib import Path;"
        "from crawler.registry import load_registry; from crawler.run import crawl;"
        "from crawler.settings import CrawlOptions; from kume.config import Settings;"
        "registry = load_registry(Path(sys.argv[1]), base_url=sys.argv[2]);"
        "options = CrawlOptions.model_validate_json(sys.argv[4]);"
        "print(crawl(Settings(data_dir=Path(sys.argv[3])), registry, options=options).new)"
    )
    site.bulk_delay = 0.6  # long enough for the three tries below to meet the first crawl running
    with site:
        arguments = [str(registry_file), site.base_url, str(settings.data_dir), FAST.model_dump_json()]
        first = subprocess.Popen(
            [sys.executable, "-c", script, *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(lambda: crawl_holder(settings) is not None, 60, "the first crawl to hold the lock")
            registry = load_registry(registry_file, base_url=site.base_url)
            # The same source from this process, from `kume crawl` and from the API's crawl jobs: all refused.
            with pytest.raises(SourceBusy, match="'toplu' is already being crawled"):
                crawl(settings, registry, ["toplu"], options=FAST)
            second = kume_crawl(settings, registry_file, site.base_url)
            _, err = second.communicate(timeout=120)
            assert second.returncode == 3, err
            assert "already being crawled" in err
            from api.app import create_app
            from search_api.backends import open_backend

            api_settings = Settings(data_dir=settings.data_dir, api_key=WRITE_KEY)  # type: ignore[arg-type]
            app = create_app(api_settings, backend=open_backend(api_settings), registry=registry)
            with TestClient(app) as client:
                refused = client.post("/v1/crawl", json={"source": "toplu"}, headers={"X-API-Key": WRITE_KEY})
            assert refused.status_code == 409, refused.text
            out, err = first.communicate(timeout=180)
        finally:
            first.kill()
    assert first.returncode == 0, err
    assert int(out.strip().splitlines()[-1]) == 40
    fetches = {path: n for (path, status), n in site.hits.items() if status == 200 and "/toplu/haber/" in path}
    assert len(fetches) == 40 and set(fetches.values()) == {1}, "a page was fetched by two crawls"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SERVE = """
import sys
from pathlib import Path
import uvicorn
from api.app import create_app
from crawler.registry import load_registry
from kume.config import Settings

settings = Settings(data_dir=Path(sys.argv[1]), api_key=sys.argv[2])
registry = load_registry(Path(sys.argv[3]), base_url=sys.argv[4])
uvicorn.run(create_app(settings, registry=registry), host="127.0.0.1", port=int(sys.argv[5]), log_level="warning")
"""


def test_a_killed_server_takes_its_crawl_with_it_and_the_job_can_run_again(bulk) -> None:
    site, registry_file, settings = bulk
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    key = {"X-API-Key": WRITE_KEY}
    with site:
        argv = [sys.executable, "-c", SERVE, str(settings.data_dir), WRITE_KEY, str(registry_file), site.base_url]
        server = subprocess.Popen([*argv, str(port)], stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: _answers(f"{base}/healthz"), 60, "the server to start")
            started = httpx.post(f"{base}/v1/crawl", json={"source": "toplu"}, headers=key)
            assert started.status_code == 202, started.text
            job_id = started.json()["id"]
            wait_for(lambda: stored(settings) >= 3, 60, "the job's crawl to store pages")
            child = crawl_holder(settings)
            assert child is not None
            server.send_signal(signal.SIGKILL)
            server.wait()
            wait_for(lambda: not owner_alive(child), 5, "the crawl child to die with the server")
        finally:
            server.kill()
            server.wait()
        at_death = stored(settings)
        time.sleep(2)
        assert stored(settings) == at_death < 40

        # The restarted server reports the job failed and crawls the source again, to the end.
        from api.app import create_app
        from search_api.backends import open_backend

        api_settings = Settings(data_dir=settings.data_dir, api_key=WRITE_KEY)  # type: ignore[arg-type]
        registry = load_registry(registry_file, base_url=site.base_url)
        app = create_app(api_settings, backend=open_backend(api_settings), registry=registry)
        with TestClient(app) as client:
            failed = client.get(f"/v1/crawl/{job_id}", headers=key).json()
            assert failed["status"] == "failed" and "stopped before it finished" in failed["message"]
            again = client.post("/v1/crawl", json={"source": "toplu"}, headers=key)
            assert again.status_code == 202, again.text
            app.state.services.jobs.wait(timeout=300)
            done = client.get(f"/v1/crawl/{again.json()['id']}", headers=key).json()
        assert done["status"] == "done", done
    assert stored(settings) == 40
    assert files_left(settings.data_dir) <= {"index.sqlite3", "index.sqlite3-wal", "index.sqlite3-shm"}


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_a_stale_lock_is_taken_over_and_a_live_one_is_not(tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    with Store(tmp_path / "store.sqlite3") as store:
        here = f"{socket.gethostname()}:{os.getpid()}"
        dead = f"{socket.gethostname()}:{gone.pid}"
        assert store.lock_crawls(["a"], dead) == {}
        assert store.lock_crawls(["a", "b"], here) == {}, "a dead process's lock was not taken over"
        held = store.lock_crawls(["b"], "other-process")
        assert set(held) == {"b"} and held["b"].owner == here
        assert store.hand_over_crawls(["a", "b"], here, "child") and not store.hand_over_crawls(["a"], here, "x")
        store.unlock_crawls(["a", "b"], ["child"])
        assert store.crawl_locks() == {}
        # Another host's crawl is asked by its heartbeat, which stopped two minutes ago.
        assert store.lock_crawls(["c"], "elsewhere:1:") == {} and "c" in store.crawl_locks()
        stopped = (datetime.now(UTC) - timedelta(minutes=2)).isoformat()
        with sqlite3.connect(tmp_path / "store.sqlite3") as db:
            db.execute("UPDATE crawl_locks SET heartbeat_at = ?", (stopped,))
        assert store.crawl_locks() == {} and store.lock_crawls(["c"], here) == {}
