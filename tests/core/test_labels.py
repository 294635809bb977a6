"""Labels beside codes: every code the extraction gives has a Turkish and an English label."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kume.labels import (
    activity_codes,
    activity_label,
    city_label,
    country_label,
    facet_label,
    language_label,
    program_label,
    project_label,
    province_label,
    sector_label,
)

NLP_DATA = Path(__file__).resolve().parents[2] / "nlp" / "data"


def _table(name: str) -> dict:
    return tomllib.loads((NLP_DATA / name).read_text(encoding="utf-8"))


def test_every_activity_of_the_vocabulary_has_labels_in_its_order() -> None:
    assert activity_codes() == list(_table("activities.toml"))
    assert activity_label("purchasing_delegation").model_dump() == {"tr": "Alım heyeti", "en": "Purchasing delegation"}


def test_every_programme_and_division_the_extraction_gives_has_labels() -> None:
    for code in [*_table("programs.toml")["programs"], "EU-FUNDED", "OTHER"]:
        assert program_label(code) is not None, code
    for code in _table("sectors.toml"):
        label = sector_label(code)
        assert label is not None and label.tr and label.en, code
    assert sector_label("C13").model_dump() == {"tr": "Tekstil ürünlerinin imalatı", "en": "Manufacture of textiles"}
    assert sector_label("Z99") is None


@pytest.mark.parametrize(
    ("label", "tr", "en"),
    [
        (country_label("DE"), "Almanya", "Germany"),
        (language_label("tr"), "Türkçe", "Turkish"),
        (city_label("Almatı|KZ"), "Almatı", "Almaty"),
        (city_label("Moskova", "RU"), "Moskova", "Moscow"),
        (province_label("İstanbul"), "İstanbul", "Istanbul"),
        (facet_label("country", "KZ"), "Kazakistan", "Kazakhstan"),
    ],
)
def test_countries_languages_and_cities_from_cldr_and_geonames(label, tr: str, en: str) -> None:
    assert (label.tr, label.en) == (tr, en)


def test_a_project_is_named_in_each_language_as_its_documents_name_it() -> None:
    names = {"tr": ["Mobilya UR-GE Projesi", "Mobilya UR-GE Projesi", "Odamızın Mobilya UR-GE Projesi"]}
    label = project_label("Furniture UR-GE Project", "24.UR-GE.001", names)
    assert (label.tr, label.en) == ("Mobilya UR-GE Projesi (24.UR-GE.001)", "Furniture UR-GE Project (24.UR-GE.001)")
    assert facet_label("organization", "Kayseri Ticaret Odası") is None  # its name is its label
