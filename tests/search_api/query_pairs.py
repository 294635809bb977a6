"""Documents and query pairs for Turkish morphology, spelling and cross-language entities.

Both queries of a pair must find the same (non-empty) set of documents. The documents are written for
kume (no real news copied) and use only what IndexDocument has always had, plus `names`, so
benchmarks/query_pairs.py can measure the same pairs on older code too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from search_api.contract import DateRange, IndexDocument

OASO = "Orta Anadolu Sanayi Odası"


def _name(facet: str, value: str, name: str) -> Any:
    # A plain dict: pydantic makes it an EntityName, and an IndexDocument of older code ignores it.
    return {"facet": facet, "value": value, "name": name}


def pair_documents() -> list[IndexDocument]:
    return [
        IndexDocument(
            id="tr-hali-egitim",
            url="https://karacay.example.org/haber/hali-egitim",
            source="karacay",
            language="tr",
            title="Halı kümesi firmalarına dış ticaret eğitimleri",
            body=(
                "Karaçay halılarının yurt dışı pazarlarda tanıtımı için UR-GE projesi kapsamında eğitimler "
                "düzenlendi. Halıcılar ve ihracatçılar eğitim programının ilk toplantısında bir araya geldi. "
                "Halıları Iğdır ve Kayseri fuarlarında sergilenecek."
            ),
            published=date(2024, 2, 14),
            country=["TR"],
            city=["Iğdır|TR", "Kayseri|TR"],
            sector=["C13"],
            program=["UR-GE"],
            project=["karacay-hali"],
            organization=["Karaçay Ticaret ve Sanayi Odası"],
            activity=["training"],
            names=[_name("organization", "Karaçay Ticaret ve Sanayi Odası", "Karaçay TSO")],
        ),
        IndexDocument(
            id="tr-oaso-heyet",
            url="https://oaso.example.org/tr/haber/ozbekistan-heyeti",
            source="oaso",
            language="tr",
            title="Makine imalatçılarımız Özbekistan'a ticaret heyeti düzenledi",
            body=(
                "Orta Anadolu Sanayi Odası (OASO) üyesi makine firmaları Taşkent'te ikili görüşmeler yaptı. "
                "Heyetlerimiz İĞDIR ve Kayseri'den yola çıktı; şirketler yeni projeler için anlaştı."
            ),
            published=date(2025, 2, 4),
            country=["UZ"],
            city=["Taşkent|UZ", "Kayseri|TR"],
            sector=["C28"],
            program=["UR-GE"],
            organization=[OASO],
            activity=["trade_delegation"],
            event_dates=[DateRange(start="2025-01-20", end="2025-01-24")],
            names=[
                _name("organization", OASO, "OASO"),
                _name("organization", OASO, "Central Anatolia Chamber of Industry"),
            ],
        ),
        IndexDocument(
            id="en-oaso-kazakhstan",
            url="https://oaso.example.org/en/news/kazakhstan",
            source="oaso",
            language="en",
            title="Rail systems cluster meets buyers in Kazakhstan",
            body=(
                "The Central Anatolia Chamber of Industry took eleven rail systems firms to Almaty within its "
                "URGE project. The companies held meetings with Kazakh buyers."
            ),
            published=date(2025, 3, 17),
            country=["KZ"],
            city=["Almatı|KZ"],
            sector=["C30"],
            program=["UR-GE"],
            organization=[OASO],
            activity=["b2b_meeting"],
            names=[
                _name("organization", OASO, "OASO"),
                _name("organization", OASO, "Central Anatolia Chamber of Industry"),
            ],
        ),
        IndexDocument(
            id="tr-igdir-proje",
            url="https://ticaret.example.org/haber/igdir-proje",
            source="ticaret-gov",
            language="tr",
            title="İğdır'da kümelenme projesi toplantısı",
            body=(
                "İğdır'daki toplantıda kümeler ve odaları temsil eden heyetleri ağırlayan proje ekibi, "
                "firmaların ihracatçı şirketlerle buluştuğu Ur-Ge sürecini anlattı."
            ),
            published=date(2023, 10, 3),
            country=["TR"],
            city=["Iğdır|TR"],
            program=["UR-GE"],
            organization=["Ticaret Bakanlığı"],
            activity=["needs_analysis"],
        ),
    ]


# Inflection, case, keyboard and compound spellings: each pair finds the same documents.
MORPHOLOGY_PAIRS = [
    ("eğitimler", "eğitim"),
    ("eğitimleri", "eğitim"),
    ("halılar", "halı"),
    ("halıları", "halı"),
    ("hali", "halı"),
    ("halilar", "halı"),
    ("projeler", "proje"),
    ("projesi", "proje"),
    ("toplantılar", "toplantı"),
    ("toplantısı", "toplantı"),
    ("firmalar", "firma"),
    ("heyetleri", "heyet"),
    ("fuarlar", "fuar"),
    ("kümeler", "küme"),
    ("odaları", "oda"),
    ("ihracatcilar", "ihracatçılar"),
    ("sirketler", "şirketler"),
    ("Kazakistan'a", "Kazakistan"),
    ("İğdır", "Iğdır"),
    ("IĞDIR", "Iğdır"),
    ("igdir", "Iğdır"),
    ("URGE", "UR-GE"),
    ("Ur-Ge", "UR-GE"),
    ("UR GE", "UR-GE"),
]

# A country, organisation or programme named in Turkish, in English or by acronym.
ENTITY_PAIRS = [
    ("Kazakhstan", "Kazakistan"),
    ("Uzbekistan", "Özbekistan"),
    ("Germany", "Almanya"),
    ("OASO", OASO),
    ("Central Anatolia Chamber of Industry", OASO),
    ('"Orta Anadolu Sanayi Odası"', "OASO"),
]
