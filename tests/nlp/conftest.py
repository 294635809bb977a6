from pathlib import Path

import pytest

from kume.config import load_settings
from nlp.pipeline import Extractor

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture(scope="session")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> Extractor:
    """One extractor (and so one pipeline per language) for the whole session."""
    return Extractor(load_settings(data_dir=tmp_path_factory.mktemp("kume-data")))


@pytest.fixture(scope="session")
def dev_gold() -> Path:
    path = SHARED / "eval" / "dev.jsonl"
    if not path.is_file():
        pytest.skip(f"gold annotations not found at {path} (shared/ is absent)")
    return path
