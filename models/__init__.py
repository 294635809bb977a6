"""The models kume trains: the Turkish NER pipeline, how it is trained and how it is scored.

The trained pipeline runs in nlp/ (`nlp.turkish_ner` registers what its config names); importing
`models` registers, besides, what only training configs name.
"""

from __future__ import annotations

import nlp.turkish_ner  # noqa: F401  # registers the run-time functions training configs name too
from models import architectures as architectures  # registers kume.WindowLSTMEncoder.v1
from models import augmentation as augmentation  # registers kume.mention_swap.v1 for training configs
