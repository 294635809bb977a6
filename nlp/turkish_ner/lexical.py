"""Turkish lexical features for the kume NER pipeline.

Turkish attaches case and possessive suffixes to proper names after an apostrophe
("Adana'da", "Ticaret Bakanlığı'nın"), so one name appears in dozens of surface forms.
spaCy's default lexical attributes (NORM = lower-cased form, PREFIX = first character,
SUFFIX = last three characters) hash each of those forms separately and lower-case the
dotted/dotless I the English way. The getters below give the tok2vec layer the stem
before the apostrophe, the suffix after it, and Turkish case folding.

The pipeline config names `kume.turkish_lexical_attrs.v1` in `[nlp.after_creation]`;
importing `nlp.turkish_ner` registers it, so `spacy.load(nlp.turkish_ner.turkish_ner_path())` works.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from functools import cache
from pathlib import Path

from spacy.attrs import IDS, LOWER, NORM, PREFIX, SUFFIX
from spacy.language import Language
from spacy.util import registry

from kume.text import casefold_tr

APOSTROPHES = ("'", "’", "ʼ", "‘")
# Long enough to hold most Turkish roots (ev, kitap, Ankara...) while ignoring the
# derivational and inflectional suffixes that follow them.
STEM_PREFIX_LENGTH = 5
SUFFIX_LENGTH = 3


def split_apostrophe(text: str) -> tuple[str, str]:
    """Split "Adana'da" into ("Adana", "da"); words without an inner apostrophe keep an empty suffix."""
    for index, char in enumerate(text):
        if char in APOSTROPHES and 0 < index < len(text) - 1:
            return text[:index], text[index + 1 :]
    return text, ""


def stem_norm(text: str) -> str:
    return casefold_tr(split_apostrophe(text)[0])


def stem_prefix(text: str) -> str:
    return stem_norm(text)[:STEM_PREFIX_LENGTH]


def inflection_suffix(text: str) -> str:
    stem, suffix = split_apostrophe(text)
    if suffix:
        # The apostrophe marks a proper name; keep it so "'da" and "da" hash differently.
        return "'" + casefold_tr(suffix)
    return casefold_tr(stem)[-SUFFIX_LENGTH:]


# Gazetteer features (models/build_gazetteer.py builds the table): one lexeme flag per class of known names,
# so MultiHashEmbed can hash them like any other attribute (config attrs "FLAG50".."FLAG55"). spaCy 3.8's
# Doc.to_array reads only flags and the string attributes from a lexeme (CLUSTER lives in a lookups table
# and reads as 0), and the string attributes already carry the features above.
GAZETTEER_PATH = Path(__file__).resolve().parents[2] / "models" / "gazetteer" / "tr_names.tsv.gz"
GAZETTEER_CLASSES = ("country", "place", "proper_noun", "abbreviation", "common_word", "person_name")
GAZETTEER_FLAGS = {name: IDS[f"FLAG{50 + index}"] for index, name in enumerate(GAZETTEER_CLASSES)}


@cache
def gazetteer_classes(path: Path = GAZETTEER_PATH) -> dict[str, frozenset[str]]:
    """Classes of known names by NORM stem, read from the table build_gazetteer wrote."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            rows = [line.rstrip("\n").split("\t") for line in stream]
    except (OSError, UnicodeDecodeError) as error:
        raise FileNotFoundError(
            f"{path}: cannot read the gazetteer table ({error}); run python -m models.build_gazetteer"
        ) from error
    table: dict[str, frozenset[str]] = {}
    # A few dozen distinct class combinations: one shared frozenset each keeps loading fast.
    combinations: dict[str, frozenset[str]] = {}
    for line_number, row in enumerate(rows, start=1):
        if len(row) != 2:
            raise ValueError(f"{path}:{line_number}: expected 'stem<TAB>class,class', got {row!r}")
        classes = combinations.get(row[1])
        if classes is None:
            classes = frozenset(row[1].split(","))
            if not classes <= set(GAZETTEER_CLASSES):
                raise ValueError(f"{path}:{line_number}: unknown gazetteer class in {row[1]!r}")
            combinations[row[1]] = classes
        table[row[0]] = classes
    return table


def _gazetteer_flag(class_name: str, table: dict[str, frozenset[str]]) -> Callable[[str], bool]:
    def in_class(text: str) -> bool:
        return class_name in table.get(stem_norm(text), ())

    return in_class


TURKISH_LEXICAL_ATTRS = {LOWER: casefold_tr, NORM: stem_norm, PREFIX: stem_prefix, SUFFIX: inflection_suffix}


def use_turkish_lexical_attrs(nlp: Language) -> Language:
    """Switch nlp's vocabulary to the Turkish lexical attributes and gazetteer class flags (GAZETTEER_FLAGS),
    also for lexemes it already holds.

    The flags are set for every pipeline using the callback, also those (nlp/'s) that source the NER
    from this model rather than load it: a model that reads them must find them.
    """
    if nlp.lang != "tr":
        raise ValueError(f"kume.turkish_lexical_attrs.v1 applies to Turkish pipelines, got lang={nlp.lang!r}")
    # A per-vocabulary change: patching TurkishDefaults would alter every Turkish pipeline in the process.
    nlp.vocab.lex_attr_getters.update(TURKISH_LEXICAL_ATTRS)  # type: ignore[attr-defined]  # public in vocab.pxd, absent from the stub
    # Tokenizer exceptions created some lexemes before this callback ran; recompute them.
    for lexeme in nlp.vocab:
        lexeme.lower_ = casefold_tr(lexeme.orth_)
        lexeme.norm_ = stem_norm(lexeme.orth_)
        lexeme.prefix_ = stem_prefix(lexeme.orth_)
        lexeme.suffix_ = inflection_suffix(lexeme.orth_)
    table = gazetteer_classes()
    for class_name, flag_id in GAZETTEER_FLAGS.items():
        # add_flag also sets the flag on the lexemes the vocabulary already holds.
        nlp.vocab.add_flag(_gazetteer_flag(class_name, table), flag_id=flag_id)
    return nlp


@registry.callbacks("kume.turkish_lexical_attrs.v1")
def create_turkish_lexical_attrs() -> Callable[[Language], Language]:
    return use_turkish_lexical_attrs
