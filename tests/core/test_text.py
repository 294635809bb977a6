"""The text conventions every stage shares (kume.text)."""

from __future__ import annotations

from kume.text import SentenceIndex, casefold_tr, sentence_around, sentence_spans, stop_words


def test_turkish_lowercasing_of_dotted_and_dotless_i() -> None:
    assert casefold_tr("İZMİR") == "izmir"
    assert casefold_tr("IĞDIR") == "ığdır"
    assert casefold_tr("IĞDIR İSTANBUL") == "ığdır istanbul"
    # A decomposed dotted capital (I + combining dot above) folds like the composed one.
    assert casefold_tr("I\u0307zmir") == casefold_tr("İzmir") == "izmir"


def test_sentences_end_at_punctuation_before_space_and_at_line_breaks() -> None:
    text = "Heyet 21.UR-GE.016 kodlu proje ile Ticaret Bakanlığı'nı ziyaret etti. Sonra döndü!\nYeni satır"
    spans = sentence_spans(text)
    assert [text[start:end].strip() for start, end in spans] == [
        "Heyet 21.UR-GE.016 kodlu proje ile Ticaret Bakanlığı'nı ziyaret etti.",
        "Sonra döndü!",
        "Yeni satır",
    ]
    start = text.index("Sonra")
    left, right = sentence_around(text, start, start + 5)
    assert text[left:right].strip() == "Sonra döndü"
    index = SentenceIndex(text)
    assert index.number(text.index("Heyet")) == index.number(text.index("Bakanlığı")) == 0
    assert 0 < index.number(start) < index.number(text.index("satır"))


def test_a_text_without_punctuation_bounds_the_sentence_around_a_mention() -> None:
    text = "kelime " * 1000
    left, right = sentence_around(text, 3500, 3506, reach=100)
    assert (left, right) == (3400, 3606)


def test_stop_words_are_case_folded_function_words_of_both_languages() -> None:
    words = stop_words()
    assert {"ve", "için", "the", "and"} <= words
    assert "ticaret" not in words
    assert all(word == casefold_tr(word) for word in words)
