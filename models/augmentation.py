"""Mention replacement for training the Turkish NER (`kume.mention_swap.v1`, a spaCy augmenter).

Two thirds of the test split's PERSON/ORG/GPE/LOC names never occur in the training split, so the model
must recognise a name from its context and its shape, not remember it. Swapping a mention for another
mention of the same label from the training data (Dai and Adel 2020, "mention replacement") breaks the
pairing of a sentence's context with one particular name. Turkish marks case on a name after an
apostrophe ("Bayern Münih'e"); the swapped-in name takes over the original's suffix ("Real Madrid'e"),
so the context keeps its case grammar. Vowel harmony may then be wrong ("Paris'e" for "Roma'ya" would be
right, "Paris'ya" is not), which is noise of the kind web text has anyway.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example
from spacy.util import registry

from nlp.turkish_ner.lexical import split_apostrophe

Mentions = dict[str, list[tuple[str, ...]]]


@registry.augmenters("kume.mention_swap.v1")
def create_mention_swap(
    corpus: str, labels: list[str], level: float, seed: int = 0
) -> Callable[[Language, Example], Iterator[Example]]:
    """An augmenter that, for a share `level` of the examples, replaces each mention of `labels` with a random
    mention of the same label from the DocBin `corpus` (the training split)."""
    if not 0.0 <= level <= 1.0:
        raise ValueError(f"kume.mention_swap.v1: level must be between 0 and 1, not {level}")
    state: dict[str, Mentions] = {}
    return partial(_swap_mentions, Path(corpus), frozenset(labels), level, random.Random(seed), state)


def collect_mentions(docs: Sequence[Doc] | Iterator[Doc], labels: frozenset[str]) -> Mentions:
    """The mentions of each label as word tuples, the last word without its case suffix."""
    mentions: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for doc in docs:
        for entity in doc.ents:
            if entity.label_ in labels:
                words = [token.text for token in entity]
                words[-1] = split_apostrophe(words[-1])[0]
                mentions[entity.label_].add(tuple(words))
    return {label: sorted(found) for label, found in mentions.items()}


def swap_mentions(example: Example, mentions: Mentions, rng: random.Random) -> Example:
    """A copy of example whose mentions of the labels in `mentions` are replaced by random ones of the same label."""
    reference = example.reference
    words: list[str] = []
    spaces: list[bool] = []
    ents: list[str] = []

    def keep(outside: Span) -> None:
        for token in outside:
            words.append(token.text)
            spaces.append(bool(token.whitespace_))
            ents.append("O")

    position = 0
    for entity in reference.ents:
        keep(reference[position : entity.start])
        replacement = _replacement(entity, mentions, rng)
        for index, word in enumerate(replacement):
            words.append(word)
            spaces.append(True if index < len(replacement) - 1 else bool(entity[-1].whitespace_))
            ents.append(f"{'B' if index == 0 else 'I'}-{entity.label_}")
        position = entity.end
    keep(reference[position:])
    swapped = Doc(reference.vocab, words=words, spaces=spaces, ents=ents)
    return Example(Doc(reference.vocab, words=words, spaces=spaces), swapped)


def _replacement(entity: Span, mentions: Mentions, rng: random.Random) -> list[str]:
    words = [token.text for token in entity]
    candidates = mentions.get(entity.label_)
    if not candidates:
        return words
    replacement = list(rng.choice(candidates))
    suffix = split_apostrophe(words[-1])[1]
    if suffix:
        replacement[-1] = f"{replacement[-1]}'{suffix}"
    return replacement


def _swap_mentions(
    corpus: Path,
    labels: frozenset[str],
    level: float,
    rng: random.Random,
    state: dict[str, Mentions],
    nlp: Language,
    example: Example,
) -> Iterator[Example]:
    if "mentions" not in state:
        # Read on first use: the augmenter is created before the pipeline (and its vocabulary) exists.
        state["mentions"] = collect_mentions(DocBin().from_disk(corpus).get_docs(nlp.vocab), labels)
    if rng.random() < level and example.reference.ents:
        yield swap_mentions(example, state["mentions"], rng)
    else:
        yield example
