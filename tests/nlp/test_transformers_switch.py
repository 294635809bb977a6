"""With Settings.ner_model set, the transformers NER component replaces the spaCy NER in both pipelines."""

from pathlib import Path

import pytest

from kume.config import load_settings
from nlp.pipeline import build_pipeline


@pytest.fixture(scope="module")
def untrained_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BERT token classifier with random weights: enough to wire and run, nothing to learn."""
    pytest.importorskip("torch", reason="torch is the optional extra `transformers`")
    transformers = pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.train_from_iterator(
        ["Bursa Ticaret ve Sanayi Odası heyeti Moskova'ya gitti", "The chamber visited Spain"],
        trainers.WordPieceTrainer(vocab_size=120, special_tokens=specials),
    )
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", tokenizer.token_to_id("[CLS]")), ("[SEP]", 3)]
    )
    model_dir = tmp_path_factory.mktemp("untrained-bert")
    transformers.PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]"
    ).save_pretrained(model_dir)
    labels = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
    config = transformers.BertConfig(
        vocab_size=tokenizer.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,  # the component's default window (256 pieces) must fit
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    transformers.BertForTokenClassification(config).save_pretrained(model_dir)
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
