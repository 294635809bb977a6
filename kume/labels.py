"""Labels people read in place of the codes kume stores, in the supported languages."""

from __future__ import annotations

from functools import cache

from babel import Locale

from kume.text import SUPPORTED_LANGUAGES


@cache
def country_names(language: str) -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> the country's name in `language` (tr or en), from CLDR (Babel)."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"no labels in {language!r}; languages: {', '.join(SUPPORTED_LANGUAGES)}")
    return dict(Locale(language).territories)
