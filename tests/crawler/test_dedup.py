from __future__ import annotations

import random
from pathlib import Path

from crawler.dedup import DuplicateDetector, signature
from kume.store import Store
from tests.support.news_words import VOCABULARY


def text(seed: int, words: int = 200) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCABULARY) for _ in range(words))


def test_republished_text_matches_and_distinct_text_does_not(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite3")
    detector = DuplicateDetector(store)
    release = text(1)
    assert detector.check_and_add("ministry", release) is None
    republished = "Birliğimizden duyuru: " + release + " Kaynak: Ticaret Bakanlığı"
    assert detector.check_and_add("association", republished) == "ministry"
    assert detector.check_and_add("other", text(2)) is None
    assert detector.check_and_add("ministry", release) is None  # a document never duplicates itself
    store.close()


def test_signatures_survive_a_restart_and_can_be_handed_over(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    with Store(path) as store:
        DuplicateDetector(store).check_and_add("late-copy", text(3))
    with Store(path) as store:
        second = DuplicateDetector(store)
        assert second.check_and_add("original", text(3)) == "late-copy"
        second.replace("late-copy", "original", text(3))
    with Store(path) as store:
        assert DuplicateDetector(store).check_and_add("another-copy", text(3)) == "original"


def test_short_texts_are_not_compared() -> None:
    assert signature("UR-GE heyeti yola çıktı") is None
