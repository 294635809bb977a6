"""Text helpers shared by the extractors and the scorer: Turkish-aware case folding and inflection handling.

Turkish attaches case, possessive and derivational suffixes to names ("Kazakistan'ımıza",
"Türkistanda", "Norveçli"). No maintained Python library strips them with vowel harmony
(zeyrek/TRmorph need their own lexicon and are far slower than the lookups here), so
the suffix grammar below is written by hand: it only has to tell whether the rest of a
word after a known stem is a well-formed chain of nominal suffixes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kume.text import casefold_tr

APOSTROPHES = "'’‘`´"
WORD_RE = re.compile(r"[^\W\d_]+(?:[" + APOSTROPHES + r"][^\W\d_]+)?")
TOKEN_RE = re.compile(r"\w+")

_TURKISH_LETTERS = frozenset("çğıöşü")


def _foreign_accents() -> dict[str, str]:
    """Latin letters with diacritics outside the Turkish alphabet, mapped to their base letter.

    News writes foreign names with or without their accents ("Rhône-Alpes", "Rhone-Alpes",
    "Málaga"); Turkish letters keep theirs, which tell words apart ("Muş", "Mus").
    """
    table = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if char.islower() and char not in _TURKISH_LETTERS and base.isascii() and base != char:
            table[char] = base
    return table


# Circumflexed loanword vowels ("Yesevî", "kâr"), foreign accents and the dotless/dotted i are
# conflated for lookups only.
_MATCH_KEY = str.maketrans({**_foreign_accents(), "ı": "i", "'": "", "’": ""})


def match_key(text: str) -> str:
    """A forgiving lookup key: Turkish case folding, then ı/i and circumflexes conflated, spaces collapsed."""
    return " ".join(casefold_tr(text).translate(_MATCH_KEY).split())


def tokens(text: str) -> list[str]:
    """Word tokens of a case-folded string, as the scorer's token Jaccard uses them."""
    return TOKEN_RE.findall(casefold_tr(text))


def token_jaccard(left: str, right: str) -> float:
    a, b = set(tokens(left)), set(tokens(right))
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def title_tr(text: str) -> str:
    """Title case with Turkish i rules, for names written in capitals ("KOCAELİ" → "Kocaeli")."""
    return " ".join(word[:1] + casefold_tr(word[1:]) for word in text.split(" "))


# -- Turkish suffixes -----------------------------------------------------------------------------
# Archiphonemes: A = a/e, I = ı/i/u/ü (vowel harmony), D = d/t, C = c/ç (voicing after f s t k ç ş h p);
# a letter in parentheses is a buffer that appears only after a vowel ((y), (n), (s)) or only after a
# consonant ((I)).
_SUFFIXES = (
    "lAr", "(I)m", "(I)mIz", "(I)n", "(I)nIz", "(s)I", "lArI", "(y)I", "(y)A", "DA", "DAn", "(n)In", "(y)lA",
    "ki", "(n)DA", "(n)DAn", "(n)A", "(n)I", "CA", "(n)CA", "lI", "lIk", "CI", "DIr", "(y)DI", "(y)sA", "(y)mIş",
    "sIz", "(y)lA", "(y)In",
)  # fmt: skip
_BACK = set("aıou")
_FRONT = set("eiöü")
_ROUNDED = set("oöuü")
_VOWELS = _BACK | _FRONT | set("âîû")
_VOICELESS = set("fstkçşhp")


def _last_vowel(text: str) -> str | None:
    for char in reversed(text):
        if char in _VOWELS:
            return {"â": "a", "î": "i", "û": "u"}.get(char, char)
    return None


def realise_suffix(template: str, stem: str) -> str | None:
    """The surface form of a suffix template after `stem`, or None when it cannot follow it."""
    vowel = _last_vowel(stem) or "e"
    ends_in_vowel = stem[-1] in _VOWELS
    out = []
    index = 0
    while index < len(template):
        char = template[index]
        if char == "(":
            buffer = template[index + 1]
            index += 3
            if buffer == "I":
                if not ends_in_vowel:
                    out.append(_harmonise_i(vowel))
            elif ends_in_vowel:
                out.append(buffer)
            continue
        prev = out[-1][-1] if out else stem[-1]
        if char == "A":
            out.append("a" if vowel in _BACK else "e")
        elif char == "I":
            out.append(_harmonise_i(vowel))
        elif char == "D":
            out.append("t" if prev in _VOICELESS else "d")
        elif char == "C":
            out.append("ç" if prev in _VOICELESS else "c")
        else:
            out.append(char)
        if out[-1] in _VOWELS:
            vowel = out[-1]
        index += 1
    return "".join(out)


def _harmonise_i(vowel: str) -> str:
    if vowel in _BACK:
        return "u" if vowel in _ROUNDED else "ı"
    return "ü" if vowel in _ROUNDED else "i"


@lru_cache(maxsize=200_000)
def is_suffix_chain(stem: str, rest: str, strict_harmony: bool = True) -> bool:
    """Whether `rest` (case-folded) is a chain of nominal suffixes that can follow `stem` (case-folded).

    Without strict harmony the suffix vowels may follow either harmony class; loanwords and
    foreign names ("Almatı'ya" vs "Moskova'da") are written after an apostrophe with either.
    """
    if not rest:
        return True
    if not stem:
        return False
    for template in _SUFFIXES:
        surfaces = {realise_suffix(template, stem)}
        if not strict_harmony:
            surfaces |= {realise_suffix(template, probe) for probe in (stem + "a", stem + "e", stem + "o", stem + "ö")}
        for surface in surfaces:
            if surface and rest.startswith(surface) and is_suffix_chain(stem + surface, rest[len(surface) :]):
                return True
    return False


def compound_stem(word: str) -> str:
    """The last word of a Turkish noun compound without its compound marker, case-folded.

    "ticaret heyeti" takes -(s)I, which the plural replaces ("ticaret heyetleri"), so the head
    noun is matched on its stem ("heyet") for every form to meet it. Only the last word of a
    phrase of two words or more carries the marker; a single word ending in -i ("halı") does not.
    """
    folded = casefold_tr(word)
    for marker in ("lArI", "(s)I"):
        for cut in range(max(3, len(folded) - 4), len(folded)):  # the shortest stem: "görüşme" + "si"
            stem, rest = folded[:cut], folded[cut:]
            if rest == realise_suffix(marker, stem):
                return stem
    return folded


_SOFTENED = {"ğ": "k", "b": "p", "c": "ç", "d": "t"}
_LONGEST_WORD = 40


@lru_cache(maxsize=200_000)
def turkish_lemmas(word: str) -> tuple[str, ...]:
    """Candidate base forms of one word, case-folded (Turkish letters kept), longest first.

    After an apostrophe only the part before it is the name. Otherwise every prefix whose rest
    is a valid suffix chain is a candidate; a final consonant softened before a vowel
    ("kimyasına" is regular, "Irağa" → "Irak") is restored.
    """
    for mark in APOSTROPHES:
        if mark in word:
            head, _, _ = word.partition(mark)
            return (casefold_tr(head),)
    folded = casefold_tr(word)
    if len(folded) > _LONGEST_WORD:
        return (folded,)  # no name plus suffixes is this long: a URL, a token run, garbage
    candidates = [folded]
    for cut in range(len(folded) - 1, 2, -1):
        stem, rest = folded[:cut], folded[cut:]
        if is_suffix_chain(stem, rest):
            candidates.append(stem)
            if rest[0] in _VOWELS and stem[-1] in _SOFTENED:
                candidates.append(stem[:-1] + _SOFTENED[stem[-1]])
    return tuple(dict.fromkeys(candidates))


@lru_cache(maxsize=200_000)
def turkish_stems(word: str) -> tuple[str, ...]:
    """The candidate base forms of `turkish_lemmas` as match keys, for lexicon look-ups."""
    return tuple(dict.fromkeys(match_key(c) for c in turkish_lemmas(word)))


_ENGLISH_ENDINGS = ("'s", "’s", "ies", "es", "s")


@lru_cache(maxsize=200_000)
def english_stems(word: str) -> tuple[str, ...]:
    """Candidate base forms of one English word: itself, and without a plural or possessive ending."""
    folded = match_key(word)
    candidates = [folded]
    lowered = word.lower()
    for ending in _ENGLISH_ENDINGS:
        if lowered.endswith(ending) and len(lowered) > len(ending) + 2:
            base = match_key(word[: -len(ending)])
            candidates.append(base + "y" if ending == "ies" else base)
    return tuple(dict.fromkeys(candidates))


def stems(word: str, language: str) -> tuple[str, ...]:
    return turkish_stems(word) if language == "tr" else english_stems(word)
