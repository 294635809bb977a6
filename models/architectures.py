"""The context encoder `kume.WindowLSTMEncoder.v1` of the Turkish NER ablations.

It is spaCy's MaxoutWindowEncoder followed by bidirectional LSTM layers. spaCy's own BiLSTMEncoder
wraps PyTorch, which kume keeps an optional extra; thinc's native LSTM runs on numpy, so a pipeline
built with it loads without torch. Importing `models` registers it for training configs.
"""

from __future__ import annotations

from spacy.ml.models.tok2vec import MaxoutWindowEncoder
from spacy.util import registry
from thinc.api import (
    LSTM,
    Model,
    chain,
    with_padded,
)
from thinc.types import Floats2d


@registry.architectures("kume.WindowLSTMEncoder.v1")
def window_lstm_encoder(
    width: int, window_size: int, maxout_pieces: int, depth: int, lstm_depth: int = 0, lstm_dropout: float = 0.0
) -> Model[list[Floats2d], list[Floats2d]]:
    """`depth` maxout window layers (spaCy's MaxoutWindowEncoder), then `lstm_depth` bidirectional LSTM layers
    of `width` (half per direction), so each token sees the whole sentence and not only depth × window_size
    neighbours. lstm_depth 0 is MaxoutWindowEncoder itself."""
    windows = MaxoutWindowEncoder(width=width, window_size=window_size, maxout_pieces=maxout_pieces, depth=depth)
    if lstm_depth == 0:
        return windows
    encoder: Model[list[Floats2d], list[Floats2d]] = chain(
        windows, with_padded(LSTM(width, width, bi=True, depth=lstm_depth, dropout=lstm_dropout))
    )
    encoder.set_dim("nO", width)
    return encoder
