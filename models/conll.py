"""Reading token-per-line CoNLL NER files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nlp.iob import bio_entities


@dataclass(frozen=True)
class Sentence:
    words: list[str]
    tags: list[str]


class ConllFormatError(ValueError):
    pass


def read_conll(path: Path) -> list[Sentence]:
    """Sentences of a CoNLL file: token and BIO tag per line (tab or spaces), blank line between sentences."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ConllFormatError(f"{path}: cannot read CoNLL file: {error}") from error
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            if words:
                sentences.append(Sentence(words, tags))
                words, tags = [], []
            continue
        if line.startswith("-DOCSTART-"):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) < 2:
            raise ConllFormatError(f"{path}:{line_number}: expected 'token<TAB>tag', got {line!r}")
        tag = fields[-1].strip()
        if tag != "O" and not (tag[:2] in ("B-", "I-") and len(tag) > 2):
            raise ConllFormatError(f"{path}:{line_number}: tag {tag!r} is not O, B-LABEL or I-LABEL")
        words.append(fields[0])
        tags.append(tag)
    if words:
        sentences.append(Sentence(words, tags))
    if not sentences:
        raise ConllFormatError(f"{path}: no sentences found")
    return sentences


def normalised_iob(tags: Sequence[str]) -> list[str]:
    """The same chunks as `bio_entities`, written as strict IOB2 (every entity opens with B-) as spaCy requires."""
    strict = ["O"] * len(tags)
    for label, start, end in bio_entities(tags):
        strict[start] = f"B-{label}"
        for index in range(start + 1, end):
            strict[index] = f"I-{label}"
    return strict
