import random
from pathlib import Path

import numpy
import spacy
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.util import registry

import models  # noqa: F401  # registers kume.mention_swap.v1 and kume.WindowLSTMEncoder.v1
from models.augmentation import Mentions, collect_mentions, swap_mentions

LABELS = frozenset({"PERSON", "ORG"})


def annotated(nlp: spacy.Language, words: str, tags: str) -> Doc:
    return Doc(nlp.vocab, words=words.split(), ents=tags.split())


def test_mentions_are_collected_per_label_without_their_case_suffix() -> None:
    nlp = spacy.blank("tr")
    docs = [
        annotated(nlp, "Bayern Münih'e transfer olur .", "B-ORG I-ORG O O O"),
        annotated(nlp, "Ayşe Real Madrid'i izledi .", "B-PERSON B-ORG I-ORG O O"),
        annotated(nlp, "Ankara'ya gitti .", "B-GPE O O"),
    ]
    assert collect_mentions(docs, LABELS) == {
        "ORG": [("Bayern", "Münih"), ("Real", "Madrid")],
        "PERSON": [("Ayşe",)],
    }


def test_a_swapped_mention_keeps_the_label_the_context_and_the_case_suffix() -> None:
    nlp = spacy.blank("tr")
    reference = annotated(nlp, "Dün Bayern Münih'e Ali transfer oldu .", "O B-ORG I-ORG B-PERSON O O O")
    example = Example(Doc(nlp.vocab, words=[token.text for token in reference]), reference)
    mentions: Mentions = {"ORG": [("Galatasaray",)], "PERSON": [("Mehmet", "Ali", "Kaya")]}

    swapped = swap_mentions(example, mentions, random.Random(0))

    assert [token.text for token in swapped.reference] == [
        "Dün", "Galatasaray'e", "Mehmet", "Ali", "Kaya", "transfer", "oldu", ".",
    ]  # fmt: skip
    assert [(entity.text, entity.label_) for entity in swapped.reference.ents] == [
        ("Galatasaray'e", "ORG"),
        ("Mehmet Ali Kaya", "PERSON"),
    ]
    # The model is trained to predict the swapped annotation from the swapped words alone.
    assert [token.text for token in swapped.predicted] == [token.text for token in swapped.reference]
    assert not swapped.predicted.ents
    assert swapped.reference.text.startswith("Dün Galatasaray'e Mehmet Ali Kaya transfer")


def test_the_augmenter_swaps_the_share_it_is_given(tmp_path: Path) -> None:
    nlp = spacy.blank("tr")
    corpus = tmp_path / "train.spacy"
    DocBin(docs=[annotated(nlp, "Selin geldi .", "B-PERSON O O")]).to_disk(corpus)
    reference = annotated(nlp, "Ali geldi .", "B-PERSON O O")
    example = Example(Doc(nlp.vocab, words=["Ali", "geldi", "."]), reference)

    never = registry.augmenters.get("kume.mention_swap.v1")(corpus=str(corpus), labels=["PERSON"], level=0.0)
    always = registry.augmenters.get("kume.mention_swap.v1")(corpus=str(corpus), labels=["PERSON"], level=1.0)

    assert [token.text for out in never(nlp, example) for token in out.reference] == ["Ali", "geldi", "."]
    assert [token.text for out in always(nlp, example) for token in out.reference] == ["Selin", "geldi", "."]


def test_the_window_lstm_encoder_keeps_width_and_lets_the_first_word_see_the_last() -> None:
    make = registry.architectures.get("kume.WindowLSTMEncoder.v1")
    encoder = make(width=8, window_size=1, maxout_pieces=2, depth=1, lstm_depth=1)
    rng = numpy.random.default_rng(0)
    sentence = rng.standard_normal((6, 8)).astype("float32")
    encoder.initialize(X=[sentence])

    before = encoder.predict([sentence])[0]
    changed = sentence.copy()
    changed[-1] += 1.0
    after = encoder.predict([changed])[0]

    assert before.shape == (6, 8)
    # A window of 1 and one maxout layer reach one word; only the LSTM carries the last word to the first.
    assert not numpy.allclose(before[0], after[0])
    windows_only = make(width=8, window_size=1, maxout_pieces=2, depth=1, lstm_depth=0)
    windows_only.initialize(X=[sentence])
    assert numpy.allclose(windows_only.predict([sentence])[0][0], windows_only.predict([changed])[0][0])
