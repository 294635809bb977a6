from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture(scope="session")
def dev_gold() -> Path:
    path = SHARED / "eval" / "dev.jsonl"
    if not path.is_file():
        pytest.skip(f"gold annotations not found at {path} (shared/ is absent)")
    return path
