"""The run-time part of the Turkish NER that kume trains (models/ trains it, nlp/ runs it).

The shipped pipeline (`models/tr_kume_ner`) names two functions of kume's own in its config: the
Turkish lexical attributes (`kume.turkish_lexical_attrs.v1`, in `lexical`) and its token embedding
(`kume.TurkishEmbed.v1`, in `embed`). Importing this package registers both, so the model loads, and
is sourced by nlp's Turkish pipeline, without the training code.
"""

from __future__ import annotations

from pathlib import Path

from nlp.turkish_ner import embed as embed  # registers kume.TurkishEmbed.v1
from nlp.turkish_ner import lexical as lexical  # registers kume.turkish_lexical_attrs.v1

TURKISH_NER_DIR = Path(__file__).resolve().parents[2] / "models" / "tr_kume_ner"


def turkish_ner_path() -> Path:
    """Directory of the committed Turkish NER pipeline; load it with spacy.load(path)."""
    if not (TURKISH_NER_DIR / "config.cfg").is_file():
        raise FileNotFoundError(f"Turkish NER pipeline missing at {TURKISH_NER_DIR}; train it with `kume train ner`")
    return TURKISH_NER_DIR
