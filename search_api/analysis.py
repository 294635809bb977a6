"""Turkish and English text analysis shared by every search backend.

Backends never analyse text themselves: documents are indexed as space-joined
strings of the terms made here, and queries are turned into the same terms, so
the embedded index and Elasticsearch/OpenSearch match the same documents
without any language plugin on the server.

A term is the stem of a word, lower-cased the Turkish way (İ -> i, I -> ı) and
then ASCII-folded (ı -> i, ş -> s, é -> e ...), so "İHRACAT", "ihracat" and
"IHRACAT" typed on an English keyboard all meet. Stemming is PyStemmer's
Snowball (Turkish or English by the document's language), with Turkish rules
Snowball lacks added by hand:

* Snowball removes one layer of suffixes per call, and takes a bare word one
  step further than the same word inflected: "halı" -> "hal" but "halılar" ->
  "halı", "eğitim" -> "eğit" but "eğitimler" -> "eğitim". So a Turkish word is
  stemmed until the stem stops changing; a step that would leave fewer than
  three letters is not taken ("küme" -> "k", "oda" -> "o" would meet pronouns
  and conjunctions).
* Snowball leaves the buffer s of the possessive -sı/-si/-su/-sü ("projesi" ->
  "projes"); it is dropped, so "projesi" meets "proje".
* an apostrophe separates a proper noun from its suffixes ("Kazakistan'ımıza"),
  so the part before it is the word and is not stemmed further;
* the agent suffix -cı/-ci/-cu/-cü/-çı/... ("ihracatçı", "yatırımcı") is a
  derivation Snowball keeps, but a user searching "ihracat" expects the exporters.

A word written with hyphens ("UR-GE", "e-ihracat") is indexed as its parts, in
place, and its parts joined ("urge") in a separate list of compound terms, so
"URGE", "UR-GE" and "Ur-Ge" meet without moving the positions phrases use.

A query word becomes a group of alternative terms because the query's language
and spelling are unknown: its folded form, its English stem, and the Turkish
terms of every Turkish spelling of its folded letters ("igdir" may be "ığdır"
or "iğdır") and of its plural and possessive forms. The group depends only on
the folded letters, so spellings that differ in case, dotted or dotless i or
diacritics ("İğdır", "Iğdır", "IGDIR") find the same documents.
"""

from __future__ import annotations

import functools
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
# A stemming step may not leave fewer letters: shorter Turkish noun roots are rare, pronouns and conjunctions common.
_MIN_STEM = 3
_MAX_STEPS = 5
_VOWELS = frozenset("aeıioöuü")
_CLOSE_VOWELS = frozenset("ıiuü")
# Turkish letters an ASCII keyboard writes as the letter after them, varied from a word's end (where the suffixes
# are) at most this many times, so a long word costs at most 2**7 spellings.
_RESPELL = {"i": "ı", "s": "ş", "c": "ç", "g": "ğ", "o": "ö", "u": "ü"}
_MAX_RESPELT = 7
# Parts of a hyphenated word; each part must hold a letter ("2023-2024" is two numbers, not a compound).
COMPOUND_RE = re.compile(r"(?<![^\W_])[^\W_]++(?:[-‐‑][^\W_]++)+")
_HYPHENS = re.compile(r"[-‐‑]")
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
    stemmer = _stemmers["tr"]
    stem = lowered
    for _ in range(_MAX_STEPS):
        shorter: str = stemmer.stemWord(stem)
        if (
            len(stem) == len(shorter) + 1
            and stem[-1] in _CLOSE_VOWELS
            and shorter.endswith("s")
            and shorter[-2:-1] in _VOWELS
        ):
            shorter = shorter[:-1]  # the possessive's buffer s: "projes(i)" -> "proje"
        if shorter == stem or len(shorter) < _MIN_STEM:
            break
        stem = shorter
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


def compound_terms(text: str, language: str | None) -> list[str]:
    """The terms of the hyphenated words of `text` with their parts joined ("UR-GE" -> "urge"), in order."""
    stem_language = _stemmer_language(language)
    terms = []
    for match in COMPOUND_RE.finditer(text):
        parts = _HYPHENS.split(match.group())
        if all(any(ch.isalpha() for ch in part) for part in parts):
            terms.append(_cache.term("".join(parts), stem_language))
    return terms


def word_alternatives(word: str) -> tuple[str, ...]:
    """The terms a query word (one TOKEN_RE word) may stand for, sorted; they depend only on its folded letters."""
    base, _ = _base(word)
    return _alternatives(ascii_fold(casefold_tr(base)))


@functools.lru_cache(maxsize=65_536)
def _alternatives(folded: str) -> tuple[str, ...]:
    found = {folded, _english_stem(folded)}
    for spelling in _spellings(folded):
        found.add(_turkish_stem(spelling))
        # Snowball's first step alone: "tesisi" -> "tesis", where the possessive rule would go on to "tesi".
        first: str = _stemmers["tr"].stemWord(spelling)
        if len(first) >= _MIN_STEM:
            found.add(ascii_fold(first))
        found.update(_turkish_stem(form) for form in _inflections(spelling))
    return tuple(sorted(found))


def spelling_alternatives(word: str) -> tuple[str, ...]:
    """The terms of a query word as spelled, without other spellings or forms (for long phrases)."""
    base, _ = _base(word)
    lowered = casefold_tr(base)
    return tuple(sorted({ascii_fold(lowered), _turkish_stem(lowered), _english_stem(lowered)}))


def _spellings(folded: str) -> list[str]:
    """Every Turkish spelling of ASCII-folded letters, varying the last few letters that have a Turkish twin."""
    positions = [i for i in range(len(folded) - 1, -1, -1) if folded[i] in _RESPELL][:_MAX_RESPELT]
    spellings = [folded]
    for position in positions:
        spellings += [
            spelling[:position] + _RESPELL[spelling[position]] + spelling[position + 1 :] for spelling in spellings
        ]
    return spellings


def _inflections(word: str) -> list[str]:
    """The plural and the third-person possessive of a Turkish noun, by vowel harmony ("halı" -> halılar, halısı)."""
    vowels = [ch for ch in word if ch in _VOWELS]
    if not vowels:
        return []
    last = vowels[-1]
    back = last in "aıou"
    close = {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "i": "i", "ö": "ü", "ü": "ü"}[last]
    possessive = ("s" + close) if word[-1] in _VOWELS else close
    return [word + ("lar" if back else "ler"), word + possessive]


# A highlight fragment: plain text, and the (start, end) offsets of the matched words in it.
Fragment = tuple[str, list[tuple[int, int]]]


def highlight(
    text: str,
    language: str | None,
    terms: set[str],
    *,
    fragment_chars: int = 160,
    max_fragments: int = 3,
    prefixes: set[str] | frozenset[str] = frozenset(),
) -> list[Fragment]:
    """Fragments of `text` around words whose terms are in `terms`, as plain text with the matches' offsets.

    A fragment starts at the first word at most a third of `fragment_chars` before the match that
    opens it and ends with the last word that keeps it within `fragment_chars` (or with that match).
    Runs of white space become one space. A hyphenated word is matched as a whole when its joined
    parts or one of its parts is a term.
    """
    if not (terms or prefixes) or not text:
        return []
    candidates = _candidate_words(frozenset(term[0] for term in [*terms, *prefixes] if term))
    stem_language = _stemmer_language(language)
    # Only words starting with a term's first letter are looked at, and the scan stops when the
    # fragments are full: a long body costs a regex pass in C over its beginning, not a lookup per token.
    matching: dict[str, bool] = {}
    starts = tuple(prefixes)

    def _held(term: str) -> bool:
        return term in terms or (bool(starts) and term.startswith(starts))

    def matches(word: str) -> bool:
        known = matching.get(word)
        if known is None:
            if _HYPHENS.search(word) is None:
                known = _held(_cache.term(word, stem_language))
            else:
                known = any(_held(_cache.term(part, stem_language)) for part in _HYPHENS.split(word)) or any(
                    _held(term) for term in compound_terms(word, language)
                )
            matching[word] = known
        return known

    fragments: list[Fragment] = []
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
    return re.compile(_WORD_START + f"[{letter_class}]" + r"[^\W_]*(?:[-‐‑][^\W_]+)*(?:['’][^\W_]+)*")


def _last_word_end(text: str, start: int, limit: int) -> int:
    """The end of the last word that starts at or after `start` and ends by `limit` (`start` if none)."""
    ends = [match.end() for match in TOKEN_RE.finditer(text, start, limit)]
    # A word cut by `limit` does not end there.
    if ends and ends[-1] == limit and _WORD_GOES_ON_RE.match(text, limit):
        ends.pop()
    return ends[-1] if ends else start


def _render(text: str, marked: list[re.Match[str]], start: int, end: int) -> Fragment:
    """text[start:end] with runs of white space made one space, and where the marked words are in it.

    A fragment starts and ends at a word and a marked word holds no white space, so only the gaps
    between marks change length.
    """
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    position = start
    for word in marked:
        gap = _SPACES_RE.sub(" ", text[position : word.start()])
        length += len(gap)
        spans.append((length, length + len(word.group())))
        length += len(word.group())
        pieces += (gap, word.group())
        position = word.end()
    pieces.append(_SPACES_RE.sub(" ", text[position:end]))
    return "".join(pieces).rstrip(), spans


_SPACES_RE = re.compile(r"\s+")
