"""Synthetic cluster-news documents shaped like the real ones, for index and load benchmarks.

Bodies are Turkish or English (about 3:1, as in the sources), 150-600 words,
assembled from phrases of real cluster-programme news; facets follow skewed
(Zipf-like) distributions so a few countries, sectors and sources dominate, as
they do in the crawl. Deterministic for a given seed.

    python benchmarks/synthetic_docs.py --docs 5 > docs.jsonl
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from search_api.contract import DateRange, IndexDocument

COUNTRIES = ["DE", "KZ", "AZ", "US", "GB", "FR", "IT", "NL", "RU", "IQ", "SA", "AE", "UZ", "PL", "ES", "EG", "KE", "NG"]
COUNTRY_NAMES_TR = {
    "DE": "Almanya",
    "KZ": "Kazakistan",
    "AZ": "Azerbaycan",
    "US": "ABD",
    "GB": "İngiltere",
    "FR": "Fransa",
    "IT": "İtalya",
    "NL": "Hollanda",
    "RU": "Rusya",
    "IQ": "Irak",
    "SA": "Suudi Arabistan",
    "AE": "BAE",
    "UZ": "Özbekistan",
    "PL": "Polonya",
    "ES": "İspanya",
    "EG": "Mısır",
    "KE": "Kenya",
    "NG": "Nijerya",
}
COUNTRY_NAMES_EN = {
    "DE": "Germany",
    "KZ": "Kazakhstan",
    "AZ": "Azerbaijan",
    "US": "the USA",
    "GB": "the United Kingdom",
    "FR": "France",
    "IT": "Italy",
    "NL": "the Netherlands",
    "RU": "Russia",
    "IQ": "Iraq",
    "SA": "Saudi Arabia",
    "AE": "the UAE",
    "UZ": "Uzbekistan",
    "PL": "Poland",
    "ES": "Spain",
    "EG": "Egypt",
    "KE": "Kenya",
    "NG": "Nigeria",
}
CITIES = {
    "DE": ["Berlin", "Düsseldorf", "Köln"],
    "KZ": ["Almatı", "Astana"],
    "AZ": ["Bakü"],
    "US": ["Chicago", "New York"],
    "GB": ["Londra"],
    "FR": ["Paris", "Lyon"],
    "IT": ["Milano"],
    "NL": ["Amsterdam"],
    "RU": ["Moskova"],
    "IQ": ["Erbil", "Bağdat"],
    "SA": ["Riyad"],
    "AE": ["Dubai"],
    "UZ": ["Taşkent"],
    "PL": ["Varşova"],
    "ES": ["Madrid"],
    "EG": ["Kahire"],
    "KE": ["Nairobi"],
    "NG": ["Lagos"],
}
TURKISH_CITIES = ["İstanbul", "İzmir", "Ankara", "Bursa", "Gaziantep", "Denizli", "Kayseri", "Konya", "Adana", "Iğdır"]
SECTORS = ["C13", "C14", "C10", "C28", "C22", "C25", "C27", "C29", "C15", "C31", "C20", "C23", "J62", "A01"]
SECTOR_WORDS_TR = [
    "tekstil",
    "hazır giyim",
    "gıda",
    "makine",
    "plastik",
    "metal",
    "elektrik",
    "otomotiv yan sanayi",
    "deri",
    "mobilya",
    "kimya",
    "seramik",
    "yazılım",
    "tarım",
]
SECTOR_WORDS_EN = [
    "textile",
    "apparel",
    "food",
    "machinery",
    "plastics",
    "metal",
    "electrical equipment",
    "automotive supply",
    "leather",
    "furniture",
    "chemicals",
    "ceramics",
    "software",
    "agriculture",
]
PROGRAMS = ["UR-GE", "KOBI-KUMELENME", "EU-FUNDED", "TURQUALITY", "OTHER"]
ACTIVITIES = [
    "trade_delegation",
    "b2b_meeting",
    "purchasing_delegation",
    "training",
    "needs_analysis",
    "fair_participation",
    "consultancy",
    "opening",
]
SOURCES = ["ito", "izto", "gto", "kayso", "deniztso", "btso", "ticaret-gov", "tim", "uib", "aib", "oaib", "kosgeb"]
ORGANIZATIONS = [
    "İstanbul Ticaret Odası",
    "İzmir Ticaret Odası",
    "Gaziantep Sanayi Odası",
    "Ticaret Bakanlığı",
    "Türkiye İhracatçılar Meclisi",
    "Uludağ İhracatçı Birlikleri",
    "KOSGEB",
    "Avrupa Birliği Türkiye Delegasyonu",
    "Denizli Ticaret Odası",
    "Kayseri Sanayi Odası",
]

TR_PHRASES = [
    "{org} koordinasyonunda yürütülen {program} projesi kapsamında",
    "{country}'ya yönelik ticaret heyeti düzenlendi",
    "{sector} sektöründe faaliyet gösteren firmalarımız {city} kentinde ikili iş görüşmeleri gerçekleştirdi",
    "ihracatçılarımız yeni pazarlara açılmak için önemli temaslarda bulundu",
    "alım heyeti programı çerçevesinde yabancı firmalar {tcity} ziyaret etti",
    "ihtiyaç analizi çalışmaları tamamlanarak eğitim ve danışmanlık programı belirlendi",
    "kümelenme projesinin açılış toplantısı yoğun katılımla gerçekleştirildi",
    "firmaların dış ticaret kapasitesini artırmaya yönelik eğitimler verildi",
    "Kazakistan'ımıza ve Orta Asya pazarına yönelik fırsatlar değerlendirildi",
    "proje süresince katılımcı firmaların ihracat hacminin artırılması hedefleniyor",
    "heyet programında fuar ziyareti, sektörel toplantılar ve firma ziyaretleri yer aldı",
    "Ticaret Bakanlığı tarafından desteklenen proje üç yıl sürecek",
    "toplantıda konuşan yönetim kurulu başkanı işbirliğinin önemine dikkat çekti",
    "{city} pazarında {sector} ürünlerine yönelik talep artıyor",
    "uluslararası rekabetçiliğin geliştirilmesi amacıyla kümelenme yaklaşımı benimsendi",
]
EN_PHRASES = [
    "within the {program} project coordinated by {org}",
    "a trade delegation to {country} was organised for member companies",
    "companies from the {sector} sector held business-to-business meetings in {city}",
    "exporters explored new markets and met potential buyers",
    "a purchasing delegation from abroad visited producers in {tcity}",
    "the needs analysis was completed and a training and consultancy plan agreed",
    "the opening meeting of the cluster project was held with broad participation",
    "trainings on foreign trade capacity were delivered to participating firms",
    "the chambers of commerce and industry supported the programme",
    "the project aims to raise the export volume of the participating companies",
    "the delegation visited the fair, attended sector meetings and toured factories",
    "the project supported by the Ministry of Trade will run for three years",
    "the chairman of the board stressed the importance of cooperation",
    "demand for {sector} products is growing in the {city} market",
    "a cluster approach was adopted to improve international competitiveness",
]


def _zipf_choice(rng: random.Random, items: Sequence[str], skew: float = 1.1) -> str:
    weights = [1 / (rank**skew) for rank in range(1, len(items) + 1)]
    return rng.choices(items, weights=weights, k=1)[0]


def _sample(rng: random.Random, items: Sequence[str], most: int) -> list[str]:
    return list(dict.fromkeys(_zipf_choice(rng, items) for _ in range(rng.randint(1, most))))


def synthetic_document(number: int, rng: random.Random) -> IndexDocument:
    """One synthetic document; `number` makes its id and URL unique."""
    turkish = rng.random() < 0.75
    countries = _sample(rng, COUNTRIES, 3)
    sectors = _sample(rng, SECTORS, 2)
    programs = _sample(rng, PROGRAMS, 2)
    source = _zipf_choice(rng, SOURCES, 0.8)
    organizations = _sample(rng, ORGANIZATIONS, 3)
    turkish_city = _zipf_choice(rng, TURKISH_CITIES)
    cities = [f"{rng.choice(CITIES[code])}|{code}" for code in countries] + [f"{turkish_city}|TR"]
    published = date(2016, 1, 1) + timedelta(days=rng.randint(0, 365 * 9))
    event_start = published - timedelta(days=rng.randint(0, 60))
    events = [
        DateRange(start=event_start.isoformat(), end=(event_start + timedelta(days=rng.randint(0, 6))).isoformat())
    ]
    if rng.random() < 0.2:
        later = published + timedelta(days=rng.randint(20, 200))
        events.append(DateRange(start=later.strftime("%Y-%m"), end=later.strftime("%Y-%m")))
    phrases, country_names, sector_words = (
        (TR_PHRASES, COUNTRY_NAMES_TR, SECTOR_WORDS_TR) if turkish else (EN_PHRASES, COUNTRY_NAMES_EN, SECTOR_WORDS_EN)
    )
    sentences = []
    for _ in range(rng.randint(15, 55)):
        code = rng.choice(countries)
        sentence = rng.choice(phrases).format(
            org=rng.choice(organizations),
            program=rng.choice(programs),
            country=country_names[code],
            sector=sector_words[SECTORS.index(rng.choice(sectors))],
            city=CITIES[code][0],
            tcity=turkish_city,
        )
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    title = sentences[0].rstrip(".")
    return IndexDocument(
        id=f"syn{number:08d}",
        url=f"https://{source}.example.org/haber/{number}",
        source=source,
        language="tr" if turkish else "en",
        title=title,
        body=" ".join(sentences[1:]),
        published=published,
        country=countries,
        city=cities,
        sector=sectors,
        program=programs,
        project=[f"{rng.choice(programs)}-{rng.randint(1, max(1, 400))}"],
        organization=organizations,
        activity=_sample(rng, ACTIVITIES, 3),
        event_dates=events,
    )


def synthetic_documents(count: int, seed: int = 7) -> Iterator[IndexDocument]:
    rng = random.Random(seed)
    for number in range(count):
        yield synthetic_document(number, rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for doc in synthetic_documents(args.docs, args.seed):
        sys.stdout.write(doc.model_dump_json() + "\n")


if __name__ == "__main__":
    main()
