"""Entity-level NER scores on CoNLL files (`kume eval ner`), with seqeval's exact-match rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import spacy
from spacy.tokens import Doc

from models.conll import Sentence, bio_entities, read_conll

CORE_LABELS = ("PERSON", "ORG", "GPE", "LOC")


def doc_bio_tags(doc: Doc) -> list[str]:
    return [f"{token.ent_iob_}-{token.ent_type_}" if token.ent_iob_ in ("B", "I") else "O" for token in doc]


def predict_tags(sentences: Iterable[Sentence], nlp: spacy.Language, *, batch_size: int = 256) -> list[list[str]]:
    """BIO tags the pipeline predicts for each sentence, keeping the gold tokenisation."""
    docs = (Doc(nlp.vocab, words=sentence.words) for sentence in sentences)
    return [doc_bio_tags(doc) for doc in nlp.pipe(docs, batch_size=batch_size)]


def _prf(true_positives: int, predicted: int, gold: int) -> dict[str, float]:
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def score_tags(
    gold_tags: Sequence[Sequence[str]],
    predicted_tags: Sequence[Sequence[str]],
    *,
    labels: Collection[str] | None = None,
) -> dict[str, Any]:
    """Micro and per-label precision/recall/F1 over exactly matching (label, start, end) entities.

    labels restricts scoring to those entity types (gold and predicted alike); None scores every label seen.
    """
    if len(gold_tags) != len(predicted_tags):
        raise ValueError(f"{len(gold_tags)} gold sentences but {len(predicted_tags)} predicted")
    gold_counts: Counter[str] = Counter()
    predicted_counts: Counter[str] = Counter()
    true_positive_counts: Counter[str] = Counter()
    for index, (gold_sentence, predicted_sentence) in enumerate(zip(gold_tags, predicted_tags, strict=True)):
        if len(gold_sentence) != len(predicted_sentence):
            raise ValueError(
                f"sentence {index}: {len(gold_sentence)} gold tags but {len(predicted_sentence)} predicted"
            )
        gold = {entity for entity in bio_entities(gold_sentence) if labels is None or entity[0] in labels}
        predicted = {entity for entity in bio_entities(predicted_sentence) if labels is None or entity[0] in labels}
        gold_counts.update(label for label, _, _ in gold)
        predicted_counts.update(label for label, _, _ in predicted)
        true_positive_counts.update(label for label, _, _ in gold & predicted)
    per_label = {
        label: {
            **_prf(true_positive_counts[label], predicted_counts[label], gold_counts[label]),
            "support": gold_counts[label],
        }
        for label in sorted(gold_counts.keys() | predicted_counts.keys())
    }
    micro = _prf(sum(true_positive_counts.values()), sum(predicted_counts.values()), sum(gold_counts.values()))
    return {"micro": micro, "labels": per_label}


def evaluate_conll(path: Path, nlp: spacy.Language) -> dict[str, Any]:
    """Score nlp's entities against the gold CoNLL file at path.

    Returns {"micro": {...}, "labels": {LABEL: {...}}} over all labels, plus
    "micro_core": micro scores over PERSON, ORG, GPE and LOC only.
    """
    sentences = read_conll(path)
    predicted = predict_tags(sentences, nlp)
    gold = [sentence.tags for sentence in sentences]
    result = score_tags(gold, predicted)
    result["micro_core"] = score_tags(gold, predicted, labels=CORE_LABELS)["micro"]
    return result
