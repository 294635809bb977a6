"""Synthetic cluster-news documents shaped like the real ones, for index and load benchmarks.

Bodies are Turkish or English (about 3:1, as in the sources), roughly 150-600
words, assembled from phrases of real cluster-programme news: most sentences
are about the document's own activities, countries and sectors (so a word like
"alım heyeti" is about as frequent as purchasing delegations are), the rest are
phrases every such news item uses. Facets follow skewed (Zipf-like)
distributions so a few countries, sectors and sources dominate, as they do in
the crawl. Deterministic for a given seed.

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

# Phrases every kind of cluster news uses.
TR_COMMON = [
    "{org} koordinasyonunda yürütülen {program} projesi kapsamında {n} firma bir araya geldi",
    "toplantıda konuşan yönetim kurulu başkanı işbirliğinin önemine dikkat çekti",
    "proje süresince katılımcı firmaların ihracat hacminin artırılması hedefleniyor",
    "Ticaret Bakanlığı tarafından desteklenen proje üç yıl sürecek",
    "{company} genel müdürü yeni pazarlarda büyüme planlarını anlattı",
    "uluslararası rekabetçiliğin geliştirilmesi amacıyla kümelenme yaklaşımı benimsendi",
    "oda meclis üyeleri ve sektör temsilcileri programa katıldı",
    "{tcity} merkezli {n} şirketin yer aldığı kümede {sector} üreticileri öne çıkıyor",
]
EN_COMMON = [
    "within the {program} project coordinated by {org}, {n} companies took part",
    "the chairman of the board stressed the importance of cooperation",
    "the project aims to raise the export volume of the participating companies",
    "the project supported by the Ministry of Trade will run for three years",
    "the general manager of {company} described plans for growth in new markets",
    "a cluster approach was adopted to improve international competitiveness",
    "members of the chamber assembly and sector representatives attended",
    "{sector} producers lead the cluster of {n} firms based in {tcity}",
]
# Phrases about one kind of activity, so activity words are as rare as the activity.
TR_ACTIVITY = {
    "trade_delegation": [
        "{country} pazarına yönelik ticaret heyeti {city} kentinde temaslarda bulundu",
        "heyet programında fuar ziyareti, sektörel toplantılar ve fabrika ziyaretleri yer aldı",
        "{country}'daki distribütörlerle yapılan görüşmelerde yeni siparişler konuşuldu",
    ],
    "b2b_meeting": [
        "{sector} firmaları {city} kentinde {n} ikili iş görüşmesi gerçekleştirdi",
        "eşleştirme toplantılarında alıcılar ile üreticiler bir araya getirildi",
    ],
    "purchasing_delegation": [
        "alım heyeti programı çerçevesinde {country} firmaları {tcity} ziyaret etti",
        "yabancı alıcılar üretim tesislerini gezerek numune talep etti",
    ],
    "training": [
        "dış ticaret, e-ihracat ve markalaşma eğitimleri {n} saat sürdü",
        "eğitim programında gümrük mevzuatı ve pazar araştırması anlatıldı",
    ],
    "needs_analysis": [
        "ihtiyaç analizi çalışması tamamlanarak yol haritası belirlendi",
        "firmaların güçlü ve zayıf yönleri anket ve saha ziyaretleriyle incelendi",
    ],
    "fair_participation": [
        "firmalar {city} fuarında milli katılım standında ürünlerini sergiledi",
        "fuar süresince {n} ziyaretçi stantları gezdi",
    ],
    "consultancy": [
        "danışmanlık hizmeti kapsamında firmalara dijital pazarlama desteği verildi",
        "uzman danışmanlar ihracat stratejisi raporlarını firmalarla paylaştı",
    ],
    "opening": [
        "kümelenme projesinin açılış toplantısı yoğun katılımla gerçekleştirildi",
        "açılış töreninde projenin hedefleri ve takvimi paylaşıldı",
    ],
}
EN_ACTIVITY = {
    "trade_delegation": [
        "a trade delegation to {country} held talks in {city}",
        "the delegation visited the fair, attended sector meetings and toured factories",
        "meetings with distributors in {country} discussed new orders",
    ],
    "b2b_meeting": [
        "{sector} companies held {n} business-to-business meetings in {city}",
        "matchmaking sessions brought buyers and manufacturers together",
    ],
    "purchasing_delegation": [
        "a purchasing delegation of firms from {country} visited producers in {tcity}",
        "foreign buyers toured the plants and requested samples",
    ],
    "training": [
        "trainings on foreign trade, e-export and branding lasted {n} hours",
        "the training covered customs regulations and market research",
    ],
    "needs_analysis": [
        "the needs analysis was completed and a roadmap agreed",
        "surveys and site visits examined the strengths and weaknesses of the firms",
    ],
    "fair_participation": [
        "companies exhibited at the national pavilion of the fair in {city}",
        "{n} visitors toured the stands during the fair",
    ],
    "consultancy": [
        "consultancy services gave the firms digital marketing support",
        "expert consultants shared export strategy reports with the companies",
    ],
    "opening": [
        "the opening meeting of the cluster project was held with broad participation",
        "the goals and timetable of the project were presented at the opening ceremony",
    ],
}
COMPANY_STEMS = [
    "Ege",
    "Anadolu",
    "Marmara",
    "Toros",
    "Yıldız",
    "Akdeniz",
    "Kuzey",
    "Doğa",
    "Atlas",
    "Piri",
    "Kaya",
    "Deniz",
]
COMPANY_KINDS = ["Tekstil", "Makina", "Gıda", "Plastik", "Metal", "Mobilya", "Kimya", "Yazılım", "Deri", "Seramik"]


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
    activities = _sample(rng, ACTIVITIES, 2)
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
    common, by_activity, country_names, sector_words = (
        (TR_COMMON, TR_ACTIVITY, COUNTRY_NAMES_TR, SECTOR_WORDS_TR)
        if turkish
        else (EN_COMMON, EN_ACTIVITY, COUNTRY_NAMES_EN, SECTOR_WORDS_EN)
    )
    topical = [phrase for activity in activities for phrase in by_activity[activity]]
    sentences = []
    for _ in range(rng.randint(12, 45)):
        code = rng.choice(countries)
        template = rng.choice(topical if rng.random() < 0.6 else common)
        sentence = template.format(
            org=rng.choice(organizations),
            program=rng.choice(programs),
            country=country_names[code],
            sector=sector_words[SECTORS.index(rng.choice(sectors))],
            city=CITIES[code][0],
            tcity=turkish_city,
            company=f"{rng.choice(COMPANY_STEMS)} {rng.choice(COMPANY_KINDS)} A.Ş.",
            n=rng.randint(3, 120),
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
        project=[f"{rng.choice(programs)}-{rng.randint(1, 400)}"],
        organization=organizations,
        activity=activities,
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
