"""The training steps recorded in tr_kume_ner's model card, each trainable and scorable on its own.

    python -m models.ablation --step turkish_features --output /tmp/ablation
prints the step's test-split scores as JSON. Steps run one at a time (the machine's cores are shared).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy

from models.evaluation import evaluate_conll
from models.train_ner import CONFIG_DIR, DEFAULT_CONFIG, train_ner

DATA_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "turkish-wiki-ner"
# The steps up to `final` ran on the configuration committed before static vectors (issue #7).
WIDER_128_CONFIG = CONFIG_DIR / "ner_tr_wider128.cfg"
STOCK_WIDTHS = {
    "components.tok2vec.model.encode.width": 96,
    "components.ner.model.hidden_width": 64,
    "training.dropout": 0.1,
}
WIDE_ROWS = {"components.tok2vec.model.embed.rows": [40000, 20000, 20000, 10000, 2000], "training.dropout": 0.15}
NO_GAZETTEER = {
    "components.tok2vec.model.embed.attrs": ["NORM", "LOWER", "PREFIX", "SUFFIX", "SHAPE"],
    "components.tok2vec.model.embed.rows": [20000, 10000, 10000, 5000, 1000],
}
NO_CHARACTERS = {"components.tok2vec.model.embed.nM": 0, "components.tok2vec.model.embed.nC": 0}
WINDOW_LSTM = {
    "components.tok2vec.model.encode.@architectures": "kume.WindowLSTMEncoder.v1",
    "components.tok2vec.model.encode.depth": 2,
    "components.tok2vec.model.encode.lstm_depth": 1,
}
MENTION_SWAP = {
    "corpora.train.augmenter": {
        "@augmenters": "kume.mention_swap.v1",
        "corpus": "${paths.train}",
        "labels": ["PERSON", "ORG", "GPE", "LOC"],
        "level": 0.5,
    }
}
# The committed configuration (ner_tr.cfg) has the person_name flag (FLAG55) and averaged weights; the steps
# before `person_names` and `averaged_weights` did not.
NO_PERSON_NAMES = {
    "components.tok2vec.model.embed.attrs": [
        *["NORM", "LOWER", "PREFIX", "SUFFIX", "SHAPE"],
        *["FLAG50", "FLAG51", "FLAG52", "FLAG53", "FLAG54"],
    ],
    "components.tok2vec.model.embed.rows": [20000, 10000, 10000, 5000, 1000, 16, 16, 16, 16, 16],
}
NO_AVERAGES = {"training.optimizer.use_averages": False}
BEFORE_NAMES_AND_AVERAGES = {**NO_PERSON_NAMES, **NO_AVERAGES}
# It trains with dropout 0.25 and patience 3,000; the steps before `vectors_gazetteer_characters_dropout` did not.
LIGHT_DROPOUT = {"training.dropout": 0.1, "training.patience": 1600}


@dataclass(frozen=True)
class Step:
    description: str
    minutes: float
    config_path: Path = DEFAULT_CONFIG
    overrides: dict[str, Any] = field(default_factory=dict)
    pretrain_epochs: int = 0
    # Trains with static vectors (built once per output folder, reused by later steps): "ppmi" from
    # models/build_vectors.py, "use" from models/use_vectors.py.
    vectors: str | None = None


STEPS = {
    "stock": Step("spaCy's `init config -l tr -p ner -o efficiency`", 10, CONFIG_DIR / "ner_stock.cfg"),
    "turkish_features": Step(
        "+ Turkish lexical attributes (apostrophe stem NORM, Turkish LOWER, 5-char stem PREFIX, case-suffix SUFFIX)",
        8,
        WIDER_128_CONFIG,
        overrides={**STOCK_WIDTHS, "components.tok2vec.model.embed.rows": [5000, 5000, 1000, 2500, 2500]},
    ),
    "wider_128": Step("+ tok2vec width 128, 20k/10k/10k/5k/1k hash rows, NER hidden 96", 12, WIDER_128_CONFIG),
    "wider_192": Step(
        "tok2vec width 192, 40k/20k/20k/10k/2k hash rows, NER hidden 128, dropout 0.15",
        8,
        WIDER_128_CONFIG,
        overrides={**WIDE_ROWS, "components.tok2vec.model.encode.width": 192, "components.ner.model.hidden_width": 128},
    ),
    "final": Step(
        "width 128 with 40k/20k/20k/10k/2k rows, tok2vec pretrained on the training sentences (characters objective)"
        " + longer training",
        38,
        WIDER_128_CONFIG,
        overrides=WIDE_ROWS,
        pretrain_epochs=3,
    ),
    "vectors": Step(
        "`wider_128` + static vectors (PPMI-SVD over Zemberek's bigram LM, 100 dims, keyed by NORM)",
        12,
        overrides={**NO_GAZETTEER, **NO_CHARACTERS, **LIGHT_DROPOUT, **NO_AVERAGES},
        vectors="ppmi",
    ),
    "vectors_gazetteer": Step(
        "`vectors` + gazetteer flags (country, place, proper noun, abbreviation, common word)",
        9,
        overrides={**BEFORE_NAMES_AND_AVERAGES, **NO_CHARACTERS, **LIGHT_DROPOUT},
        vectors="ppmi",
    ),
    "vectors_gazetteer_characters": Step(
        "`vectors_gazetteer` + 8 UTF-8 bytes per word embedded in 16 dims each",
        9,
        overrides={**BEFORE_NAMES_AND_AVERAGES, **LIGHT_DROPOUT},
        vectors="ppmi",
    ),
    "vectors_gazetteer_characters_long": Step(
        "`vectors_gazetteer_characters` trained up to 40 minutes (stops after 1,600 steps without a better dev F1)",
        40,
        overrides={**BEFORE_NAMES_AND_AVERAGES, **LIGHT_DROPOUT},
        vectors="ppmi",
    ),
    "vectors_gazetteer_characters_dropout": Step(
        "`vectors_gazetteer_characters_long` with dropout 0.25 (0.1) and patience 3,000 steps (1,600)"
        " (the model committed before this table's last five steps)",
        25,
        overrides=BEFORE_NAMES_AND_AVERAGES,
        vectors="ppmi",
    ),
    "person_names": Step(
        "`vectors_gazetteer_characters_dropout` + a gazetteer flag for first names and surnames (Faker's person"
        " providers, all locales)",
        45,
        overrides=NO_AVERAGES,
        vectors="ppmi",
    ),
    "averaged_weights": Step(
        "`vectors_gazetteer_characters_dropout` evaluated and saved with averaged weights (Adam use_averages)",
        45,
        overrides=NO_PERSON_NAMES,
        vectors="ppmi",
    ),
    "person_names_averaged": Step("`person_names` + `averaged_weights` (the committed model)", 45, vectors="ppmi"),
    "window_lstm": Step(
        "`vectors_gazetteer_characters_dropout` with 2 maxout window layers (4) and a bidirectional LSTM after them",
        45,
        overrides={**BEFORE_NAMES_AND_AVERAGES, **WINDOW_LSTM},
        vectors="ppmi",
    ),
    "window_lstm_mention_swap": Step(
        "`window_lstm` + mention replacement: half of the training sentences get other PERSON/ORG/GPE/LOC names"
        " of the same label from the training split",
        45,
        overrides={**BEFORE_NAMES_AND_AVERAGES, **WINDOW_LSTM, **MENTION_SWAP},
        vectors="ppmi",
    ),
    "use_vectors": Step(
        "`person_names_averaged` with the multilingual Universal Sentence Encoder's subword vectors (mean of a"
        " word's SentencePiece rows, 512 dims, the same NORM stems) instead of the Zemberek PPMI vectors",
        45,
        vectors="use",
    ),
}


def _vectors_for(step: Step, output_root: Path) -> Path | None:
    if step.vectors is None:
        return None
    # Imported here: building needs the `train` extra.
    from models.build_vectors import build_vectors
    from models.use_vectors import build_use_vectors

    builders = {"ppmi": ("static_vectors", build_vectors), "use": ("use_vectors", build_use_vectors)}
    folder, build = builders[step.vectors]
    vectors_dir = output_root / folder
    if not (vectors_dir / "vocab" / "vectors").is_file():
        build(vectors_dir)
    return vectors_dir


def run_step(name: str, output_root: Path, data_dir: Path = DATA_DIR) -> dict[str, Any]:
    step = STEPS[name]
    vectors = _vectors_for(step, output_root)
    started = time.monotonic()
    model_dir = train_ner(
        output_root / name,
        data_dir=data_dir,
        max_minutes=step.minutes,
        config_path=step.config_path,
        overrides=step.overrides,
        pretrain_epochs=step.pretrain_epochs,
        vectors=vectors,
    )
    minutes = (time.monotonic() - started) / 60
    scores = evaluate_conll(data_dir / "test.conll", spacy.load(model_dir))
    return {"step": name, "description": step.description, "wall_minutes": round(minutes, 1), **scores}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--step", choices=sorted(STEPS), required=True)
    parser.add_argument("--output", type=Path, required=True, help="folder for the step's pipeline")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    args = parser.parse_args()
    print(json.dumps(run_step(args.step, args.output, args.data_dir)))


if __name__ == "__main__":
    main()
