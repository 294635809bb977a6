"""Entity spans from BIO tags, as the NER components and the CoNLL scorer decode them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def bio_entities(tags: Sequence[str]) -> Iterator[tuple[str, int, int]]:
    """(label, start, end) token spans, end exclusive, following seqeval's default (non-strict) IOB2 chunking.

    An I-X that does not continue an X chunk (after O, or after a chunk of another label) starts a
    new chunk, and B-X always starts one.
    """
    label: str | None = None
    start = 0
    for index, tag in enumerate(tags):
        prefix, _, tag_label = tag.partition("-")
        continues = prefix == "I" and tag_label == label
        if label is not None and not continues:
            yield label, start, index
            label = None
        if prefix in ("B", "I") and not continues:
            label, start = tag_label, index
    if label is not None:
        yield label, start, len(tags)
