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

# Letters and digits, with apostrophe-joined suffixes kept on the same token.
TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_APOSTROPHES = ("'", "’")
_AGENT_SUFFIXES = ("çı", "çi", "çu", "çü", "cı", "ci", "cu", "cü")
# A shorter remainder is too often a different word that happens to end in -ci ("geçici", "seçici").
_MIN_AGENT_ROOT = 5
_DOTLESS = str.maketrans({"ı": "i"})
_CACHE_LIMIT = 300_000

_stemmers = {"tr": Stemmer.Stemmer("turkish"), "en": Stemmer.Stemmer("english")}


def turkish_lower(text: str) -> str:
    """Lower-case with Turkish dotted/dotless I (str.lower turns İ into i + combining dot)."""
    return text.replace("İ", "i").replace("I", "ı").lower()


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
    return ascii_fold(turkish_lower(value.strip()))


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
    lowered = turkish_lower(base)
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
        lowered = turkish_lower(base)
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
    """Fragments of `text` around words whose terms are in `terms`; those words in <mark>, the rest escaped."""
    if not terms or not text:
        return []
    spans = _spans_for_fragments(text, language, terms, fragment_chars, max_fragments)
    fragments: list[str] = []
    covered_until = -1
    lead = fragment_chars // 3
    for index, (match_start, _, matched) in enumerate(spans):
        if len(fragments) >= max_fragments:
            break
        if not matched or match_start < covered_until:
            continue
        first = index
        while first > 0 and match_start - spans[first - 1][0] <= lead:
            first -= 1
        start = spans[first][0]
        last = index
        while last + 1 < len(spans) and spans[last + 1][1] - start <= fragment_chars:
            last += 1
        end = spans[last][1]
        fragments.append(_render(text, spans[first : last + 1], start, end))
        covered_until = end
    return fragments


def _spans_for_fragments(
    text: str, language: str | None, terms: set[str], fragment_chars: int, max_fragments: int
) -> list[tuple[int, int, bool]]:
    """(start, end, matched) of the tokens the fragments can reach, stopping early on long texts.

    A fragment never reaches further than `fragment_chars` past the match that
    opens it, and matches `fragment_chars` apart always open separate fragments,
    so scanning can stop once `max_fragments` such matches have been seen.
    """
    stem_language = _stemmer_language(language)
    # Each distinct word is analysed once, and a text whose words miss every term (a match in the
    # title only) costs one regex pass in C rather than a term lookup per token.
    matching_words = {word for word in set(TOKEN_RE.findall(text)) if _cache.term(word, stem_language) in terms}
    if not matching_words:
        return []
    spans: list[tuple[int, int, bool]] = []
    separated_matches = 0
    last_separated = -fragment_chars
    stop_at: int | None = None
    for match in TOKEN_RE.finditer(text):
        start = match.start()
        if stop_at is not None and start > stop_at:
            break
        matched = match.group() in matching_words
        spans.append((start, match.end(), matched))
        if matched and start >= last_separated + fragment_chars:
            separated_matches += 1
            last_separated = start
            if separated_matches == max_fragments:
                stop_at = start + fragment_chars
    return spans


def _render(text: str, spans: list[tuple[int, int, bool]], start: int, end: int) -> str:
    parts: list[str] = []
    position = start
    for token_start, token_end, matched in spans:
        if not matched:
            continue
        parts.append(html.escape(text[position:token_start]))
        parts.append(f"<mark>{html.escape(text[token_start:token_end])}</mark>")
        position = token_end
    parts.append(html.escape(text[position:end]))
    return " ".join("".join(parts).split())
