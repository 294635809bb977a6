"""docker-compose.yml must be a deployment Compose accepts (`docker compose config`)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    message = "neither `docker compose` nor `docker-compose` is installed (make test installs Debian's docker-compose)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_compose_accepts_the_deployment():
    result = subprocess.run(
        [*compose_command(), "-f", str(REPO / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for service in ("elasticsearch:", "api:", "crawler:"):
        assert service in result.stdout
