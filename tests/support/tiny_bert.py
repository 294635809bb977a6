"""A tiny BERT token classifier made from nothing, for the transformers NER tests: a WordPiece tokenizer
trained on the given text and a small randomly initialised model. Nothing is downloaded.

Needs the optional `transformers` extra (torch, transformers, tokenizers); callers skip without it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any


def tiny_bert(
    model_dir: Path,
    texts: Iterable[str],
    labels: list[str],
    *,
    vocab_size: int,
    hidden_size: int,
    layers: int,
    max_positions: int,
    dropout: float = 0.1,
) -> tuple[Any, Any]:
    """Trains the tokenizer on texts and saves it to model_dir; returns it (a `tokenizers.Tokenizer`) and an
    untrained BertForTokenClassification over labels, for the caller to train (or not) and save there."""
    import transformers
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokenizer.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=specials))
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", tokenizer.token_to_id("[CLS]")), ("[SEP]", 3)]
    )
    transformers.PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    ).save_pretrained(model_dir)
    config = transformers.BertConfig(
        vocab_size=tokenizer.get_vocab_size(),
        hidden_size=hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=2,
        intermediate_size=2 * hidden_size,
        max_position_embeddings=max_positions,
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    return tokenizer, transformers.BertForTokenClassification(config)
