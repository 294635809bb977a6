"""A small corpus of project-output news, written for kume's tests, and the numbers a person counts in it.

Every chamber, association, newspaper, person and figure is invented (countries, cities and the UR-GE
programme are real). The texts are ingested through the real write side (`Writer.ingest`: store, extract,
link, events, index), oldest first, as a crawl would bring them.

What a person counts by hand, per project. An event told by several documents counts once; an announced
event a later document reports as held is one done event; countries are those of done events; firms are
stated per event (the scoreboard sums them over done events).

Home textiles: "Ev Tekstili UR-GE Projesi" = "Home Textiles UR-GE Project", 23.UR-GE.077, coordinated by
Pamukkale TSO (PTSO), province Denizli; source documents 5 (the four below and bakanlik-rapor).
    done  training              1   firms 22   tekstil-duyuru
    done  trade_delegation      1   firms 14   textile-newspaper, tekstil-heyet-birlik, tekstil-heyet-oda
    done  b2b_meetings          1   firms 14   tekstil-heyet-oda
    planned 0; countries reached KE, TZ
Furniture: "Mobilya UR-GE Projesi" = "Furniture UR-GE Project", no code, coordinated by KUMSO, province Düzce;
source documents 3.
    done  trade_delegation      1   firms 9    mobilya-duyuru (planned), mobilya-heyet (done)
    done  b2b_meetings          1   firms 9    mobilya-duyuru (planned), mobilya-heyet (done)
    done  purchasing_delegation 1   firms 12   furniture-buyers (the foreign buyers' firms)
    planned 0; countries reached PL, AZ, GE
Farm machinery: "Tarım Makineleri UR-GE Projesi", 24.UR-GE.015, coordinated by Konya Makine İmalatçıları
Derneği, province Konya; source documents 1 (bakanlik-rapor).
    done  needs_analysis        1   firms 16
    done  trade_delegation      1   firms 11
    done  b2b_meetings          1   firms 11
    planned trade_delegation 1 (KZ); countries reached UZ
Olive oil: "Zeytinyağı UR-GE Projesi", 22.UR-GE.203, coordinated by Ayvalık Ticaret Odası, province Balıkesir;
source documents 1 (bakanlik-rapor).
    done  fair                  1   firms 7
    planned 0; countries reached JP

Four projects, eleven events (ten done, one planned); `HAND_COUNT` holds the same numbers for the tests.
The ministry's annual report (bakanlik-rapor) tells the machinery and olive-oil projects in their own
paragraphs (nothing of one may reach the other) and the home-textile project's training again without a
fact of its own (no event). The home-textile trip is told by the chamber (TR, with the code), the exporters'
association (TR, "Ekim 2024") and a newspaper (EN, its dates in another paragraph than its delegation); the
furniture project is named in Turkish by its chamber's news and in English by its chamber's English page;
the purchasing delegation is foreign buyers visiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kume.config import Settings
from kume.store import Store
from nlp.pipeline import Extractor
from pipeline.ingest import IngestRequest
from pipeline.writer import Writer
from search_api.backends.embedded import EmbeddedBackend


@dataclass(frozen=True)
class Article:
    key: str
    url: str
    source: str
    published: date
    language: str
    title: str
    body: str


ARTICLES = [
    Article(
        key="tekstil-duyuru",
        url="https://pamukkaletso.example/haber/ev-tekstili-urge-ihracat-egitimi",
        source="pamukkale-tso",
        published=date(2024, 6, 20),
        language="tr",
        title="Ev Tekstili UR-GE Projemizde İhracat Pazarlaması Eğitimi Tamamlandı",
        body=(
            "Pamukkale Ticaret ve Sanayi Odası (PTSO) tarafından yürütülen Ev Tekstili UR-GE Projesi "
            "(23.UR-GE.077) kapsamında 17-19 Haziran 2024 tarihlerinde Denizli'de dış pazarlara açılma "
            "eğitimi düzenlendi. Üç gün süren eğitime 22 firmanın temsilcileri katıldı.\n\n"
            "Eğitimde Doğu Afrika pazarlarının yapısı, dağıtım kanalları ve ihracat fiyatlandırması "
            "anlatıldı. PTSO Yönetim Kurulu Başkanı Hüseyin Ertan, eğitime katılan firmaların bölgeye "
            "yönelik ihracat planlarını hazırlamaya başladığını söyledi."
        ),
    ),
    Article(
        key="textile-newspaper",
        url="https://aegeanherald.example/business/denizli-home-textile-makers-in-east-africa",
        source="aegean-herald",
        published=date(2024, 10, 19),
        language="en",
        title="Denizli home textile makers look to East Africa",
        body=(
            "A group of home textile manufacturers from Denizli held talks with wholesalers and hotel "
            "suppliers in Nairobi and Dar es Salaam on 15-18 October 2024.\n\n"
            "The trade delegation to Kenya and Tanzania was organised by the Pamukkale Chamber of Commerce "
            "and Industry (PTSO) under its Home Textiles UR-GE Project, which is supported by Türkiye's "
            "Ministry of Trade. Fourteen companies took part, bringing towels, bed linen and curtains.\n\n"
            "Buyers in the region increasingly turn to Turkish suppliers for shorter delivery times, said "
            "Selin Akgün, an export consultant who travelled with the group."
        ),
    ),
    Article(
        key="tekstil-heyet-birlik",
        url="https://batiegeihracat.example/haberler/ev-tekstili-heyeti-kenya-tanzanya",
        source="bati-ege-ib",
        published=date(2024, 10, 21),
        language="tr",
        title="Ev Tekstili Sektörü Kenya ve Tanzanya'da",
        body=(
            "Batı Ege Tekstil İhracatçıları Birliği üyelerinin de yer aldığı ticaret heyeti, Ekim 2024'te "
            "Kenya ve Tanzanya'yı ziyaret etti. Pamukkale TSO koordinasyonunda yürütülen Ev Tekstili UR-GE "
            "Projesi kapsamındaki heyete 14 firma katıldı.\n\n"
            "Birlik Başkanı Tülay Sarıgöz, Doğu Afrika'nın ev tekstili ithalatının her yıl büyüdüğünü, "
            "Türk firmalarının bölgede kalite ve teslim süresiyle öne çıktığını belirtti."
        ),
    ),
    Article(
        key="tekstil-heyet-oda",
        url="https://pamukkaletso.example/haber/ev-tekstili-urge-heyeti-dogu-afrikada",
        source="pamukkale-tso",
        published=date(2024, 10, 24),
        language="tr",
        title="Ev Tekstili UR-GE Heyetimiz Doğu Afrika'da",
        body=(
            "Odamızın yürüttüğü Ev Tekstili UR-GE Projesi (23.UR-GE.077) kapsamında 14 firmamız, 14-18 "
            "Ekim 2024 tarihlerinde Kenya ve Tanzanya'ya ticaret heyeti gerçekleştirdi. Nairobi ve "
            "Darüsselam'da toptancılar, otel tedarikçileri ve zincir mağazalarla toplam 160 ikili iş "
            "görüşmesi yapıldı.\n\n"
            "PTSO Yönetim Kurulu Başkanı Hüseyin Ertan, heyetin ardından iki firmanın Kenya'da distribütör "
            "anlaşması imzaladığını açıkladı."
        ),
    ),
    Article(
        key="mobilya-duyuru",
        url="https://kumso.example/haberler/mobilya-urge-polonya-heyeti-duyurusu",
        source="kumso",
        published=date(2024, 4, 2),
        language="tr",
        title="Mobilya UR-GE Projemiz Kapsamında Polonya Ticaret Heyeti",
        body=(
            "Kuzey Marmara Sanayi Odası (KUMSO) tarafından yürütülen Mobilya UR-GE Projesi kapsamında "
            "Mayıs 2024'te Polonya'ya bir ticaret heyeti düzenlenecektir. Heyette Varşova ve Poznan'da "
            "mobilya ithalatçıları ve perakende zincirleriyle ikili görüşmeler yapılacaktır.\n\n"
            "Heyete katılmak isteyen Düzce'deki proje firmalarının 20 Nisan 2024'e kadar Odamıza "
            "başvurması gerekmektedir."
        ),
    ),
    Article(
        key="mobilya-heyet",
        url="https://kumso.example/haberler/mobilya-firmalarimiz-polonyada",
        source="kumso",
        published=date(2024, 5, 24),
        language="tr",
        title="Mobilya Firmalarımız Polonya'da",
        body=(
            "Mobilya UR-GE Projemiz kapsamında 9 firmamız 13-16 Mayıs 2024 tarihlerinde Polonya'ya "
            "ticaret heyeti gerçekleştirdi. Varşova ve Poznan'da düzenlenen ikili iş görüşmelerinde firmalarımız "
            "yatak odası ve oturma grubu koleksiyonlarını tanıttı.\n\n"
            "KUMSO Meclis Başkanı Orhan Yeşiltepe, Düzce'nin mobilya ihracatında Polonya'nın hızla "
            "büyüyen bir pazar olduğunu vurguladı."
        ),
    ),
    Article(
        key="furniture-buyers",
        url="https://kumso.example/en/news/furniture-buyers-from-azerbaijan-and-georgia",
        source="kumso",
        published=date(2024, 9, 13),
        language="en",
        title="Furniture Buyers from Azerbaijan and Georgia Visit Düzce",
        body=(
            "Under the Furniture UR-GE Project of the North Marmara Chamber of Industry (KUMSO), a "
            "purchasing delegation of 12 furniture importers from Azerbaijan and Georgia visited Düzce on "
            "9-11 September 2024.\n\n"
            "The buyers from Baku and Tbilisi toured the project firms' factories and held one-to-one "
            "talks on hotel and office furniture."
        ),
    ),
    Article(
        key="bakanlik-rapor",
        url="https://ticaret.example/yayinlar/urge-2024-faaliyet-raporu",
        source="bakanlik",
        published=date(2025, 1, 20),
        language="tr",
        title="UR-GE Projeleri 2024 Yılı Faaliyet Raporu",
        body=(
            "Uluslararası Rekabetçiliğin Geliştirilmesi (UR-GE) programı kapsamında 2024 yılında "
            "desteklenen projelerden öne çıkanlar aşağıda özetlenmiştir.\n\n"
            "Konya Makine İmalatçıları Derneği tarafından yürütülen Tarım Makineleri UR-GE Projesi "
            "(24.UR-GE.015) kapsamında Şubat 2024'te 16 firmanın katılımıyla ihtiyaç analizi "
            "tamamlanmıştır. 11 proje firması 8-12 Nisan 2024 tarihlerinde Özbekistan'a ticaret "
            "heyeti gerçekleştirmiş ve Taşkent'te ikili görüşmeler yapmıştır. Projenin 2025 yılında "
            "Kazakistan'a bir ticaret heyeti düzenlemesi planlanmaktadır.\n\n"
            "Ayvalık Ticaret Odası tarafından yürütülen Zeytinyağı UR-GE Projesi (22.UR-GE.203) "
            "kapsamında 7 firma, 5-8 Mart 2024 tarihlerinde Tokyo'da düzenlenen Foodex Japan fuarına "
            "milli katılım sağlamıştır.\n\n"
            "Pamukkale TSO'nun yürüttüğü Ev Tekstili UR-GE Projesi (23.UR-GE.077) kapsamındaki eğitim "
            "programı da yıl içinde tamamlanmıştır."
        ),
    ),
]


@dataclass(frozen=True)
class CountedEvent:
    """One event as a person counts it: told by the articles `sources` (keys)."""

    activity: str
    status: str
    firms: int | None
    countries: frozenset[str]
    sources: frozenset[str]


@dataclass(frozen=True)
class CountedProject:
    """One project as a person counts it in the corpus (the table above)."""

    code: str | None
    names: frozenset[str]
    coordinator: str
    province: str
    documents: frozenset[str]
    events: tuple[CountedEvent, ...]

    @property
    def done_by_activity(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for event in self.events:
            if event.status == "done":
                counts[event.activity] = counts.get(event.activity, 0) + 1
        return counts

    @property
    def planned(self) -> int:
        return sum(event.status == "planned" for event in self.events)

    @property
    def countries_reached(self) -> frozenset[str]:
        return frozenset(c for event in self.events if event.status == "done" for c in event.countries)

    @property
    def firms(self) -> int:
        """Firms summed over done events, as the scoreboard sums them."""
        return sum(event.firms or 0 for event in self.events if event.status == "done")


def _event(activity: str, status: str, firms: int | None, countries: str, *sources: str) -> CountedEvent:
    return CountedEvent(activity, status, firms, frozenset(countries.split()), frozenset(sources))


HAND_COUNT = (
    CountedProject(
        code="23.UR-GE.077",
        names=frozenset({"Ev Tekstili UR-GE Projesi", "Home Textiles UR-GE Project"}),
        coordinator="Pamukkale Ticaret ve Sanayi Odası",
        province="Denizli",
        documents=frozenset(
            {"tekstil-duyuru", "textile-newspaper", "tekstil-heyet-birlik", "tekstil-heyet-oda", "bakanlik-rapor"}
        ),
        events=(
            _event("training", "done", 22, "", "tekstil-duyuru"),
            _event(
                "trade_delegation",
                "done",
                14,
                "KE TZ",
                "textile-newspaper",
                "tekstil-heyet-birlik",
                "tekstil-heyet-oda",
            ),
            _event("b2b_meetings", "done", 14, "KE TZ", "tekstil-heyet-oda"),
        ),
    ),
    CountedProject(
        code=None,
        names=frozenset({"Mobilya UR-GE Projesi", "Furniture UR-GE Project"}),
        coordinator="Kuzey Marmara Sanayi Odası",
        province="Düzce",
        documents=frozenset({"mobilya-duyuru", "mobilya-heyet", "furniture-buyers"}),
        events=(
            _event("trade_delegation", "done", 9, "PL", "mobilya-duyuru", "mobilya-heyet"),
            _event("b2b_meetings", "done", 9, "PL", "mobilya-duyuru", "mobilya-heyet"),
            _event("purchasing_delegation", "done", 12, "AZ GE", "furniture-buyers"),
        ),
    ),
    CountedProject(
        code="24.UR-GE.015",
        names=frozenset({"Tarım Makineleri UR-GE Projesi"}),
        coordinator="Konya Makine İmalatçıları Derneği",
        province="Konya",
        documents=frozenset({"bakanlik-rapor"}),
        events=(
            _event("needs_analysis", "done", 16, "", "bakanlik-rapor"),
            _event("trade_delegation", "done", 11, "UZ", "bakanlik-rapor"),
            _event("b2b_meetings", "done", 11, "UZ", "bakanlik-rapor"),
            _event("trade_delegation", "planned", None, "KZ", "bakanlik-rapor"),
        ),
    ),
    CountedProject(
        code="22.UR-GE.203",
        names=frozenset({"Zeytinyağı UR-GE Projesi"}),
        coordinator="Ayvalık Ticaret Odası",
        province="Balıkesir",
        documents=frozenset({"bakanlik-rapor"}),
        events=(_event("fair", "done", 7, "JP", "bakanlik-rapor"),),
    ),
)


def ingest(writer: Writer, articles: list[Article] = ARTICLES) -> dict[str, str]:
    """Ingest the articles oldest first through the real write side; their document ids by key."""
    ids = {}
    for article in sorted(articles, key=lambda a: a.published):
        result = writer.ingest(
            IngestRequest(
                url=article.url,
                title=article.title,
                body=article.body,
                source=article.source,
                published=article.published,
                language=article.language,
            )
        )
        ids[article.key] = result.id
    return ids


@contextmanager
def corpus_writer(data_dir: Path, extractor: Extractor) -> Iterator[Writer]:
    """A writer over a new store and embedded index in `data_dir`, extracting with `extractor`."""
    settings = Settings(data_dir=data_dir)
    backend = EmbeddedBackend(settings.embedded_index_path)
    try:
        with Store(settings.store_path) as store:
            yield Writer(settings, store, backend, extractor=extractor)
    finally:
        backend.close()
