"""The CLI as a script sees it: help on every command, exit codes, clear errors."""

import subprocess
import sys

import pytest

COMMANDS = [
    ["crawl"],
    ["extract"],
    ["index"],
    ["serve"],
    ["search"],
    ["scoreboard"],
    ["project"],
    ["demo"],
    ["eval", "extract"],
    ["eval", "ner"],
]


def kume(*args: str, data_dir=None, **kwargs) -> subprocess.CompletedProcess[str]:
    prefix = ["--data-dir", str(data_dir)] if data_dir else []
    return subprocess.run(
        [sys.executable, "-m", "kume_cli", *prefix, *args], capture_output=True, text=True, timeout=300, **kwargs
    )


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command):
    result = kume(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_unknown_option_is_a_usage_error():
    assert kume("crawl", "--no-such-option").returncode == 2


def test_corrupt_store_exits_3_naming_the_file(tmp_path):
    (tmp_path / "store.sqlite3").write_bytes(b"garbage" * 1000)
    result = kume("extract", data_dir=tmp_path)
    assert result.returncode == 3
    assert "store.sqlite3" in result.stderr


def test_unreachable_elasticsearch_exits_4_and_keeps_the_store(tmp_path):
    result = kume("index", "--backend", "elasticsearch", "--url", "http://127.0.0.1:9", data_dir=tmp_path)
    assert result.returncode == 4, result.stderr
    assert "unavailable" in result.stderr
    assert (tmp_path / "store.sqlite3").exists()


def test_missing_config_file_is_a_usage_error(tmp_path):
    result = kume("--config", str(tmp_path / "nope.toml"), "search", "x")
    assert result.returncode == 2
    assert "nope.toml" in result.stderr
