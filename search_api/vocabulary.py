"""What the index holds, as people name it: facet values by label, and the entities a query's words name.

Built from `SearchBackend.indexed_values()` (every facet value with its document
count and the names the extraction gave it) and, for countries, the Turkish and
English names of CLDR (Babel). One vocabulary serves every backend, so a value
or a name resolves the same way whichever backend holds the documents:

* `resolve(facet, text)` turns what a user typed into the index's values:
  case, accents, spaces and punctuation do not matter ("kz", "Kazakhstan",
  "ur ge", "kayseri"), or raises `UnknownFilterValue` listing what exists;
* `entities(words)` finds the countries, cities, organisations, programmes and
  projects named by a run of query words, in any of their names.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from search_api import analysis
from search_api.contract import FACETS, IndexedValue, InvalidQuery, SearchQuery, UnknownFilterValue

# Facets whose values (and their names) are entities a query's words may name. Sector codes, activity
# codes, languages and source ids are not names: "en" and "de" are words.
ENTITY_FACETS = ("country", "city", "organization", "program", "project")
LISTED_VALUES = 15
_LANGUAGES = ("tr", "en")
_PUNCTUATION = re.compile(r"[\W_]+")


def label_key(text: str) -> str:
    """What two spellings of one label have in common: folded letters and digits only ("UR-GE" -> "urge")."""
    return _PUNCTUATION.sub("", analysis.fold_key(text))


def name_key(text: str) -> tuple[str, ...]:
    """A name as the query words that spell it: each word folded, suffixes after an apostrophe dropped."""
    return words_key(analysis.TOKEN_RE.findall(text))


def words_key(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(analysis.fold_key(word.split("'")[0].split("’")[0]) for word in words)


@functools.lru_cache(maxsize=1)
def country_names() -> dict[str, list[str]]:
    """ISO 3166-1 alpha-2 code -> its CLDR names in Turkish and English."""
    from babel import Locale

    tables: list[dict[str, str]] = [dict(Locale(language).territories) for language in _LANGUAGES]
    codes = {code for code in tables[0] if len(code) == 2 and code.isalpha()}
    return {code: list(dict.fromkeys(table[code] for table in tables if code in table)) for code in sorted(codes)}


class Vocabulary:
    """Facet values by label and entity names, for one state of an index."""

    def __init__(self, values: Iterable[IndexedValue]) -> None:
        self.counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        self._labels: dict[str, dict[str, set[str]]] = {facet: defaultdict(set) for facet in FACETS}
        self._named: dict[tuple[str, ...], set[tuple[str, str]]] = defaultdict(set)
        countries = country_names()
        for item in values:
            if item.facet not in self.counts:
                continue
            self.counts[item.facet][item.value] = item.count
            names = [item.value, *item.names]
            if item.facet == "country":
                names += countries.get(item.value, [])
            elif item.facet == "city":
                names.append(item.value.split("|")[0])
            for name in names:
                self._labels[item.facet][label_key(name)].add(item.value)
            if item.facet in ENTITY_FACETS:
                for name in names if item.facet != "country" else names[1:]:  # a bare "KZ" is not a name
                    self._add_name(name, item.facet, item.value)
        # Any ISO code is a country, present or not: "no news about Chile yet" is an answer, not a typo.
        for code, names in countries.items():
            for name in [code, *names]:
                self._labels["country"][label_key(name)].add(code)
        self.longest_name = max((len(key) for key in self._named), default=0)

    def _add_name(self, name: str, facet: str, value: str) -> None:
        key = name_key(name)
        if not key or (len(key) == 1 and len(key[0]) < 2):
            return
        self._named[key].add((facet, value))
        if len(key) > 1 and analysis.COMPOUND_RE.fullmatch(name.strip()):
            self._named[("".join(key),)].add((facet, value))  # "UR-GE" is also typed "URGE"

    def entities(self, words: tuple[str, ...]) -> list[tuple[str, str]]:
        """The (facet, value) pairs some name of which is exactly these query words, in facet order."""
        found = self._named.get(words_key(words), set())
        return sorted(found, key=lambda pair: (ENTITY_FACETS.index(pair[0]), pair[1]))

    def resolve(self, facet: str, text: str) -> list[str]:
        """The index's values of `facet` that `text` names (by value or any label), or UnknownFilterValue."""
        if facet not in self._labels:
            raise InvalidQuery(f"unknown facet {facet!r}; known: {', '.join(FACETS)}")
        if text in self.counts[facet]:
            return [text]
        found = self._labels[facet].get(label_key(text))
        if found:
            return sorted(found)
        raise UnknownFilterValue(facet, text, self.closest(facet, text), len(self.counts[facet]))

    def resolve_prefix(self, facet: str, prefix: str) -> list[str]:
        """Values of `facet` with a label starting with `prefix` (as typed before a `*`)."""
        key = label_key(prefix)
        found = {value for label, values in self._labels[facet].items() if label.startswith(key) for value in values}
        held = self.counts[facet]
        values = sorted(value for value in found if value in held or facet != "country")
        if not values:
            raise UnknownFilterValue(facet, prefix + "*", self.closest(facet, prefix), len(held))
        return values

    def closest(self, facet: str, text: str) -> list[str]:
        """Up to LISTED_VALUES values of the facet the index holds, the ones spelled most like `text` first."""
        held = self.counts[facet]
        best: dict[str, float] = dict.fromkeys(held, 0.0)
        labels = [label for label, values in self._labels[facet].items() if values & held.keys()]
        for label, score, _ in process.extract(label_key(text), labels, scorer=fuzz.WRatio, limit=None):
            for value in self._labels[facet][label] & held.keys():
                best[value] = max(best[value], score)
        return sorted(held, key=lambda value: (-best[value], -held[value], value))[:LISTED_VALUES]

    def resolve_filters(self, query: SearchQuery) -> SearchQuery:
        """`query` with each filter value replaced by the index values it names (UnknownFilterValue if none)."""
        filters = {
            facet: list(dict.fromkeys(value for given in values for value in self.resolve(facet, given)))
            for facet, values in query.filters.items()
        }
        return query.model_copy(update={"filters": filters})
