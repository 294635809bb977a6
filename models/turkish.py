"""Turkish lexical features for the kume NER pipeline.

Turkish attaches case and possessive suffixes to proper names after an apostrophe
("Adana'da", "Ticaret Bakanlığı'nın"), so one name appears in dozens of surface forms.
spaCy's default lexical attributes (NORM = lower-cased form, PREFIX = first character,
SUFFIX = last three characters) hash each of those forms separately and lower-case the
dotted/dotless I the English way. The getters below give the tok2vec layer the stem
before the apostrophe, the suffix after it, and Turkish case folding.

The pipeline config names `kume.turkish_lexical_attrs.v1` in `[nlp.after_creation]`;
importing `models` registers it, so `spacy.load(models.turkish_pipeline_path())` works.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.attrs import LOWER, NORM, PREFIX, SUFFIX
from spacy.language import Language
from spacy.util import registry

APOSTROPHES = ("'", "’", "ʼ", "‘")
# Long enough to hold most Turkish roots (ev, kitap, Ankara...) while ignoring the
# derivational and inflectional suffixes that follow them.
STEM_PREFIX_LENGTH = 5
SUFFIX_LENGTH = 3


def turkish_lower(text: str) -> str:
    # str.lower() maps "I" to "i" and "İ" to "i̇" (i + combining dot); Turkish needs
    # I -> ı and İ -> i. PyICU would do it but is a heavy native dependency for two letters.
    return text.replace("I", "ı").replace("İ", "i").lower()


def split_apostrophe(text: str) -> tuple[str, str]:
    """Split "Adana'da" into ("Adana", "da"); words without an inner apostrophe keep an empty suffix."""
    for index, char in enumerate(text):
        if char in APOSTROPHES and 0 < index < len(text) - 1:
            return text[:index], text[index + 1 :]
    return text, ""


def stem_norm(text: str) -> str:
    return turkish_lower(split_apostrophe(text)[0])


def stem_prefix(text: str) -> str:
    return stem_norm(text)[:STEM_PREFIX_LENGTH]


def inflection_suffix(text: str) -> str:
    stem, suffix = split_apostrophe(text)
    if suffix:
        # The apostrophe marks a proper name; keep it so "'da" and "da" hash differently.
        return "'" + turkish_lower(suffix)
    return turkish_lower(stem)[-SUFFIX_LENGTH:]


TURKISH_LEXICAL_ATTRS = {LOWER: turkish_lower, NORM: stem_norm, PREFIX: stem_prefix, SUFFIX: inflection_suffix}


def use_turkish_lexical_attrs(nlp: Language) -> Language:
    """Switch nlp's vocabulary to the Turkish lexical attributes, also for lexemes it already holds."""
    if nlp.lang != "tr":
        raise ValueError(f"kume.turkish_lexical_attrs.v1 applies to Turkish pipelines, got lang={nlp.lang!r}")
    # A per-vocabulary change: patching TurkishDefaults would alter every Turkish pipeline in the process.
    nlp.vocab.lex_attr_getters.update(TURKISH_LEXICAL_ATTRS)  # type: ignore[attr-defined]  # public in vocab.pxd, absent from the stub
    # Tokenizer exceptions created some lexemes before this callback ran; recompute them.
    for lexeme in nlp.vocab:
        lexeme.lower_ = turkish_lower(lexeme.orth_)
        lexeme.norm_ = stem_norm(lexeme.orth_)
        lexeme.prefix_ = stem_prefix(lexeme.orth_)
        lexeme.suffix_ = inflection_suffix(lexeme.orth_)
    return nlp


@registry.callbacks("kume.turkish_lexical_attrs.v1")
def create_turkish_lexical_attrs() -> Callable[[Language], Language]:
    return use_turkish_lexical_attrs
