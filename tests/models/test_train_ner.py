import random
from pathlib import Path

import numpy
import pytest
import spacy
import srsly
from spacy.vectors import Vectors

import models  # noqa: F401  # registers the Turkish lexical attributes the trained config names
from models.conll import ConllFormatError
from models.evaluation import evaluate_conll
from models.train_ner import DEFAULT_CONFIG, train_ner
from nlp.turkish_ner.lexical import GAZETTEER_FLAGS, use_turkish_lexical_attrs

EMBED = spacy.util.load_config(DEFAULT_CONFIG)["components"]["tok2vec"]["model"]["embed"]
SMALL = {
    "components.tok2vec.model.encode.width": 32,
    "components.tok2vec.model.embed.rows": [min(rows, 500) for rows in EMBED["rows"]],
    "training.eval_frequency": 20,
}


def write_vectors(path: Path) -> Path:
    """A vectors-only pipeline keyed by NORM, like models/build_vectors.py writes (random values: the
    test is about the plumbing; tests/models/test_vectors_and_gazetteer.py checks the real vectors)."""
    nlp = use_turkish_lexical_attrs(spacy.blank("tr"))
    stems = ["ahmet", "ayşe", "mehmet", "ankara", "izmir", "bursa", "dün", "gitti", "."]
    for stem in stems:
        nlp.vocab.strings.add(stem)
    data = numpy.random.default_rng(0).standard_normal((len(stems), 16)).astype("float32")
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=data, keys=stems, attr="NORM")
    nlp.to_disk(path)
    return path


def write_conll(path: Path, seed: int, n_sentences: int) -> None:
    rng = random.Random(seed)
    lines = []
    for _ in range(n_sentences):
        lines += [f"{rng.choice(['Ahmet', 'Ayşe', 'Mehmet'])}\tB-PERSON", "dün\tO"]
        lines += [
            f"{rng.choice(['Ankara', 'İzmir', 'Bursa'])}'{rng.choice(['da', 'ya'])}\tB-GPE",
            "gitti\tO",
            ".\tO",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    write_conll(data / "train.conll", 1, 60)
    write_conll(data / "dev.conll", 2, 10)
    return data


def test_train_ner_saves_a_loadable_described_pipeline(tmp_path: Path, data_dir: Path) -> None:
    vectors = write_vectors(tmp_path / "vectors")
    output = train_ner(
        tmp_path / "model",
        data_dir=data_dir,
        max_minutes=0.15,
        overrides=SMALL,
        pretrain_epochs=1,
        vectors=vectors,
    )
    assert output == tmp_path / "model"
    nlp = spacy.load(output)
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"PERSON", "GPE"}
    assert nlp.vocab["İzmir'e"].norm_ == "izmir"
    # The static vectors travel inside the tok2vec's weights (once: not in the vocab as well), so a
    # pipeline that sources tok2vec and ner, as nlp/'s Turkish pipeline does, tags alike.
    assert nlp.vocab.vectors.shape[0] == 0
    embedded = next(node for node in nlp.get_pipe("tok2vec").model.walk() if node.name == "kume_embedded_vectors")
    assert embedded.get_param("E").shape == (9, 16)
    assert nlp.vocab["Ankara'da"].check_flag(GAZETTEER_FLAGS["place"])
    sourcing = use_turkish_lexical_attrs(spacy.blank("tr"))
    sourcing.add_pipe("tok2vec", source=nlp)
    sourcing.add_pipe("ner", source=nlp)
    text = "Ayşe dün İzmir'e gitti . Mehmet dün Bursa'da gitti ."
    entities = [(ent.text, ent.label_) for ent in nlp(text).ents]
    assert ("Ayşe", "PERSON") in entities
    assert [(ent.text, ent.label_) for ent in sourcing(text).ents] == entities
    config_text = (output / "config.cfg").read_text(encoding="utf-8")
    assert "kume-train-ner" not in config_text
    assert str(vectors) not in config_text
    meta = srsly.read_json(output / "meta.json")
    assert meta["name"] == "kume_ner"
    assert "CC BY-SA 4.0" in meta["license"]
    result = evaluate_conll(data_dir / "dev.conll", nlp)
    assert result["labels"]["PERSON"]["support"] == 10
    assert 0.0 <= result["micro"]["f1"] <= 1.0


def test_bad_training_data_is_named_and_keeps_the_old_model(tmp_path: Path, data_dir: Path) -> None:
    output = tmp_path / "model"
    output.mkdir()
    (output / "config.cfg").write_text("# the previous model", encoding="utf-8")
    (data_dir / "train.conll").write_text("Ankara\tB-GPE\nbozuk satır\tX-GPE\n", encoding="utf-8")
    with pytest.raises(ConllFormatError, match=r"train\.conll:2"):
        train_ner(output, data_dir=data_dir, max_minutes=0.1, overrides=SMALL)
    assert (output / "config.cfg").read_text(encoding="utf-8") == "# the previous model"
    (data_dir / "dev.conll").unlink()
    with pytest.raises(FileNotFoundError, match=r"dev\.conll"):
        train_ner(output, data_dir=data_dir, max_minutes=0.1, overrides=SMALL)
