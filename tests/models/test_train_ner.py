import random
from pathlib import Path

import pytest
import spacy
import srsly

import models  # noqa: F401  # registers the Turkish lexical attributes the trained config names
from models.conll import ConllFormatError
from models.evaluation import evaluate_conll
from models.train_ner import train_ner

SMALL = {
    "components.tok2vec.model.encode.width": 32,
    "components.tok2vec.model.embed.rows": [500, 500, 500, 500, 50],
    "training.eval_frequency": 20,
}


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
    output = train_ner(tmp_path / "model", data_dir=data_dir, max_minutes=0.15, overrides=SMALL, pretrain_epochs=1)
    assert output == tmp_path / "model"
    nlp = spacy.load(output)
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"PERSON", "GPE"}
    assert nlp.vocab["İzmir'e"].norm_ == "izmir"
    config_text = (output / "config.cfg").read_text(encoding="utf-8")
    assert "kume-train-ner" not in config_text
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
