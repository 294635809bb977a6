from pathlib import Path

import pytest
import spacy

from kume.text import casefold_tr
from models.evaluation import evaluate_conll
from nlp.turkish_ner import turkish_ner_path
from nlp.turkish_ner.lexical import inflection_suffix, split_apostrophe, stem_norm, stem_prefix

TEST_SPLIT = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "turkish-wiki-ner" / "test.conll"


@pytest.fixture(scope="module")
def turkish_nlp() -> spacy.Language:
    return spacy.load(turkish_ner_path())


def test_turkish_lexical_attributes() -> None:
    assert casefold_tr("IĞDIR İSTANBUL") == "ığdır istanbul"
    assert split_apostrophe("Ticaret Bakanlığı'nın") == ("Ticaret Bakanlığı", "nın")
    assert split_apostrophe("'90'lar") == ("'90", "lar")
    assert split_apostrophe("rock'n'roll'") == ("rock", "n'roll'")
    assert split_apostrophe("kitap") == ("kitap", "")
    assert stem_norm("İzmir’de") == "izmir"
    assert stem_prefix("Irak'ta") == "ırak"
    assert inflection_suffix("Irak'ta") == "'ta"
    assert inflection_suffix("ihracatçılar") == "lar"


def test_committed_pipeline_loads_with_turkish_features(turkish_nlp: spacy.Language) -> None:
    assert turkish_nlp.lang == "tr"
    assert "ner" in turkish_nlp.pipe_names
    text = "Ahmet Yılmaz dün Ankara'da Ticaret Bakanlığı'nı ziyaret etti."
    doc = turkish_nlp(text)
    assert [token.text for token in doc][:4] == ["Ahmet", "Yılmaz", "dün", "Ankara'da"]
    assert doc[3].norm_ == "ankara"
    assert doc[3].suffix_ == "'da"
    assert {"PERSON", "GPE"} <= {ent.label_ for ent in doc.ents}
    for ent in doc.ents:
        assert text[ent.start_char : ent.end_char] == ent.text


@pytest.mark.skipif(
    not TEST_SPLIT.is_file(), reason=f"{TEST_SPLIT} absent (shared data not checked out beside the repo)"
)
def test_committed_pipeline_scores_on_test_split(turkish_nlp: spacy.Language) -> None:
    result = evaluate_conll(TEST_SPLIT, turkish_nlp)
    # Guards against a broken or swapped model; the measured scores are in models/tr_kume_ner/README.md.
    assert result["micro_core"]["f1"] > 0.68
    assert result["labels"]["PERSON"]["support"] == 654


def test_components_sourced_into_another_pipeline_tag_alike(turkish_nlp: spacy.Language) -> None:
    # nlp/'s Turkish pipeline builds its own vocabulary from a config and sources tok2vec and ner from
    # this model; the features the model reads (Turkish attributes, gazetteer flags, static vectors)
    # must come along.
    config = spacy.util.load_config_from_str(
        f"""
[nlp]
lang = "tr"
pipeline = ["tok2vec", "ner"]

[nlp.after_creation]
@callbacks = "kume.turkish_lexical_attrs.v1"

[components]

[components.tok2vec]
source = "{turkish_ner_path()}"

[components.ner]
source = "{turkish_ner_path()}"
"""
    )
    sourcing = spacy.util.load_model_from_config(config, auto_fill=True)
    text = "Mehmet Öztürk Almanya'ya gitti ve Berlin'de İstanbul Sanayi Odası ile Siemens'in yöneticileriyle görüştü."
    expected = [(ent.text, ent.label_) for ent in turkish_nlp(text).ents]
    assert {"PERSON", "GPE"} <= {label for _, label in expected}
    assert [(ent.text, ent.label_) for ent in sourcing(text).ents] == expected
