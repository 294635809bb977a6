"""Project-trained models: the Turkish NER pipeline, its evaluation, and a transformers NER backend."""

from __future__ import annotations

from pathlib import Path

from models import architectures as architectures  # registers kume.TurkishEmbed.v1 and kume.WindowLSTMEncoder.v1
from models import augmentation as augmentation  # registers kume.mention_swap.v1 for training configs
from models import transformers_ner as transformers_ner  # registers the kume_transformers_ner factory
from models import turkish as turkish  # registers kume.turkish_lexical_attrs.v1 for spacy.load

TURKISH_PIPELINE_DIR = Path(__file__).resolve().parent / "tr_kume_ner"


def turkish_pipeline_path() -> Path:
    """Directory of the committed Turkish NER pipeline; load it with spacy.load(path)."""
    if not (TURKISH_PIPELINE_DIR / "config.cfg").is_file():
        raise FileNotFoundError(
            f"Turkish NER pipeline missing at {TURKISH_PIPELINE_DIR}; train it with `kume train ner`"
        )
    return TURKISH_PIPELINE_DIR
