"""Text conventions every stage shares: the supported languages, Turkish case folding, sentences, stop words.

Extraction (nlp), search analysis (search_api) and the models kume trains (models) all
read Turkish; they must lower-case it, cut it into sentences and skip its function words
the same way, or a fact found in one place is missed in another.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import cache

SUPPORTED_LANGUAGES = ("tr", "en")

_TURKISH_UPPER = str.maketrans({"I": "ı", "İ": "i"})


def casefold_tr(text: str) -> str:
    """Lower-case with Turkish dotted/dotless i rules (İ→i, I→ı), after NFC normalisation.

    str.lower() maps "I" to "i" and "İ" to "i" + a combining dot; NFC first, so that a decomposed
    "İ" (I + U+0307) folds like the composed one. PyICU would do it but is a heavy native
    dependency for two letters.
    """
    return unicodedata.normalize("NFC", text).translate(_TURKISH_UPPER).lower()


# Where a sentence ends: a run of sentence punctuation before whitespace (or the end), or a line break.
# A code like "21.UR-GE.016" does not end one; an abbreviation before a space ("T.C. Ticaret") does, a
# price paid for not keeping a list of abbreviations per language.
SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n")
# How far a sentence is looked for around a mention: news sentences are shorter, and a text without
# punctuation (a flattened table) must not make every mention's sentence the whole text.
SENTENCE_REACH = 400


def sentence_around(text: str, start: int, end: int, reach: int = SENTENCE_REACH) -> tuple[int, int]:
    """Offsets of the sentence holding text[start:end], at most `reach` characters on each side."""
    low = max(0, start - reach)
    left = max((m.end() for m in SENTENCE_END.finditer(text, low, start)), default=low)
    right = SENTENCE_END.search(text, end, min(len(text), end + reach))
    return left, right.start() if right else min(len(text), end + reach)


class SentenceIndex:
    """Which sentence of a text an offset lies in, by bisecting the sentence ends."""

    def __init__(self, text: str) -> None:
        self._ends = [match.end() for match in SENTENCE_END.finditer(text)]

    def number(self, offset: int) -> int:
        return bisect.bisect_right(self._ends, offset)


@cache
def stop_words() -> frozenset[str]:
    """Turkish and English function words (spaCy's lists), case-folded: words that name nothing."""
    from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP_WORDS
    from spacy.lang.tr.stop_words import STOP_WORDS as TR_STOP_WORDS

    return frozenset(casefold_tr(word) for word in TR_STOP_WORDS | EN_STOP_WORDS)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, in order; the punctuation that ends one stays with it."""
    spans = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        if text[start : match.end()].strip():
            spans.append((start, match.end()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans
