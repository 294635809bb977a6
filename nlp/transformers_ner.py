"""NER with any Hugging Face token-classification model from a local directory.

Long texts are cut into overlapping windows of sub-word tokens; each token takes its label from the
window in which it sits farthest from an edge (so it had the most context on both sides), and entities
are decoded once over the whole text. An entity straddling a window boundary therefore comes out once
and whole. Sub-word labels are aggregated per word (the word's first piece decides, as in the
fine-tuning recipe of Hugging Face's token-classification examples) and mapped back to character offsets
through the fast tokenizer's offset mapping.

torch and transformers are the optional extra `transformers`; they are imported when a model is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans, minibatch

from nlp.iob import bio_entities

if TYPE_CHECKING:
    from kume.config import Settings

# CoNLL-2003-style models say PER where spaCy and OntoNotes say PERSON.
DEFAULT_LABEL_MAP: dict[str, str] = {"PER": "PERSON"}
BEGIN_PREFIXES = ("B", "S", "U")
INSIDE_PREFIXES = ("I", "E", "L")


@dataclass(frozen=True)
class EntitySpan:
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    first_token: int


def bio_tag(model_label: str, label_map: Mapping[str, str]) -> str:
    """Map a model label such as "B-PER", "I-ORG", "E-LOC" or "PER" to a BIO tag with spaCy's label name."""
    if model_label in ("O", ""):
        return "O"
    prefix, separator, name = model_label.partition("-")
    if not separator or len(prefix) != 1:
        prefix, name = "I", model_label
    name = label_map.get(name, name)
    if prefix in BEGIN_PREFIXES:
        return f"B-{name}"
    if prefix in INSIDE_PREFIXES:
        return f"I-{name}"
    raise ValueError(f"model label {model_label!r} has unknown prefix {prefix!r}")


def _check_window(window: int, stride: int) -> None:
    if window <= 0 or not 0 <= stride < window:
        raise ValueError(f"need window > 0 and 0 <= stride < window, got window={window}, stride={stride}")


def window_starts(n_tokens: int, window: int, stride: int) -> list[int]:
    """Start offsets of windows of `window` tokens overlapping by `stride`, covering n_tokens."""
    _check_window(window, stride)
    starts = [0]
    while starts[-1] + window < n_tokens:
        starts.append(starts[-1] + window - stride)
    return starts


def best_window_per_token(n_tokens: int, starts: Sequence[int], window: int) -> list[int]:
    """For each token, the index of the window in which it is farthest from either edge."""
    choice: list[int] = []
    for token in range(n_tokens):
        candidates = [i for i, start in enumerate(starts) if start <= token < start + window]
        choice.append(max(candidates, key=lambda i: min(token - starts[i], starts[i] + window - 1 - token)))
    return choice


class TransformersNer:
    """A local token-classification model that finds entity character spans in plain texts."""

    def __init__(
        self,
        model_path: Path,
        *,
        batch_size: int = 8,
        window: int = 256,
        stride: int = 64,
        label_map: Mapping[str, str] | None = None,
    ) -> None:
        try:
            import torch
            from tokenizers import Tokenizer
            from transformers import AutoModelForTokenClassification, AutoTokenizer
        except ImportError as error:
            raise ImportError(
                "the transformers NER backend needs the optional extra: pip install 'kume[transformers]'"
            ) from error
        if not (model_path / "config.json").is_file():
            raise FileNotFoundError(f"{model_path}: not a Hugging Face model directory (no config.json)")
        self._torch = torch
        tokenizer = AutoTokenizer.from_pretrained(model_path, local_files_only=True)
        if not tokenizer.is_fast:
            raise ValueError(f"{model_path}: a fast tokenizer (tokenizer.json) is needed for character offsets")
        # The raw `tokenizers` object, without the truncation or padding the saved tokenizer may carry:
        # windows are cut here, and it gives offsets and word ids for the whole text in one call.
        self._tokenizer = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self._prefix_ids, self._suffix_ids = _special_token_template(self._tokenizer)
        self._pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self.model = AutoModelForTokenClassification.from_pretrained(model_path, local_files_only=True)
        self.model.eval()
        special_tokens = len(self._prefix_ids) + len(self._suffix_ids)
        max_positions = getattr(self.model.config, "max_position_embeddings", None) or tokenizer.model_max_length
        if window + special_tokens > max_positions:
            raise ValueError(f"{model_path}: window {window} + {special_tokens} special tokens exceeds {max_positions}")
        _check_window(window, stride)
        self.batch_size = batch_size
        self.window = window
        self.stride = stride
        self.label_map = {**DEFAULT_LABEL_MAP, **(label_map or {})}
        self.id2label: dict[int, str] = {int(i): label for i, label in self.model.config.id2label.items()}

    def entities(self, texts: Sequence[str]) -> list[list[EntitySpan]]:
        """Entity spans for each text; text[span.start:span.end] is the entity's surface form."""
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        token_labels = self._token_labels([encoding.ids for encoding in encodings])
        return [self._decode(encoding, labels) for encoding, labels in zip(encodings, token_labels, strict=True)]

    def _token_labels(self, token_ids_per_text: Sequence[Sequence[int]]) -> list[list[int]]:
        windows: list[tuple[int, int]] = []  # (text index, first token)
        for text_index, token_ids in enumerate(token_ids_per_text):
            windows.extend((text_index, start) for start in window_starts(len(token_ids), self.window, self.stride))
        window_predictions: dict[tuple[int, int], list[int]] = {}
        for batch in minibatch(windows, self.batch_size):
            inputs = [
                [*self._prefix_ids, *token_ids_per_text[text_index][start : start + self.window], *self._suffix_ids]
                for text_index, start in batch
            ]
            longest = max(len(ids) for ids in inputs)
            input_ids = self._torch.tensor([ids + [self._pad_id] * (longest - len(ids)) for ids in inputs])
            attention_mask = self._torch.tensor([[1] * len(ids) + [0] * (longest - len(ids)) for ids in inputs])
            with self._torch.inference_mode():
                logits = self.model(input_ids=input_ids, attention_mask=attention_mask).logits
            predicted = logits.argmax(dim=-1).tolist()
            for (text_index, start), ids, labels in zip(batch, inputs, predicted, strict=True):
                window_predictions[(text_index, start)] = labels[
                    len(self._prefix_ids) : len(ids) - len(self._suffix_ids)
                ]
        labels_per_text: list[list[int]] = []
        for text_index, token_ids in enumerate(token_ids_per_text):
            starts = window_starts(len(token_ids), self.window, self.stride)
            choice = best_window_per_token(len(token_ids), starts, self.window)
            labels_per_text.append(
                [
                    window_predictions[(text_index, starts[choice[token]])][token - starts[choice[token]]]
                    for token in range(len(token_ids))
                ]
            )
        return labels_per_text

    def _decode(self, encoding: Any, token_labels: Sequence[int]) -> list[EntitySpan]:
        words: list[_Word] = []
        word_of_previous_token: int | None = None
        for token, (word_id, (start, end)) in enumerate(zip(encoding.word_ids, encoding.offsets, strict=True)):
            if word_id is None or start == end:
                continue
            if word_id == word_of_previous_token and words:
                words[-1] = _Word(words[-1].start, end, words[-1].first_token)
            else:
                words.append(_Word(start, end, token))
            word_of_previous_token = word_id
        tags = [bio_tag(self.id2label[token_labels[word.first_token]], self.label_map) for word in words]
        return [EntitySpan(words[first].start, words[last - 1].end, label) for label, first, last in bio_entities(tags)]


def _special_token_template(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The special token ids a single sequence gets before and after it ([CLS] ... [SEP], <s> ... </s>)."""
    probe = tokenizer.encode("a", add_special_tokens=True)
    mask = probe.special_tokens_mask
    first_text = mask.index(0) if 0 in mask else len(mask)
    last_text = len(mask) - mask[::-1].index(0) if 0 in mask else len(mask)
    return probe.ids[:first_text], probe.ids[last_text:]


def load_transformers_ner(settings: Settings, **options: Any) -> TransformersNer:
    """The backend for Settings.ner_model (KUME_NER_MODEL)."""
    if settings.ner_model is None:
        raise ValueError("no transformers NER model configured: set KUME_NER_MODEL to a local model directory")
    return TransformersNer(Path(settings.ner_model), **options)


class TransformersNerComponent:
    """spaCy component: replaces doc.ents with the transformers model's entities."""

    def __init__(self, backend: TransformersNer) -> None:
        self.backend = backend

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 32) -> Iterator[Doc]:
        for batch in minibatch(docs, batch_size):
            yield from self._annotate(batch)

    def _annotate(self, docs: list[Doc]) -> list[Doc]:
        for doc, entities in zip(docs, self.backend.entities([doc.text for doc in docs]), strict=True):
            spans: list[Span] = []
            for entity in entities:
                # Model words and spaCy tokens may split differently; widen to whole spaCy tokens.
                span = doc.char_span(entity.start, entity.end, label=entity.label, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
            doc.set_ents(filter_spans(spans), default="outside")
        return docs


@Language.factory(
    "kume_transformers_ner",
    assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
    default_config={"model_path": None, "batch_size": 8, "window": 256, "stride": 64, "label_map": {}},
)
def make_transformers_ner(
    nlp: Language,
    name: str,
    model_path: str | None,
    batch_size: int,
    window: int,
    stride: int,
    label_map: dict[str, str],
) -> TransformersNerComponent:
    if model_path is None:
        from kume.config import load_settings

        backend = load_transformers_ner(
            load_settings(), batch_size=batch_size, window=window, stride=stride, label_map=label_map
        )
    else:
        backend = TransformersNer(
            Path(model_path), batch_size=batch_size, window=window, stride=stride, label_map=label_map
        )
    return TransformersNerComponent(backend)
