"""The transformers NER backend on a tiny BERT token classifier trained here, on CPU, from nothing."""

import random
from pathlib import Path
from typing import Any

import pytest
import spacy

from nlp.transformers_ner import TransformersNer, best_window_per_token, bio_tag, window_starts
from tests.support.tiny_bert import tiny_bert

FIRST_NAMES = ["Ahmet", "Mehmet", "Ayşe", "Fatma", "Zeynep", "Mustafa", "Elif", "Emre"]
SURNAMES = ["Yılmaz", "Kurt", "Doğan", "Çelik", "Şahin", "Polat", "Öztürk", "Tekin"]
CITIES = ["Ankara'da", "İstanbul'da", "İzmir'de", "Bursa'da", "Konya'da", "Gaziantep'te", "Denizli'de", "Kayseri'de"]
ORGANISATIONS = [["Ticaret", "Bakanlığı"], ["Sanayi", "Odası"], ["Kalkınma", "Ajansı"], ["İhracatçılar", "Birliği"]]
FILLER = ["dün", "bugün", "heyeti", "toplantı", "ziyaret", "etti", "ile", "görüştü", "katıldı", "ve", "için", "."]
MODEL_LABELS = ["O", "B-PER", "I-PER", "B-GPE", "I-GPE", "B-ORG", "I-ORG"]


def synthetic_sentence(rng: random.Random) -> tuple[list[str], list[str]]:
    words: list[str] = []
    tags: list[str] = []
    for _ in range(rng.randint(2, 5)):
        kind = rng.choice(["filler", "person", "city", "org"])
        if kind == "person":
            words += [rng.choice(FIRST_NAMES), rng.choice(SURNAMES)]
            tags += ["B-PER", "I-PER"]
        elif kind == "city":
            words.append(rng.choice(CITIES))
            tags.append("B-GPE")
        elif kind == "org":
            words += rng.choice(ORGANISATIONS)
            tags += ["B-ORG", "I-ORG"]
        # A filler word after every entity keeps adjacent entities apart: the tiny model learns word identity
        # quickly, entity boundaries between neighbours slowly, and these tests are about the backend.
        words.append(rng.choice(FILLER))
        tags.append("O")
    return words, tags


def expected_entities(words: list[str], tags: list[str]) -> list[tuple[str, str]]:
    names = {"PER": "PERSON", "GPE": "GPE", "ORG": "ORG"}
    entities: list[tuple[str, str]] = []
    for word, tag in zip(words, tags, strict=True):
        if tag.startswith("B-"):
            entities.append((word, names[tag[2:]]))
        elif tag.startswith("I-"):
            entities[-1] = (entities[-1][0] + " " + word, entities[-1][1])
    return entities


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch = pytest.importorskip("torch", reason="torch is the optional extra `transformers`")
    pytest.importorskip("transformers")

    rng = random.Random(7)
    torch.manual_seed(7)
    torch.set_num_threads(1)  # the test machine's cores are shared; a tiny model gains nothing from more
    sentences = [synthetic_sentence(rng) for _ in range(400)]
    model_dir = tmp_path_factory.mktemp("tiny-bert-ner")
    tokenizer, model = tiny_bert(
        model_dir,
        (" ".join(words) for words, _ in sentences),
        MODEL_LABELS,
        vocab_size=240,
        hidden_size=64,
        layers=2,
        max_positions=128,
        dropout=0.0,  # memorising a closed vocabulary; dropout only slows it down
    )
    # 240 pieces: some words still split into several pieces (the backend's sub-word path), but no two words
    # of different kinds share a first piece, which a tiny model would take thousands of steps to tell apart.
    vocabulary = {word for words, _ in sentences for word in words}
    assert any(len(tokenizer.encode(word).tokens) > 1 for word in vocabulary)
    # Random crops of the running text, like the backend's windows, which start and end anywhere; the tests
    # keep windows within the positions these crops train.
    examples = crops(tokenizer, sentences, rng, 800)
    # Held-out text starts at a sentence start, as the tests' texts do (a crop that opens inside a name
    # cannot tell its I- tag from a B- tag).
    held_out = []
    for _ in range(60):
        words: list[str] = []
        tags: list[str] = []
        for _ in range(3):
            sentence_words, sentence_tags = synthetic_sentence(rng)
            words += sentence_words
            tags += sentence_tags
        held_out.append(labelled(tokenizer, words, tags))

    def batch_tensors(batch: list[tuple[list[int], list[int]]]) -> tuple[Any, Any, Any]:
        longest = max(len(ids) for ids, _ in batch)
        input_ids = torch.tensor([ids + [0] * (longest - len(ids)) for ids, _ in batch])
        attention_mask = torch.tensor([[1] * len(ids) + [0] * (longest - len(ids)) for ids, _ in batch])
        labels = torch.tensor([lab + [-100] * (longest - len(lab)) for _, lab in batch])
        return input_ids, attention_mask, labels

    def tags_every_held_out_word() -> bool:
        model.eval()
        with torch.no_grad():
            input_ids, attention_mask, labels = batch_tensors(held_out)
            predicted = model(input_ids=input_ids, attention_mask=attention_mask).logits.argmax(-1)
        model.train()
        wrong = (predicted != labels) & (labels != -100)
        return not bool(wrong.any())

    # The tests are about the backend, not about learning, so the model must tag this closed vocabulary
    # without a slip. How fast it gets there varies from run to run (the WordPiece trainer breaks ties in
    # its own order), so training goes on, a bounded number of rounds, until held-out text comes out right.
    model.train()
    steps = 600
    for round_ in range(4):
        optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3 / 2**round_)
        # Linear decay lets the last steps settle instead of hopping between near-solutions.
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / steps)
        for step in range(steps):
            batch = [examples[(step * 16 + i) % len(examples)] for i in range(16)]
            input_ids, attention_mask, labels = batch_tensors(batch)
            loss = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels).loss
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
        if tags_every_held_out_word():
            break
    else:
        pytest.fail("the tiny model did not learn to tag held-out synthetic text in 4 rounds")
    model.save_pretrained(model_dir)
    return model_dir


def labelled(tokenizer: Any, words: list[str], tags: list[str]) -> tuple[list[int], list[int]]:
    """Token ids and labels of a stretch of text; only a word's first piece is labelled, as the backend reads
    only that piece."""
    encoding = tokenizer.encode(" ".join(words))
    labels = []
    previous_word = None
    for word_id in encoding.word_ids:
        trained = word_id is not None and word_id != previous_word
        labels.append(MODEL_LABELS.index(tags[word_id]) if trained else -100)
        previous_word = word_id
    return encoding.ids, labels


def crops(
    tokenizer: Any, sentences: list[tuple[list[str], list[str]]], rng: random.Random, count: int
) -> list[tuple[list[int], list[int]]]:
    """Random stretches of the sentences' running text, starting and ending anywhere."""
    stream_words = [word for words, _ in sentences for word in words]
    stream_tags = [tag for _, tags in sentences for tag in tags]
    examples = []
    for _ in range(count):
        start = rng.randrange(len(stream_words) - 40)
        end = start + rng.randint(3, 40)
        examples.append(labelled(tokenizer, stream_words[start:end], stream_tags[start:end]))
    return examples


def long_text(seed: int, n_sentences: int) -> tuple[str, list[tuple[str, str]]]:
    rng = random.Random(seed)
    all_words: list[str] = []
    all_tags: list[str] = []
    for _ in range(n_sentences):
        words, tags = synthetic_sentence(rng)
        all_words += words
        all_tags += tags
    return " ".join(all_words), expected_entities(all_words, all_tags)


def test_pure_helpers() -> None:
    assert bio_tag("B-PER", {"PER": "PERSON"}) == "B-PERSON"
    assert bio_tag("I-ORG", {}) == "I-ORG"
    assert bio_tag("E-LOC", {}) == "I-LOC"
    assert bio_tag("S-GPE", {}) == "B-GPE"
    assert bio_tag("MISC", {}) == "I-MISC"
    assert bio_tag("O", {}) == "O"
    assert window_starts(5, 8, 3) == [0]
    assert window_starts(20, 8, 3) == [0, 5, 10, 15]
    # token 6 is one token from an edge in both windows (the tie keeps the first); token 7 is nearer window 1's middle
    assert best_window_per_token(13, [0, 5], 8) == [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    with pytest.raises(ValueError, match="stride"):
        window_starts(10, 4, 4)


def test_spans_align_with_text_and_labels_map(tiny_model_dir: Path) -> None:
    backend = TransformersNer(tiny_model_dir, batch_size=4, window=48, stride=8)
    texts_and_expected = [long_text(seed, 3) for seed in range(100, 106)]
    results = backend.entities([text for text, _ in texts_and_expected])
    for (text, expected), entities in zip(texts_and_expected, results, strict=True):
        assert [(text[e.start : e.end], e.label) for e in entities] == expected


def test_windows_join_entities_at_edges(tiny_model_dir: Path) -> None:
    window, stride = 8, 3
    text, expected = long_text(200, 12)
    windowed = TransformersNer(tiny_model_dir, batch_size=3, window=window, stride=stride)
    # The test means something only if some multi-token entity crosses a window edge.
    offsets = windowed._tokenizer.encode(text, add_special_tokens=False).offsets
    starts = window_starts(len(offsets), window, stride)
    edges = {start for start in starts[1:]} | {start + window for start in starts}
    entity_tokens = [
        [i for i, (token_start, token_end) in enumerate(offsets) if start <= token_start and token_end <= end]
        for start, end in _entity_char_spans(text, expected)
    ]
    assert any(tokens[0] < edge <= tokens[-1] for tokens in entity_tokens for edge in edges), (
        "no entity crosses an edge"
    )
    (entities,) = windowed.entities([text])
    assert [(text[e.start : e.end], e.label) for e in entities] == expected
    (other_grid,) = TransformersNer(tiny_model_dir, window=40, stride=10).entities([text])
    assert entities == other_grid


def _entity_char_spans(text: str, expected: list[tuple[str, str]]) -> list[tuple[int, int]]:
    spans = []
    position = 0
    for surface, _ in expected:
        start = text.index(surface, position)
        spans.append((start, start + len(surface)))
        position = start + len(surface)
    return spans


def test_spacy_component_sets_doc_ents(tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text, expected = long_text(300, 6)
    nlp = spacy.blank("tr")
    nlp.add_pipe("kume_transformers_ner", config={"model_path": str(tiny_model_dir), "window": 10, "stride": 4})
    doc = nlp(text)
    assert [(ent.text, ent.label_) for ent in doc.ents] == expected
    docs = list(nlp.pipe([text, "dün ve bugün ."]))
    assert [(ent.text, ent.label_) for ent in docs[0].ents] == expected
    assert docs[1].ents == ()

    monkeypatch.setenv("KUME_NER_MODEL", str(tiny_model_dir))
    from_settings = spacy.blank("tr")
    from_settings.add_pipe("kume_transformers_ner", config={"window": 40, "stride": 12})
    assert [(ent.text, ent.label_) for ent in from_settings(text).ents] == expected


def test_bad_model_directory_or_window_is_named(tmp_path: Path, tiny_model_dir: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no-model-here"):
        TransformersNer(tmp_path / "no-model-here")
    with pytest.raises(ValueError, match="window 256 \\+ 2 special tokens exceeds 128"):
        TransformersNer(tiny_model_dir, window=256)
