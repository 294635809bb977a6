"""The token embedding (`kume.TurkishEmbed.v1`) of the Turkish NER tok2vec.

It is spaCy's MultiHashEmbed.v2 with two optional branches beside the hashed lexical attributes:
- static word vectors held inside the layer (`embedded_vectors`). spaCy's StaticVectors reads the vectors
  from the vocabulary at every call, but a pipeline that sources this model's tok2vec and ner (nlp/'s
  Turkish pipeline) gets a vocabulary without them; keeping the table in the layer's own weights makes
  the component self-contained wherever it is sourced.
- character embeddings (nC UTF-8 bytes per word, half from each end, nM dims each: spaCy's CharacterEmbed
  layer), which spaCy offers only instead of the hashed attributes, not beside them.
Importing `nlp.turkish_ner` registers it for configs and spacy.load.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import numpy as np
from spacy.ml import _character_embed
from spacy.ml.featureextractor import FeatureExtractor
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import (
    HashEmbed,
    Maxout,
    Model,
    chain,
    concatenate,
    list2ragged,
    ragged2list,
    with_array,
)
from thinc.initializers import glorot_uniform_init
from thinc.types import Floats2d, Ints2d, Ragged


@registry.architectures("kume.TurkishEmbed.v1")
def turkish_embed(
    width: int,
    attrs: list[str | int],
    rows: list[int],
    embedded_vectors: bool,
    nM: int = 0,  # spaCy's names for the character embedding's sizes
    nC: int = 0,
) -> Model[list[Doc], list[Floats2d]]:
    """Hashed `attrs` (one table of `rows` each), plus embedded static vectors and nC characters if asked."""
    if len(rows) != len(attrs):
        raise ValueError(f"kume.TurkishEmbed.v1: {len(rows)} rows for {len(attrs)} attrs")
    # Seeds numbered as MultiHashEmbed numbers its tables.
    embeddings: list[Model[Ints2d, Floats2d]] = [
        HashEmbed(width, rows[index], column=index, seed=8 + index, dropout=0.0) for index in range(len(attrs))
    ]
    branches: list[Model[list[Doc], Ragged]] = [
        chain(
            FeatureExtractor(attrs),
            cast(Model[list[Ints2d], Ragged], list2ragged()),
            with_array(concatenate(*embeddings)),
        )
    ]
    concat_size = width * len(embeddings)
    if nC > 0:
        branches.append(
            chain(_character_embed.CharacterEmbed(nM=nM, nC=nC), cast(Model[list[Floats2d], Ragged], list2ragged()))
        )
        concat_size += nM * nC
    if embedded_vectors:
        branches.append(EmbeddedVectors(width))
        concat_size += width
    return chain(
        concatenate(*branches),
        with_array(Maxout(width, concat_size, nP=3, dropout=0.0, normalize=True)),
        ragged2list(),
    )


def EmbeddedVectors(width: int) -> Model[list[Doc], Ragged]:  # thinc's naming for layers
    """The vocabulary's static vectors at initialisation, copied into the layer and kept frozen; a learned
    linear map projects them to `width`. Tokens whose key has no vector get zeros."""
    return Model(
        "kume_embedded_vectors",
        _vectors_forward,
        init=_vectors_init,
        params={"E": None, "W": None},
        dims={"nO": width, "nM": None},
        attrs={"attr": None, "keys": None, "rows": None},
    )


def _vectors_init(
    model: Model[list[Doc], Ragged], X: list[Doc] | None = None, Y: Ragged | None = None
) -> Model[list[Doc], Ragged]:
    if not X:
        return model
    vectors = X[0].vocab.vectors
    if vectors.shape[0] == 0:
        raise ValueError(
            "kume.TurkishEmbed.v1 with embedded_vectors needs vectors to copy: set [initialize] vectors "
            "(python -m models.build_vectors builds them)"
        )
    keys = np.fromiter(vectors.key2row.keys(), dtype=np.uint64, count=len(vectors.key2row))
    key_rows = np.fromiter(vectors.key2row.values(), dtype=np.int64, count=len(vectors.key2row))
    order = np.argsort(keys)
    model.attrs.update(attr=int(vectors.attr), keys=keys[order], rows=key_rows[order])
    model.set_dim("nM", vectors.shape[1])
    model.set_param("E", model.ops.asarray2f(cast(Floats2d, np.asarray(vectors.data, dtype=np.float32))))
    model.set_param("W", glorot_uniform_init(model.ops, (model.get_dim("nO"), vectors.shape[1])))
    return model


def _vectors_forward(
    model: Model[list[Doc], Ragged], docs: list[Doc], is_train: bool
) -> tuple[Ragged, Callable[[Ragged], list[Doc]]]:
    lengths = model.ops.asarray1i([len(doc) for doc in docs])
    if not sum(len(doc) for doc in docs):
        return Ragged(model.ops.alloc2f(0, model.get_dim("nO")), lengths), lambda _: []
    keys = np.concatenate([doc.to_array(model.attrs["attr"]) for doc in docs]).astype(np.uint64)
    sorted_keys = model.attrs["keys"]
    positions = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    found = sorted_keys[positions] == keys
    table = model.get_param("E")
    vectors = table[model.attrs["rows"][positions]] * found[:, None]
    projection = cast(Floats2d, model.get_param("W"))
    output = Ragged(model.ops.gemm(vectors, projection, trans2=True), lengths)

    def backprop(d_output: Ragged) -> list[Doc]:
        # The table stays as built (no gradient for E); only the projection learns.
        model.inc_grad("W", model.ops.gemm(cast(Floats2d, d_output.data), vectors, trans1=True))
        return []

    return output, backprop
