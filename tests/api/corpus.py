"""A small hand-annotated corpus of cluster-programme news: test data for the API.

Each document's facts are written by hand (what the nlp pipeline should find),
with spans located in the document text, so the API tests do not depend on the
extractor's accuracy. The store and the backend under test are real.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from kume.schema import (
    ActivityFact,
    CountryFact,
    DateFact,
    Extraction,
    OrganizationFact,
    Page,
    ProgramFact,
    ProjectFact,
    ProjectRecord,
    SectorFact,
    Span,
)
from kume.store import Store


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    code: str | None
    program: str
    coordinator: str
    sector: str


CARPETS = Project(
    "p-demirci-hali",
    "Demirci Halıları İhracat Kapasitesini Artırmaya Yönelik Kümeleme Projesi",
    "21.UR-GE.016",
    "UR-GE",
    "Demirci Ticaret ve Sanayi Odası",
    "C13",
)
CHEMICALS = Project(
    "p-kimya",
    "Kimya Sektörü Orta Asya Pazarlarına Açılım Projesi",
    "22.UR-GE.004",
    "UR-GE",
    "İstanbul Kimyevi Maddeler ve Mamulleri İhracatçıları Birliği",
    "C20",
)
RAIL = Project(
    "p-arus-rail",
    "ARUS Rail Cluster Internationalisation Project",
    None,
    "EU-FUNDED",
    "Anatolian Rail Transportation Systems Cluster",
    "C30",
)
PROJECTS = (CARPETS, CHEMICALS, RAIL)


@dataclass
class Article:
    url: str
    source: str
    language: str
    published: date | None
    title: str
    body: str
    countries: dict[str, str] = field(default_factory=dict)  # code -> surface form in the text
    sectors: dict[str, str] = field(default_factory=dict)
    programs: dict[str, str] = field(default_factory=dict)
    project: Project | None = None
    project_surface: str | None = None
    organizations: list[str] = field(default_factory=list)
    activities: dict[str, str] = field(default_factory=dict)
    event_dates: list[tuple[str, str, str]] = field(default_factory=list)  # start, end, surface

    @property
    def text(self) -> str:
        return f"{self.title}\n\n{self.body}"


ARTICLES = [
    Article(
        url="https://demircitso.org.tr/haberler/urge-kazakistan-ticaret-heyeti",
        source="demirci-tso",
        language="tr",
        published=date(2023, 7, 20),
        title="Demirci Halıları UR-GE Projesi kapsamında Kazakistan'a ticaret heyeti",
        body=(
            "Demirci Ticaret ve Sanayi Odası, Demirci Halıları İhracat Kapasitesini Artırmaya Yönelik Kümeleme "
            "Projesi (21.UR-GE.016) kapsamında 09-15 Temmuz 2023 tarihleri arasında Kazakistan'a bir ticaret "
            "heyeti düzenledi. Almatı ve Çimkent şehirlerinde Kazak halı firmaları ile B2B görüşmeleri yapıldı. "
            "Halı üreticilerimiz ürünlerini tanıttı."
        ),
        countries={"KZ": "Kazakistan'a"},
        sectors={"C13": "halı"},
        programs={"UR-GE": "UR-GE"},
        project=CARPETS,
        project_surface="Demirci Halıları İhracat Kapasitesini Artırmaya Yönelik Kümeleme Projesi",
        organizations=["Demirci Ticaret ve Sanayi Odası"],
        activities={"trade_delegation": "ticaret heyeti", "b2b_meetings": "B2B görüşmeleri"},
        event_dates=[("2023-07-09", "2023-07-15", "09-15 Temmuz 2023")],
    ),
    Article(
        url="https://demircitso.org.tr/haberler/urge-ihtiyac-analizi-egitim",
        source="demirci-tso",
        language="tr",
        published=date(2022, 11, 25),
        title="Halı kümesi firmalarına ihtiyaç analizi ve dış ticaret eğitimi",
        body=(
            "UR-GE desteğiyle yürütülen Demirci Halıları İhracat Kapasitesini Artırmaya Yönelik Kümeleme Projesi "
            "kapsamında Kasım 2022'de "
            "firmaların ihtiyaç analizi tamamlandı ve dış ticaret eğitimi verildi. Demirci Ticaret ve Sanayi Odası "
            "eğitimlerin Rusya ve Kazakistan pazarlarına hazırlık olduğunu açıkladı."
        ),
        countries={"RU": "Rusya", "KZ": "Kazakistan"},
        sectors={"C13": "Halı"},
        programs={"UR-GE": "UR-GE"},
        project=CARPETS,
        project_surface="Demirci Halıları İhracat Kapasitesini Artırmaya Yönelik Kümeleme Projesi",
        organizations=["Demirci Ticaret ve Sanayi Odası"],
        activities={"needs_analysis": "ihtiyaç analizi", "training": "eğitimi"},
        event_dates=[("2022-11", "2022-11", "Kasım 2022")],
    ),
    Article(
        url="https://www.ikmib.org.tr/haber/kimya-alim-heyeti-2024",
        source="ikmib",
        language="tr",
        published=date(2024, 3, 14),
        title="Kimya sektörüne Rusya ve Kazakistan'dan alım heyeti",
        body=(
            "İstanbul Kimyevi Maddeler ve Mamulleri İhracatçıları Birliği, Kimya Sektörü Orta Asya Pazarlarına "
            "Açılım Projesi (22.UR-GE.004) kapsamında 12 Mart 2024'te Rusya ve Kazakistan'dan gelen alım heyetini "
            "İstanbul'da ağırladı. Boya ve plastik hammaddesi üreten firmalar ikili iş görüşmeleri yaptı."
        ),
        countries={"RU": "Rusya", "KZ": "Kazakistan'dan"},
        sectors={"C20": "Kimya"},
        programs={"UR-GE": "UR-GE"},
        project=CHEMICALS,
        project_surface="Kimya Sektörü Orta Asya Pazarlarına Açılım Projesi",
        organizations=["İstanbul Kimyevi Maddeler ve Mamulleri İhracatçıları Birliği"],
        activities={"purchasing_delegation": "alım heyeti", "b2b_meetings": "ikili iş görüşmeleri"},
        event_dates=[("2024-03-12", "2024-03-12", "12 Mart 2024'te")],
    ),
    Article(
        url="https://www.arus.org.tr/en/news/innotrans-2023-trade-mission",
        source="arus",
        language="en",
        published=date(2023, 9, 28),
        title="Rail cluster trade mission to InnoTrans in Berlin",
        body=(
            "Within the ARUS Rail Cluster Internationalisation Project, financed by the European Union, eleven "
            "rail systems manufacturers of the Anatolian Rail Transportation Systems Cluster joined a trade mission "
            "to the InnoTrans fair in Berlin, Germany, from 20 to 23 September 2023."
        ),
        countries={"DE": "Germany"},
        sectors={"C30": "rail systems"},
        programs={"EU-FUNDED": "European Union"},
        project=RAIL,
        project_surface="ARUS Rail Cluster Internationalisation Project",
        organizations=["Anatolian Rail Transportation Systems Cluster"],
        activities={"trade_delegation": "trade mission", "fair": "InnoTrans fair"},
        event_dates=[("2023-09-20", "2023-09-23", "from 20 to 23 September 2023")],
    ),
    Article(
        url="https://www.arus.org.tr/en/news/rail-cluster-launch",
        source="arus",
        language="en",
        published=date(2022, 4, 5),
        title="Rail cluster internationalisation project launched",
        body=(
            "The ARUS Rail Cluster Internationalisation Project was launched in Ankara on 4 April 2022. "
            "The European Union funds trainings and consultancy for rail suppliers preparing for Germany and Poland."
        ),
        countries={"DE": "Germany", "PL": "Poland"},
        sectors={"C30": "rail"},
        programs={"EU-FUNDED": "European Union"},
        project=RAIL,
        project_surface="ARUS Rail Cluster Internationalisation Project",
        organizations=[],
        activities={"launch": "launched", "training": "trainings", "consultancy": "consultancy"},
        event_dates=[("2022-04-04", "2022-04-04", "4 April 2022")],
    ),
    Article(
        url="https://www.ticaret.gov.tr/haberler/mobilya-bae-heyeti",
        source="ticaret-bakanligi",
        language="tr",
        published=date(2024, 2, 8),
        title="Mobilya ihracatçıları Birleşik Arap Emirlikleri'nde",
        body=(
            "Kayseri mobilya sektörünün UR-GE projesi kapsamında firmalar Şubat 2024'te Dubai'de pazar araştırması "
            "ve ticaret heyeti programına katıldı. Birleşik Arap Emirlikleri pazarında yeni bayilikler görüşüldü."
        ),
        countries={"AE": "Birleşik Arap Emirlikleri"},
        sectors={"C31": "mobilya"},
        programs={"UR-GE": "UR-GE"},
        activities={"trade_delegation": "ticaret heyeti"},
        event_dates=[("2024-02", "2024-02", "Şubat 2024'te")],
    ),
    Article(
        url="https://www.kto.org.tr/haber/kobi-kumelenme-makine",
        source="ticaret-bakanligi",
        language="tr",
        published=date(2021, 6, 1),
        title="Konya makine kümesi KOBİ kümelenme projesi açıldı",
        body=(
            "KOBİ İşbirliği ve Kümelenme Projesi kapsamında Konya'da makine imalatçılarının ortak tasarım merkezi "
            "açıldı. Merkez, tarım makineleri üreten firmalara test ve danışmanlık hizmeti verecek."
        ),
        countries={},
        sectors={"C28": "makine"},
        programs={"KOBI-KUMELENME": "KOBİ İşbirliği ve Kümelenme Projesi"},
        activities={"facility_opening": "açıldı", "consultancy": "danışmanlık"},
    ),
    Article(
        url="https://www.akib.org.tr/haber/yas-meyve-rusya-b2b",
        source="akib",
        language="tr",
        published=None,
        title="Yaş meyve sebze ihracatçıları Rusyalı alıcılarla buluştu",
        body=(
            "Akdeniz İhracatçı Birlikleri UR-GE projesinde yaş meyve ve sebze firmaları Moskova'dan gelen "
            "alıcılarla B2B görüşmeleri gerçekleştirdi. Narenciye ve domates öne çıktı."
        ),
        countries={"RU": "Moskova'dan"},
        sectors={"A01": "yaş meyve"},
        programs={"UR-GE": "UR-GE"},
        organizations=["Akdeniz İhracatçı Birlikleri"],
        activities={"b2b_meetings": "B2B görüşmeleri"},
    ),
]


def _span(text: str, surface: str) -> Span:
    start = text.index(surface)
    return Span(start=start, end=start + len(surface), text=surface)


def extraction_of(article: Article) -> Extraction:
    text = article.text
    projects = []
    if article.project and article.project_surface:
        project = article.project
        projects.append(
            ProjectFact(
                name=project.name,
                code=project.code,
                program=project.program,
                coordinator=project.coordinator,
                sector=project.sector,
                project_id=project.id,
                mentions=[_span(text, article.project_surface)],
            )
        )
    return Extraction(
        pipeline_version="hand-annotated",
        language=article.language,
        countries=[CountryFact(code=c, mentions=[_span(text, s)]) for c, s in article.countries.items()],
        sectors=[SectorFact(code=c, mentions=[_span(text, s)]) for c, s in article.sectors.items()],
        programs=[ProgramFact(code=c, mentions=[_span(text, s)]) for c, s in article.programs.items()],
        projects=projects,
        organizations=[OrganizationFact(names=[o], mentions=[_span(text, o)]) for o in article.organizations],
        activities=[ActivityFact(code=c, mentions=[_span(text, s)]) for c, s in article.activities.items()],
        event_dates=[DateFact(start=a, end=b, mentions=[_span(text, s)]) for a, b, s in article.event_dates],
    )


def load_corpus(store: Store) -> dict[str, Article]:
    """Store every article with its extraction and the project records; returns them by document id."""
    by_id: dict[str, Article] = {}
    members: dict[str, list[str]] = {}
    for article in ARTICLES:
        page = Page(
            source=article.source,
            url=article.url,
            fetched_at=datetime(2024, 6, 1, tzinfo=UTC),
            raw=f"<html><h1>{article.title}</h1><p>{article.body}</p></html>".encode(),
            encoding="utf-8",
            title=article.title,
            body=article.body,
            published=article.published,
            language=article.language,
        )
        stored = store.upsert_page(page)
        store.save_extraction(stored.doc_id, stored.version, extraction_of(article))
        by_id[stored.doc_id] = article
        if article.project:
            members.setdefault(article.project.id, []).append(stored.doc_id)
    for project in PROJECTS:
        store.save_project(
            ProjectRecord(
                id=project.id,
                name=project.name,
                names=[project.name],
                code=project.code,
                program=project.program,
                coordinator=project.coordinator,
                sector=project.sector,
                document_ids=members[project.id],
            )
        )
    return by_id


def facet_truth(articles: list[Article], facet: str) -> Counter[str]:
    """How many articles carry each value of a facet, counted from the annotations."""
    counts: Counter[str] = Counter()
    for article in articles:
        values = {
            "country": article.countries.keys(),
            "sector": article.sectors.keys(),
            "program": article.programs.keys(),
            "activity": article.activities.keys(),
            "source": [article.source],
            "language": [article.language],
        }[facet]
        counts.update(set(values))
    return counts
