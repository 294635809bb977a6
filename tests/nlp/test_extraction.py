"""The full pipelines on short Turkish and English texts: every normaliser, both languages."""

import time
from datetime import date

import dateparser
import pytest

from kume.schema import Extraction, ExtractionStatus
from nlp.pipeline import MAX_CHARS, Extractor


def codes(items: list) -> set[str]:
    return {item.code for item in items}


def test_countries_from_inflected_turkish_names_abbreviations_demonyms_and_cities(extractor: Extractor) -> None:
    text = (
        "Heyet Kazakistan'ımıza ve Rusya pazarına gitti. Almanya'daki fuara BAE ve ABD firmaları da katıldı. "
        "Kazak firmalar ile görüşmeler yapıldı. Ardından Moskova'da toplantı düzenlendi. Türkiye'den 10 firma katıldı. "
        "Katarlı alıcılar da geldi."
    )
    result = extractor.extract(text, language="tr")
    assert codes(result.countries) == {"KZ", "RU", "DE", "AE", "US", "QA"}  # TR is never listed
    assert ("Moskova", "RU") in {(c.name, c.country) for c in result.cities}
    kz = next(c for c in result.countries if c.code == "KZ")
    assert kz.mentions[0].text == text[kz.mentions[0].start : kz.mentions[0].end]


def test_countries_and_cities_in_english(extractor: Extractor) -> None:
    text = "The delegation met Spanish companies in Barcelona and visited the Sivas Chamber of Commerce in Turkey."
    result = extractor.extract(text, language="en")
    assert codes(result.countries) == {"ES"}
    assert {(c.name, c.country) for c in result.cities} >= {("Barcelona", "ES"), ("Sivas", "TR")}


def test_sectors_turkish_and_english(extractor: Extractor) -> None:
    turkish = extractor.extract("Halı sektörü temsilcileri ile Kimya UR-GE Projesi üyeleri kimya sektöründe buluştu.")
    assert codes(turkish.sectors) == {"C13", "C20"}
    english = extractor.extract(
        "The project supports the aviation and rail systems sectors. Rail systems firms joined.", language="en"
    )
    assert codes(english.sectors) == {"C30"}


def test_sector_in_a_general_statement_about_a_city_is_not_listed(extractor: Extractor) -> None:
    result = extractor.extract(
        "Başkan, şehrin makine, otomotiv ve mobilya gibi birçok sektörde öne çıktığını söyledi.", language="tr"
    )
    assert codes(result.sectors) == set()


def test_programmes_in_all_spellings(extractor: Extractor) -> None:
    for spelling in ("UR-GE", "URGE", "Ur-Ge", "Uluslararası Rekabetçiliğin Geliştirilmesinin Desteklenmesi"):
        result = extractor.extract(f"Oda, {spelling} kapsamında bir heyet düzenledi.", language="tr")
        assert codes(result.programs) == {"UR-GE"}, spelling
    eu = extractor.extract(
        "The project is financed by the European Union and implemented by the chamber.", language="en"
    )
    assert codes(eu.programs) == {"EU-FUNDED"}
    english_verb = extractor.extract("We urge all members to join the meeting.", language="en")
    assert codes(english_verb.programs) == set()


def test_projects_with_code_designation_and_quoted_name(extractor: Extractor) -> None:
    result = extractor.extract(
        "Demirci Halıları İhracat Kapasitesini Artırmaya Yönelik Kümeleme Projesi (21.UR-GE.016)\n\n"
        "Bursa Ticaret ve Sanayi Odası (BTSO) liderliğinde yürütülen Kimya UR-GE Projesi Rusya'ya gitti. "
        "Ticaret Bakanlığı ile yürütülen UR-GE Projesi kapsamında heyet düzenlendi.",
        language="tr",
    )
    projects = {(p.name, p.code, p.program) for p in result.projects}
    assert projects == {
        ("Demirci Halıları İhracat Kapasitesini Artırmaya Yönelik Kümeleme Projesi", "21.UR-GE.016", "UR-GE"),
        ("Kimya UR-GE Projesi", None, "UR-GE"),
    }
    kimya = next(p for p in result.projects if p.code is None)
    assert kimya.coordinator == "Bursa Ticaret ve Sanayi Odası"
    assert kimya.sector == "C20"


def test_quoted_project_names_and_names_after_a_subject(extractor: Extractor) -> None:
    quoted = extractor.extract(
        "Denizli Sanayi Odası (DSO) tarafından yürütülen “Denizli Ev Tekstili Sektörünün Rekabetçiliği” UR-GE "
        "Projesi kapsamında fuara gidildi.",
        language="tr",
    )
    assert [(p.name, p.program, p.coordinator) for p in quoted.projects] == [
        ("Denizli Ev Tekstili Sektörünün Rekabetçiliği", "UR-GE", "Denizli Sanayi Odası")
    ]
    subject = extractor.extract(
        "İstanbul Maden İhracatçıları Birliği (İMİB), Doğal Taş UR-GE Projesi kapsamında fuara katıldı.",
        language="tr",
    )
    assert [p.name for p in subject.projects] == ["Doğal Taş UR-GE Projesi"]


def test_single_quoted_english_project_and_its_short_form(extractor: Extractor) -> None:
    english = extractor.extract(
        "The Twinning project 'Improving the Competitiveness of SMEs in the Eastern Black Sea Region', co-financed "
        "by the European Union, was launched on 15 January 2021 in Trabzon.",
        language="en",
    )
    assert [(p.name, p.program) for p in english.projects] == [
        ("Improving the Competitiveness of SMEs in the Eastern Black Sea Region", "EU-FUNDED")
    ]
    assert codes(english.activities) == {"launch"}
    turkish = extractor.extract(
        "ESO tarafından sunulan “Dirençli KOBİ’ler için İkiz Dönüşüm (TWINSME)” başlıklı proje hibe almaya hak "
        "kazandı. Avrupa Birliği tarafından finanse edilecek 'TWINSME' projesi ile firmalar dönüşecek.",
        language="tr",
    )
    assert [p.name for p in turkish.projects] == ["Dirençli KOBİ’ler için İkiz Dönüşüm (TWINSME)"]
    assert len(turkish.projects[0].mentions) == 2


def test_cluster_project_with_lowercase_noun_is_the_project_not_an_organisation(extractor: Extractor) -> None:
    result = extractor.extract(
        "Within the scope of the Aegean Textile Cluster project, the Aegean Exporters' Associations (EIB) "
        "organized a matchmaking event. Our project was praised.",
        language="en",
    )
    assert [p.name for p in result.projects] == ["Aegean Textile Cluster project"]
    assert [o.names for o in result.organizations] == [["Aegean Exporters' Associations", "EIB"]]


def test_projects_enumerated_as_examples(extractor: Extractor) -> None:
    turkish = extractor.extract(
        "Odamız Ticari Safari, Küresel Fuar Acentesi ve Türk Ticaret Merkezleri gibi önemli projeler yürütüyor.",
        language="tr",
    )
    assert {(p.name, p.program) for p in turkish.projects} == {
        ("Ticari Safari", "OTHER"),
        ("Küresel Fuar Acentesi", "OTHER"),
        ("Türk Ticaret Merkezleri", "OTHER"),
    }
    english = extractor.extract(
        "We offer Global Fair Agency, Commercial Safari, Turkish Trade Centers, such as valuable projects.",
        language="en",
    )
    assert {p.name for p in english.projects} == {"Global Fair Agency", "Commercial Safari", "Turkish Trade Centers"}
    assert not english.organizations


def test_organisation_with_its_abbreviation_is_one_organisation(extractor: Extractor) -> None:
    result = extractor.extract(
        "Bursa Ticaret ve Sanayi Odası (BTSO) liderliğinde heyet Moskova'ya gitti. BTSO'nun organizasyonu başarılı "
        "geçti. Ticaret Bakanlığımız destek verdi.",
        language="tr",
    )
    names = [o.names for o in result.organizations]
    assert ["Bursa Ticaret ve Sanayi Odası", "BTSO"] in names
    assert any(n[0] == "Ticaret Bakanlığı" for n in names)
    btso = next(o for o in result.organizations if "BTSO" in o.names)
    assert btso.role == "coordinator"
    assert len(btso.mentions) == 3


def test_branches_and_person_titles(extractor: Extractor) -> None:
    result = extractor.extract(
        "Müstakil Sanayici ve İşadamları Derneği (MÜSİAD) Bursa Şubesi heyeti Almanya'ya gitti. MÜSİAD Bursa "
        "heyeti MÜSİAD Münih Başkanı Feyruz Dursun'un ev sahipliğinde toplandı. Türkiye'nin Moskova "
        "Büyükelçisi Hüseyin Diriöz de katıldı.",
        language="tr",
    )
    names = [o.names for o in result.organizations]
    assert any("MÜSİAD Bursa" in n and n[0].endswith("Bursa Şubesi") for n in names)
    assert ["MÜSİAD Münih"] in names
    assert len(names) == 2


def test_english_organisations(extractor: Extractor) -> None:
    result = extractor.extract(
        "The Eskişehir Chamber of Industry visited the Consulate General in Barcelona with the Ministry of Trade.",
        language="en",
    )
    assert {o.names[0] for o in result.organizations} == {
        "Eskişehir Chamber of Industry",
        "Consulate General in Barcelona",
        "Ministry of Trade",
    }


def test_activities_turkish_and_english(extractor: Extractor) -> None:
    turkish = extractor.extract(
        "Firmalar ikili iş görüşmeleri yaptı, alım heyeti ağırladı ve danışmanlık ile eğitim aldı.", language="tr"
    )
    assert codes(turkish.activities) == {"b2b_meetings", "purchasing_delegation", "consultancy", "training"}
    english = extractor.extract("A trade delegation and a needs analysis were planned; the centre was opened.")
    assert {"trade_delegation", "needs_analysis"} <= codes(english.activities)


def test_activity_words_inside_an_organisation_name_do_not_count(extractor: Extractor) -> None:
    result = extractor.extract("Milli Eğitim Bakanlığı yetkilileri Almanya'ya ticaret heyeti düzenledi.", language="tr")
    assert codes(result.activities) == {"trade_delegation"}
    # A forum's opening is no launch; the forum itself is `other` when the text reports nothing else.
    forum = extractor.extract("Başkan forumun açılışında konuştu.", language="tr")
    assert codes(forum.activities) == {"other"}


def test_turkish_day_range_that_dateparser_misreads() -> None:
    # dateparser alone reads the range as one day (or nothing); the range grammar must not.
    parsed = dateparser.parse("09- 15. Temmuz 2023", languages=["tr"])
    assert parsed is None or parsed.date().isoformat() != "2023-07-09..2023-07-15"


@pytest.mark.parametrize(
    ("text", "language", "published", "expected"),
    [
        ("Ziyaretimizi 09- 15. Temmuz 2023 tarihleri arasında yaptık.", "tr", None, {("2023-07-09", "2023-07-15")}),
        ("14 Temmuz 2023 Cuma günü camiyi ziyaret ettik.", "tr", None, {("2023-07-14", "2023-07-14")}),
        ("Heyet 29 Ekim -1 Kasım 2024 tarihleri arasında Irak'taydı.", "tr", None, {("2024-10-29", "2024-11-01")}),
        ("Aralık ayında alım heyeti gelecek.", "tr", date(2024, 10, 2), {("2024-12", "2024-12")}),
        ("Aralık ayında alım heyeti gelecek.", "tr", None, set()),
        ("The delegation was in Barcelona between 10-13 December 2019.", "en", None, {("2019-12-10", "2019-12-13")}),
        (
            "Delegations are planned in February and April 2020.",
            "en",
            None,
            {("2020-02", "2020-02"), ("2020-04", "2020-04")},
        ),
        ("Monday, 26 February 2024. The council met.", "en", date(2024, 2, 26), set()),
        ("Heyet 19-23 Ekim tarihlerinde Norveç'e gitti.", "tr", date(2025, 10, 27), {("2025-10-19", "2025-10-23")}),
        ("Heyet 19-23 Ekim tarihlerinde Norveç'e gitti.", "tr", None, set()),
        ("Firmalar 12.03.2024 tarihinde Almanya'da görüşmeler yaptı.", "tr", None, {("2024-03-12", "2024-03-12")}),
        (
            "3\nMayıs\n2024\nCuma\nFuar 26 Mayıs 2007 Cumartesi günü açılacak.",
            "tr",
            None,
            {("2007-05-26", "2007-05-26")},
        ),
        (
            "MODEF 2007, 26 Mayıs Cumartesi günü açılacak. 3 Haziran'a kadar açık kalacak.",
            "tr",
            None,
            {("2007-05-26", "2007-05-26"), ("2007-05-26", "2007-06-03")},
        ),
    ],
)
def test_event_dates(extractor: Extractor, text: str, language: str, published: date | None, expected: set) -> None:
    result = extractor.extract(text, language=language, published=published)
    assert {(d.start, d.end) for d in result.event_dates} == expected


def test_money_amounts(extractor: Extractor) -> None:
    turkish = extractor.extract("Proje 5 Milyon Euro Avrupa Birliği finansmanı ve 400 bin dolar ile yürütülüyor.")
    assert {(m.amount, m.currency) for m in turkish.money} == {(5_000_000.0, "EUR"), (400_000.0, "USD")}
    english = extractor.extract("Konya achieved $3.306 billion in exports last year.", language="en")
    assert {(m.amount, m.currency) for m in english.money} == {(3_306_000_000.0, "USD")}


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("", ExtractionStatus.EMPTY),
        ("   \n\n  ", ExtractionStatus.EMPTY),
        (
            "Der Verband organisierte eine Handelsmission nach Kasachstan und Usbekistan im Juli.",
            ExtractionStatus.UNSUPPORTED_LANGUAGE,
        ),
        (
            "Ассоциация организовала торговую миссию в Казахстан и провела переговоры с компаниями.",
            ExtractionStatus.UNSUPPORTED_LANGUAGE,
        ),
    ],
)
def test_bad_input_gets_a_clear_status(extractor: Extractor, text: str, status: ExtractionStatus) -> None:
    result = extractor.extract(text)
    assert result.status is status
    assert result.message


def test_html_mixed_scripts_and_huge_text_still_give_results(extractor: Extractor) -> None:
    html = "<div class='x'><p>Bursa Ticaret ve Sanayi Odası <b>Almanya</b>'ya ticaret heyeti düzenledi.</p></div>"
    assert codes(extractor.extract(html, language="tr").countries) == {"DE"}
    mixed = "Heyet Kazakistan'a gitti. Алматы шаҳрида учрашувлар бўлди. 北京 会议. Görüşmeler verimli geçti."
    assert extractor.extract(mixed, language="tr").status is ExtractionStatus.OK
    huge = ("Heyet Almanya'ya gitti ve ikili iş görüşmeleri yaptı. " * 100_000)[:5_000_000]
    result = extractor.extract(huge, language="tr")
    assert result.status is ExtractionStatus.OK
    assert str(MAX_CHARS) in (result.message or "")
    assert codes(result.countries) == {"DE"}


@pytest.mark.parametrize(
    ("text", "language"),
    [("BTSO Moskova", "tr"), ("Konya Chamber of Industry", "en"), ("Heyet Almanya'ya gitti.", "tr")],
)
def test_short_texts_fall_back_to_a_supported_language(extractor: Extractor, text: str, language: str) -> None:
    assert extractor.detect_language(text) == language


@pytest.mark.parametrize("unit", ["Kimya UR-GE Projesi kapsamında ", "Kazakistan'a ", "A, B ve C gibi projeler "])
def test_repetitive_text_without_sentence_ends_stays_linear(extractor: Extractor, unit: str) -> None:
    # Once quadratic (an unbounded sentence search, a backtracking list pattern). Four times the text must take
    # about four times as long, not sixteen; a ratio, since the Turkish NER alone (E5) reads such a text at about
    # 1,400 words/s, and a shared machine more slowly.
    def seconds(repeats: int) -> float:
        started = time.perf_counter()
        result = extractor.extract(unit * repeats, language="tr")
        assert result.status is ExtractionStatus.OK
        return time.perf_counter() - started

    seconds(50)  # the lexicons and the model loaded
    short, long = seconds(1000), seconds(4000)
    assert long < 8 * short + 2, (short, long)


def test_result_is_an_extraction_with_the_pipeline_version(extractor: Extractor) -> None:
    result = extractor.extract("Kimya UR-GE Projesi Rusya'ya gitti.")
    assert isinstance(result, Extraction)
    assert result.language == "tr"
    assert result.pipeline_version
