"""Starts a real, throw-away Elasticsearch or OpenSearch node for tests and benchmarks.

Both projects publish an `integ-test-zip` distribution (no security plugin, no
bundled JDK) to Maven Central. It is fetched with `mvn dependency:copy` into
~/.cache/kume/<name> and runs on one of the machine's JDKs: single node, bound
to 127.0.0.1 on a free port, data and logs in a temporary directory that goes
away with the node. Both refuse to run as root, so under root (CI, containers)
the node runs as `nobody` from a copy of the distribution unpacked where that
user can read it.

The two launch scripts share their layout and differ only in the prefix of
their environment variables and a few settings (`Distribution`).
"""

from __future__ import annotations

import ctypes
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

HEAP = "-Xms512m -Xmx512m"
START_TIMEOUT_S = 180.0
CACHE_ROOT = Path.home() / ".cache" / "kume"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class SearchNodeSetupError(RuntimeError):
    """The node could not be fetched or started; the message says what is missing."""


@dataclass(frozen=True)
class Distribution:
    """One search server's integ-test-zip and how its launch script is told where things are."""

    name: str
    # Maven artifactId, launch script, zip and unpacked directory all carry this name.
    artifact_id: str
    group_id: str
    version: str
    # <prefix>_JAVA_HOME, <prefix>_JAVA_OPTS, <prefix>_PATH_CONF, <prefix>_TMPDIR.
    env_prefix: str
    min_java: int
    settings: tuple[str, ...] = ()

    @property
    def artifact(self) -> str:
        return f"{self.group_id}:{self.artifact_id}:{self.version}:zip"

    @property
    def dirname(self) -> str:
        return f"{self.artifact_id}-{self.version}"

    @property
    def cache_dir(self) -> Path:
        return CACHE_ROOT / self.artifact_id


def distribution_zip(dist: Distribution) -> Path:
    """The distribution zip, fetched with Maven into the cache the first time."""
    target = dist.cache_dir / f"{dist.dirname}.zip"
    if target.is_file():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise SearchNodeSetupError(
            f"Maven (mvn) is needed to fetch {dist.artifact}; install it (apt-get install maven)"
        )
    dist.cache_dir.mkdir(parents=True, exist_ok=True)
    command = [mvn, "-q", "dependency:copy", f"-Dartifact={dist.artifact}", f"-DoutputDirectory={dist.cache_dir}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not target.is_file():
        raise SearchNodeSetupError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return target


def _unpack_root(dist: Distribution) -> Path:
    """Beside the zip, or (as root, whose home `nobody` cannot enter) under the temp directory."""
    return Path(tempfile.gettempdir()) / f"kume-{dist.artifact_id}" if os.geteuid() == 0 else dist.cache_dir


def distribution_home(dist: Distribution) -> Path:
    """The unpacked distribution (unpacked once)."""
    root = _unpack_root(dist)
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    home = root / dist.dirname
    if (home / "bin" / dist.artifact_id).is_file():
        return home
    archive = distribution_zip(dist)
    staging = Path(tempfile.mkdtemp(prefix="unpack-", dir=root))
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(staging)
    # zipfile drops the executable bits the launch scripts need.
    for script in (staging / dist.dirname / "bin").iterdir():
        script.chmod(0o755)
    for path in (staging / dist.dirname).rglob("*"):
        if path.is_dir() or path.suffix == ".so":
            path.chmod(0o755)
    os.replace(staging / dist.dirname, home)
    shutil.rmtree(staging, ignore_errors=True)
    return home


def java_major(java_home: Path) -> int | None:
    """The JDK's feature release from its `release` file (None when it has none)."""
    try:
        release = (java_home / "release").read_text(errors="replace")
    except OSError:
        return None
    found = re.search(r'^JAVA_VERSION="(?:1\.)?(\d+)', release, re.MULTILINE)
    return int(found.group(1)) if found else None


def java_homes(dist: Distribution) -> list[Path]:
    """JDKs to try: those <prefix>_JAVA_HOME/JAVA_HOME name, then every JDK under /usr/lib/jvm, then `java` on PATH.

    JDKs older than the distribution needs are left out rather than tried, which would cost a failed start each.
    """
    homes = [Path(os.environ[name]) for name in (f"{dist.env_prefix}_JAVA_HOME", "JAVA_HOME") if os.environ.get(name)]
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        homes += sorted(path for path in jvm_root.iterdir() if (path / "bin" / "java").is_file())
    java = shutil.which("java")
    if java:
        homes.append(Path(java).resolve().parent.parent)
    usable = dict.fromkeys(home.resolve() for home in homes if (home / "bin" / "java").is_file())
    return [home for home in usable if (java_major(home) or dist.min_java) >= dist.min_java]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SearchNode:
    """One node of `dist`; use as a context manager or call start()/stop()."""

    def __init__(self, dist: Distribution, *, heap: str = HEAP) -> None:
        self.dist = dist
        self.heap = heap
        self.port = 0
        self.url = ""
        self.java_home: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None

    def start(self) -> str:
        home = distribution_home(self.dist)
        homes = java_homes(self.dist)
        if not homes:
            raise SearchNodeSetupError(
                f"no Java runtime >= {self.dist.min_java} found for {self.dist.name} "
                f"(set {self.dist.env_prefix}_JAVA_HOME or install a JDK >= {self.dist.min_java})"
            )
        failures = []
        for java_home in homes:
            try:
                return self._start_with(home, java_home)
            except SearchNodeSetupError as exc:
                failures.append(f"{java_home}: {exc}")
                self.stop()
        raise SearchNodeSetupError(
            f"{self.dist.name} {self.dist.version} did not start with any JDK:\n" + "\n".join(failures)
        )

    def _start_with(self, home: Path, java_home: Path) -> str:
        self._workdir = Path(tempfile.mkdtemp(prefix=f"kume-{self.dist.artifact_id}-"))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log_path = self._workdir / "console.log"
        # The node writes its keystore into its config directory, so each node gets its own copy.
        config = self._workdir / "config"
        shutil.copytree(home / "config", config)
        _anchor_jvm_paths(config / "jvm.options", self._workdir)
        for name in ("tmp", "data", "logs"):
            (self._workdir / name).mkdir()
        prefix = self.dist.env_prefix
        env = {
            **os.environ,
            f"{prefix}_JAVA_HOME": str(java_home),
            f"{prefix}_JAVA_OPTS": self.heap,
            f"{prefix}_PATH_CONF": str(config),
            f"{prefix}_TMPDIR": str(self._workdir / "tmp"),
            "HOME": str(self._workdir),
        }
        env.pop("JAVA_HOME", None)
        user: int | None = None
        group: int | None = None
        extra_groups: list[int] | None = None
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            user, group, extra_groups = nobody.pw_uid, nobody.pw_gid, []
            for path in [self._workdir, *self._workdir.rglob("*")]:
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
        command = [
            str(home / "bin" / self.dist.artifact_id),
            "-Ediscovery.type=single-node",
            "-Enetwork.host=127.0.0.1",
            f"-Ehttp.port={self.port}",
            f"-Epath.data={self._workdir / 'data'}",
            f"-Epath.logs={self._workdir / 'logs'}",
            "-Ecluster.routing.allocation.disk.threshold_enabled=false",
            *self.dist.settings,
        ]
        with log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=self._workdir,
                user=user,
                group=group,
                extra_groups=extra_groups,
                preexec_fn=_die_with_parent,
            )
        self._wait_ready(log_path)
        self.java_home = java_home
        return self.url

    def _wait_ready(self, log_path: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        health = f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=5s"
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise SearchNodeSetupError(f"exited with {self._process.returncode}:\n{_tail(log_path)}")
            try:
                with urllib.request.urlopen(health, timeout=10) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        raise SearchNodeSetupError(f"not ready after {START_TIMEOUT_S:.0f} s:\n{_tail(log_path)}")

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

    def __enter__(self) -> SearchNode:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _die_with_parent() -> None:
    """Have the kernel stop the node when the test process dies without tearing down (killed by a timeout).

    Without it such a node, in a session of its own, would hold its heap until someone kills it by hand.
    Runs in the child after the switch to `nobody` (a later credential change would clear the setting).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _anchor_jvm_paths(jvm_options: Path, workdir: Path) -> None:
    """Point the GC log, error file and heap dump of jvm.options into the node's own directory.

    OpenSearch's launch script runs the JVM from the distribution's home, so the relative `logs/` and
    `data` there would be written into the shared, read-only unpacked copy (the JVM refuses to start when
    it cannot open its GC log). Elasticsearch 8 sets these itself and its jvm.options has none of them.
    """
    text = jvm_options.read_text()
    jvm_options.write_text(re.sub(r"(?<=[=:])(?=logs/|data$)", f"{workdir}/", text, flags=re.MULTILINE))


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
