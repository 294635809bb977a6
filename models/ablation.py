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
STOCK_WIDTHS = {
    "components.tok2vec.model.encode.width": 96,
    "components.ner.model.hidden_width": 64,
    "training.dropout": 0.1,
}

WIDE_ROWS = {"components.tok2vec.model.embed.rows": [40000, 20000, 20000, 10000, 2000], "training.dropout": 0.15}


@dataclass(frozen=True)
class Step:
    description: str
    minutes: float
    config_path: Path = DEFAULT_CONFIG
    overrides: dict[str, Any] = field(default_factory=dict)
    pretrain_epochs: int = 0


STEPS = {
    "stock": Step("spaCy's `init config -l tr -p ner -o efficiency`", 10, CONFIG_DIR / "ner_stock.cfg"),
    "turkish_features": Step(
        "+ Turkish lexical attributes (apostrophe stem NORM, Turkish LOWER, 5-char stem PREFIX, case-suffix SUFFIX)",
        8,
        overrides={**STOCK_WIDTHS, "components.tok2vec.model.embed.rows": [5000, 5000, 1000, 2500, 2500]},
    ),
    "wider_128": Step("+ tok2vec width 128, 20k/10k/10k/5k/1k hash rows, NER hidden 96 (the committed model)", 12),
    "wider_192": Step(
        "tok2vec width 192, 40k/20k/20k/10k/2k hash rows, NER hidden 128, dropout 0.15",
        8,
        overrides={**WIDE_ROWS, "components.tok2vec.model.encode.width": 192, "components.ner.model.hidden_width": 128},
    ),
    "final": Step(
        "width 128 with 40k/20k/20k/10k/2k rows, tok2vec pretrained on the training sentences (characters objective)"
        " + longer training",
        38,
        overrides=WIDE_ROWS,
        pretrain_epochs=3,
    ),
}


def run_step(name: str, output_root: Path, data_dir: Path = DATA_DIR) -> dict[str, Any]:
    step = STEPS[name]
    started = time.monotonic()
    model_dir = train_ner(
        output_root / name,
        data_dir=data_dir,
        max_minutes=step.minutes,
        config_path=step.config_path,
        overrides=step.overrides,
        pretrain_epochs=step.pretrain_epochs,
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
