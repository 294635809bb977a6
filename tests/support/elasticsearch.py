"""Starts a real, throw-away Elasticsearch node for tests and benchmarks.

The `integ-test-zip` distribution comes from Maven Central through `mvn
dependency:copy` into ~/.cache/kume/elasticsearch and runs on the machine's
JDK: single node, security off, bound to 127.0.0.1 on a free port, data in a
temporary directory that goes away with the node. Elasticsearch refuses to run
as root, so under root (CI, containers) it runs as `nobody` from a copy of the
distribution unpacked where that user can read it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from types import TracebackType

ES_VERSION = "8.19.21"
ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
CACHE_DIR = Path.home() / ".cache" / "kume" / "elasticsearch"
HEAP = "-Xms512m -Xmx512m"
START_TIMEOUT_S = 180.0
# Newest first: the first JDK that starts Elasticsearch wins.
JDK_CANDIDATES = ("ES_JAVA_HOME", "JAVA_HOME")


class ElasticsearchSetupError(RuntimeError):
    """Elasticsearch could not be fetched or started; the message says what is missing."""


def distribution_zip(cache_dir: Path = CACHE_DIR) -> Path:
    """The distribution zip, fetched with Maven into the cache the first time."""
    target = cache_dir / f"elasticsearch-{ES_VERSION}.zip"
    if target.is_file():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ElasticsearchSetupError(f"Maven (mvn) is needed to fetch {ARTIFACT}; install it (apt-get install maven)")
    cache_dir.mkdir(parents=True, exist_ok=True)
    command = [mvn, "-q", "dependency:copy", f"-Dartifact={ARTIFACT}", f"-DoutputDirectory={cache_dir}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not target.is_file():
        raise ElasticsearchSetupError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return target


def _unpack_root(cache_dir: Path) -> Path:
    """Beside the zip, or (as root, whose home `nobody` cannot enter) under the temp directory."""
    return Path(tempfile.gettempdir()) / "kume-elasticsearch" if os.geteuid() == 0 else cache_dir


def distribution_home(cache_dir: Path = CACHE_DIR) -> Path:
    """The unpacked distribution (unpacked once)."""
    root = _unpack_root(cache_dir)
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    home = root / f"elasticsearch-{ES_VERSION}"
    if (home / "bin" / "elasticsearch").is_file():
        return home
    archive = distribution_zip(cache_dir)
    staging = Path(tempfile.mkdtemp(prefix="unpack-", dir=root))
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(staging)
    # zipfile drops the executable bits the launch scripts need.
    for script in (staging / f"elasticsearch-{ES_VERSION}" / "bin").iterdir():
        script.chmod(0o755)
    for path in (staging / f"elasticsearch-{ES_VERSION}").rglob("*"):
        if path.is_dir() or path.suffix == ".so":
            path.chmod(0o755)
    os.replace(staging / f"elasticsearch-{ES_VERSION}", home)
    shutil.rmtree(staging, ignore_errors=True)
    return home


def java_homes() -> list[Path]:
    """JDKs to try: those named by ES_JAVA_HOME/JAVA_HOME, then every JDK under /usr/lib/jvm."""
    homes = [Path(os.environ[name]) for name in JDK_CANDIDATES if os.environ.get(name)]
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        homes += sorted(path for path in jvm_root.iterdir() if (path / "bin" / "java").is_file())
    java = shutil.which("java")
    if java:
        homes.append(Path(java).resolve().parent.parent)
    return list(dict.fromkeys(home.resolve() for home in homes if (home / "bin" / "java").is_file()))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ElasticsearchServer:
    """One Elasticsearch node; use as a context manager or call start()/stop()."""

    def __init__(self, *, heap: str = HEAP) -> None:
        self.heap = heap
        self.port = 0
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None

    def start(self) -> str:
        home = distribution_home()
        homes = java_homes()
        if not homes:
            raise ElasticsearchSetupError("no Java runtime found (set ES_JAVA_HOME or install a JDK >= 17)")
        failures = []
        for java_home in homes:
            try:
                return self._start_with(home, java_home)
            except ElasticsearchSetupError as exc:
                failures.append(f"{java_home}: {exc}")
                self.stop()
        raise ElasticsearchSetupError("Elasticsearch did not start with any JDK:\n" + "\n".join(failures))

    def _start_with(self, home: Path, java_home: Path) -> str:
        self._workdir = Path(tempfile.mkdtemp(prefix="kume-es-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log_path = self._workdir / "console.log"
        # The node writes its keystore into its config directory, so each node gets its own copy.
        config = self._workdir / "config"
        shutil.copytree(home / "config", config)
        (self._workdir / "tmp").mkdir()
        env = {
            **os.environ,
            "ES_JAVA_HOME": str(java_home),
            "ES_JAVA_OPTS": self.heap,
            "ES_PATH_CONF": str(config),
            "ES_TMPDIR": str(self._workdir / "tmp"),
            "HOME": str(self._workdir),
        }
        env.pop("JAVA_HOME", None)
        run_as: dict[str, int] = {}
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
            for path in [self._workdir, *self._workdir.rglob("*")]:
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
        command = [
            str(home / "bin" / "elasticsearch"),
            "-Ediscovery.type=single-node",
            "-Expack.security.enabled=false",
            "-Enetwork.host=127.0.0.1",
            f"-Ehttp.port={self.port}",
            f"-Epath.data={self._workdir / 'data'}",
            f"-Epath.logs={self._workdir / 'logs'}",
            "-Ecluster.routing.allocation.disk.threshold_enabled=false",
        ]
        with log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=self._workdir,
                **run_as,  # type: ignore[arg-type]
            )
        self._wait_ready(log_path)
        return self.url

    def _wait_ready(self, log_path: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        health = f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=5s"
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise ElasticsearchSetupError(f"exited with {self._process.returncode}:\n{_tail(log_path)}")
            try:
                with urllib.request.urlopen(health, timeout=10) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        raise ElasticsearchSetupError(f"not ready after {START_TIMEOUT_S:.0f} s:\n{_tail(log_path)}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        self._process = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> ElasticsearchServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
