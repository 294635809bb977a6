"""Turkish and English text analysis shared by every search backend.

Backends never analyse text themselves: documents are indexed as space-joined
strings of the terms made here, and queries are turned into the same terms, so
the embedded index and Elasticsearch/OpenSearch match the same documents
without any language plugin on the server.

A term is the stem of a word, lower-cased the Turkish way (İ -> i, I -> ı) and
then ASCII-folded (ı -> i, ş -> s, é -> e ...), so "İHRACAT", "ihracat" and
"IHRACAT" typed on an English keyboard all meet. Stemming is PyStemmer's
Snowball (Turkish or English by the document's language). Two Turkish rules
Snowball lacks are added by hand:

* an apostrophe separates a proper noun from its suffixes ("Kazakistan'ımıza"),
  so the part before it is the word and is not stemmed further;
* the agent suffix -cı/-ci/-cu/-cü/-çı/... ("ihracatçı", "yatırımcı") is a
  derivation Snowball keeps, but a user searching "ihracat" expects the exporters.

A query word becomes a group of alternative terms (its folded surface form and
its Turkish and English stems) because the query's language is unknown; a
document matches a query when it holds at least one term of every group.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata

import Stemmer

from kume.text import casefold_tr

# Letters and digits, with apostrophe-joined suffixes kept on the same token.
TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_APOSTROPHES = ("'", "’")
_AGENT_SUFFIXES = ("çı", "çi", "çu", "çü", "cı", "ci", "cu", "cü")
# A shorter remainder is too often a different word that happens to end in -ci ("geçici", "seçici").
_MIN_AGENT_ROOT = 5
_DOTLESS = str.maketrans({"ı": "i"})
_CACHE_LIMIT = 300_000

_stemmers = {"tr": Stemmer.Stemmer("turkish"), "en": Stemmer.Stemmer("english")}


def ascii_fold(text: str) -> str:
    """Drop diacritics and map ı to i; text without them comes back unchanged."""
    text = text.translate(_DOTLESS)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=65_536)  # facet values repeat across documents
def fold_key(value: str) -> str:
    """Case- and accent-insensitive key of a facet value, for prefix suggestions."""
    return ascii_fold(casefold_tr(value.strip()))


def _base(word: str) -> tuple[str, bool]:
    """The word before an apostrophe, and whether there was one."""
    for mark in _APOSTROPHES:
        cut = word.find(mark)
        if cut > 0:
            return word[:cut], True
    return word, False


def _turkish_stem(lowered: str) -> str:
    stem: str = _stemmers["tr"].stemWord(lowered)
    if stem.endswith(_AGENT_SUFFIXES) and len(stem) - 2 >= _MIN_AGENT_ROOT:
        stem = stem[:-2]
    return ascii_fold(stem)


def _english_stem(lowered: str) -> str:
    # English Snowball treats ı as a consonant, so fold first.
    stem: str = _stemmers["en"].stemWord(ascii_fold(lowered))
    return stem


def _stemmer_language(language: str | None) -> str | None:
    return language if language in _stemmers else None


class _TermCache:
    """Word -> term per language; news vocabulary repeats, so most words are stemmed once."""

    def __init__(self) -> None:
        self._tables: dict[str | None, dict[str, str]] = {}

    def _table(self, language: str | None) -> dict[str, str]:
        return self._tables.setdefault(language, {})

    def term(self, word: str, language: str | None) -> str:
        table = self._table(language)
        term = table.get(word)
        if term is None:
            if len(table) >= _CACHE_LIMIT:
                table.clear()
            term = _compute_term(word, language)
            table[word] = term
        return term

    def terms(self, words: list[str], language: str | None) -> list[str]:
        # Indexing looks up every word of every body: a bare dict lookup per known word, keyed by the
        # word alone, is most of the speed of analysis.
        known = self._table(language).get
        return [term if (term := known(word)) is not None else self.term(word, language) for word in words]


def _compute_term(word: str, language: str | None) -> str:
    base, had_apostrophe = _base(word)
    lowered = casefold_tr(base)
    if had_apostrophe or language is None:
        return ascii_fold(lowered)
    if language == "tr":
        return _turkish_stem(lowered)
    return _english_stem(lowered)


_cache = _TermCache()


def term_list(text: str, language: str | None) -> list[str]:
    """The terms of `text` written in `language`, one per word, in order."""
    return _cache.terms(TOKEN_RE.findall(text), _stemmer_language(language))


def index_terms(text: str, language: str | None) -> str:
    """The space-joined terms a backend indexes for `text` written in `language`."""
    return " ".join(term_list(text, language))


def query_groups(q: str) -> list[list[str]]:
    """One group of alternative terms per query word, duplicates removed, in query order."""
    groups: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for word in TOKEN_RE.findall(q):
        base, _ = _base(word)
        lowered = casefold_tr(base)
        alternatives = sorted({ascii_fold(lowered), _turkish_stem(lowered), _english_stem(lowered)})
        key = tuple(alternatives)
        if key not in seen:
            seen.add(key)
            groups.append(alternatives)
    return groups


def query_terms(q: str) -> set[str]:
    return {term for group in query_groups(q) for term in group}


def highlight(
    text: str,
    language: str | None,
    terms: set[str],
    *,
    fragment_chars: int = 160,
    max_fragments: int = 3,
) -> list[str]:
    """Fragments of `text` around words whose terms are in `terms`; those words in <mark>, the rest escaped.

    A fragment starts at the first word at most a third of `fragment_chars` before the match that
    opens it and ends with the last word that keeps it within `fragment_chars` (or with that match).
    """
    if not terms or not text:
        return []
    candidates = _candidate_words(frozenset(term[0] for term in terms if term))
    stem_language = _stemmer_language(language)
    # Only words starting with a term's first letter are looked at, and the scan stops when the
    # fragments are full: a long body costs a regex pass in C over its beginning, not a lookup per token.
    matching: dict[str, bool] = {}

    def matches(word: str) -> bool:
        known = matching.get(word)
        if known is None:
            known = matching[word] = _cache.term(word, stem_language) in terms
        return known

    fragments: list[str] = []
    covered_until = -1
    lead = fragment_chars // 3
    for match in candidates.finditer(text):
        if len(fragments) >= max_fragments:
            break
        if match.start() < covered_until or not matches(match.group()):
            continue
        opening = _WORD_START_RE.search(text, max(0, match.start() - lead))
        start = opening.start() if opening else match.start()
        end = max(match.end(), _last_word_end(text, start, start + fragment_chars))
        marked = [word for word in candidates.finditer(text, start, end) if matches(word.group())]
        fragments.append(_render(text, marked, start, end))
        covered_until = end
    return fragments


# Where a word of TOKEN_RE starts: a letter or digit not preceded by one, nor by an apostrophe after one.
_WORD_START = r"(?<![^\W_])(?<![^\W_]['’])"
_WORD_START_RE = re.compile(_WORD_START + r"[^\W_]")
_WORD_GOES_ON_RE = re.compile(r"[^\W_]|['’][^\W_]")


def _latin_letters_by_fold() -> dict[str, set[str]]:
    """Letters of Latin script by the ASCII letter they fold to ("ş" and "Ş" under "s", "İ" and "ı" under "i")."""
    letters: dict[str, set[str]] = {}
    for code in [*range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x250)]:
        folded = fold_key(chr(code))
        if len(folded) == 1:
            letters.setdefault(folded, set()).add(chr(code))
    return letters


_FOLDED_FROM = _latin_letters_by_fold()


@functools.lru_cache(maxsize=1024)
def _candidate_words(first_letters: frozenset[str]) -> re.Pattern[str]:
    """Words (as TOKEN_RE cuts them) whose first letter folds to one of `first_letters`.

    Lower-casing, folding and stemming never change a word's first letter, so only these words can
    have one of the terms.
    """
    letters = set()
    for letter in first_letters:
        letters |= {letter, letter.upper(), *_FOLDED_FROM.get(letter, ())}
    letter_class = "".join(re.escape(letter) for letter in sorted(letters))
    return re.compile(_WORD_START + f"[{letter_class}]" + r"[^\W_]*(?:['’][^\W_]+)*")


def _last_word_end(text: str, start: int, limit: int) -> int:
    """The end of the last word that starts at or after `start` and ends by `limit` (`start` if none)."""
    ends = [match.end() for match in TOKEN_RE.finditer(text, start, limit)]
    # A word cut by `limit` does not end there.
    if ends and ends[-1] == limit and _WORD_GOES_ON_RE.match(text, limit):
        ends.pop()
    return ends[-1] if ends else start


def _render(text: str, marked: list[re.Match[str]], start: int, end: int) -> str:
    parts: list[str] = []
    position = start
    for word in marked:
        parts.append(html.escape(text[position : word.start()]))
        parts.append(f"<mark>{html.escape(word.group())}</mark>")
        position = word.end()
    parts.append(html.escape(text[position:end]))
    return " ".join("".join(parts).split())
