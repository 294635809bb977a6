"""With Settings.ner_model set, the transformers NER component replaces the spaCy NER in both pipelines."""

from pathlib import Path

import pytest

from kume.config import load_settings
from nlp.pipeline import build_pipeline
from tests.support.tiny_bert import tiny_bert


@pytest.fixture(scope="module")
def untrained_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BERT token classifier with random weights: enough to wire and run, nothing to learn."""
    pytest.importorskip("torch", reason="torch is the optional extra `transformers`")
    pytest.importorskip("transformers")
    model_dir = tmp_path_factory.mktemp("untrained-bert")
    _, model = tiny_bert(
        model_dir,
        ["Bursa Ticaret ve Sanayi Odası heyeti Moskova'ya gitti", "The chamber visited Spain"],
        ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"],
        vocab_size=120,
        hidden_size=32,
        layers=1,
        max_positions=512,  # the component's default window (256 pieces) must fit
    )
    model.save_pretrained(model_dir)
    return model_dir


@pytest.mark.parametrize("language", ["tr", "en"])
def test_transformers_ner_replaces_the_spacy_ner(untrained_model_dir: Path, tmp_path: Path, language: str) -> None:
    settings = load_settings(data_dir=tmp_path, ner_model=untrained_model_dir)
    nlp = build_pipeline(language, settings)
    assert nlp.get_pipe_meta("ner").factory == "kume_transformers_ner"
    assert "tok2vec" not in nlp.pipe_names
    text = {
        "tr": "Bursa Ticaret ve Sanayi Odası heyeti Moskova'ya gitti.",
        "en": "The Bursa Chamber of Commerce visited Spain.",
    }[language]
    doc = nlp(text)
    assert {c["code"] for c in doc._.kume["countries"]} == {"RU" if language == "tr" else "ES"}
