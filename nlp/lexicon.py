"""Inflection-aware phrase lookup over raw text.

spaCy's PhraseMatcher compares token attributes exactly, so "Kazakistan'ımıza" or
"halılarının" would never meet "Kazakistan" or "halı". Here every word is reduced to its
candidate base forms (nlp.text.stems) and a phrase matches when each of its words is one
of the candidates of the word in the text. Offsets are character offsets into the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from nlp.text import APOSTROPHES, WORD_RE, match_key, stems

T = TypeVar("T")
# No organisation or project name runs longer; walking back over capitalised words stops here so
# that a long capitalised run (a headline list, garbage) costs linear time.
MAX_NAME_WORDS = 25


@dataclass(frozen=True, slots=True)
class Word:
    start: int
    end: int
    text: str
    stems: tuple[str, ...]
    head: str  # the word before any apostrophe: the name without its suffixes
    capitalized: bool


def _head(word: str) -> str:
    for mark in APOSTROPHES:
        if mark in word:
            return word.split(mark, 1)[0]
    return word


def words_of(text: str, language: str) -> list[Word]:
    return [
        Word(m.start(), m.end(), w, stems(w, language), _head(w), w[:1].isupper())
        for m in WORD_RE.finditer(text)
        for w in (m.group(),)
    ]


@dataclass(frozen=True)
class Hit(Generic[T]):
    start: int
    end: int
    base: str  # the phrase as written in the text, without the last word's suffixes
    payload: T
    first_word: int
    last_word: int


class PhraseLexicon(Generic[T]):
    """Phrases (as word tuples of match keys) with payloads; longest match wins at each position."""

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], T]]] = {}

    def add(self, phrase: str, payload: T) -> None:
        key = tuple(match_key(w) for w in WORD_RE.findall(phrase))
        if key:
            self._by_first.setdefault(key[0], []).append((key, payload))

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._by_first.values())

    def find(self, text: str, words: list[Word]) -> Iterator[Hit[T]]:
        index = 0
        while index < len(words):
            best: tuple[int, str, list[T]] | None = None
            for stem in words[index].stems:
                for key, payload in self._by_first.get(stem, ()):
                    length = len(key)
                    if index + length > len(words) or (best is not None and length < best[0]):
                        continue
                    if not all(key[k] in words[index + k].stems for k in range(1, length)):
                        continue
                    if length > 1 and any(
                        words[index + k].start - words[index + k - 1].end > 2 for k in range(1, length)
                    ):
                        continue  # a phrase does not run across punctuation or line breaks
                    if best is None or length > best[0]:
                        best = (length, key[-1], [payload])
                    elif best[1] == key[-1]:
                        best[2].append(payload)
            if best is None:
                index += 1
                continue
            length, last, payloads = best
            first, final = words[index], words[index + length - 1]
            if final.head != final.text:
                base_end = final.start + len(final.head)
            else:
                base_end = min(final.end, final.start + len(last))
            for payload in payloads:
                yield Hit(first.start, final.end, text[first.start : base_end], payload, index, index + length - 1)
            index += length
