"""The general rules that replaced phrasings of single dev texts: regions from registries, world
regions, word-joined date ranges, compounds and the project noun through the suffix grammar."""

from nlp.pipeline import Extractor
from nlp.text import compound_stem, match_key


def places(result) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(c.name, c.country) for c in result.cities}


def organization_names(result) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [o.names for o in result.organizations]


def full_names(result) -> set[str]:  # type: ignore[no-untyped-def]
    """Each organisation's first (full) name."""
    return {names[0] for names in organization_names(result)}


def test_foreign_regions_from_iso_names_translations_and_former_regions(extractor: Extractor) -> None:
    turkish = extractor.extract(
        "Heyet Bavyera'daki firmalarla ve Toskana bölgesindeki üreticilerle görüştü.", language="tr"
    )
    assert {("Bavyera", "DE"), ("Toskana", "IT")} <= places(turkish)
    assert {c.code for c in turkish.countries} == {"DE", "IT"}
    english = extractor.extract(
        "The delegation visited Bavaria, Catalonia and the Rhône-Alpes and Rhone-Alpes chambers.", language="en"
    )
    assert {("Bavaria", "DE"), ("Catalonia", "ES")} <= places(english)
    assert {c.country for c in english.cities if c.name.startswith("Rh")} == {"FR"}


def test_turkish_geographical_regions_are_home_places_not_countries(extractor: Extractor) -> None:
    turkish = extractor.extract(
        "Ege Bölgesi'nde ve Karadeniz Bölgesi'ndeki firmalar Ege İhracatçı Birlikleri ile buluştu."
    )
    assert places(turkish) == {("Ege Bölgesi", "TR"), ("Karadeniz Bölgesi", "TR")}
    assert turkish.countries == []
    english = extractor.extract("Companies from the Black Sea Region met buyers.", language="en")
    assert places(english) == {("Black Sea Region", "TR")}


def test_world_regions_are_no_country(extractor: Extractor) -> None:
    turkish = extractor.extract("Latin Amerika'dan ve Orta Asya'dan alıcılar Amerika'daki fuara gitti.", language="tr")
    assert {c.code for c in turkish.countries} == {"US"}
    english = extractor.extract("Buyers from Latin America and South America met exporters.", language="en")
    assert english.countries == []


def test_home_town_inside_a_name_is_a_word_of_it(extractor: Extractor) -> None:
    result = extractor.extract("İstanbul Maden İhracatçıları Birliği Denizli'de alım heyeti ağırladı.", language="tr")
    assert places(result) == {("İstanbul", "TR"), ("Denizli", "TR")}


def test_accents_are_optional_on_foreign_names_only() -> None:
    assert match_key("Rhône-Alpes") == match_key("Rhone-Alpes")
    assert match_key("Muş") != match_key("Mus")


def test_ranges_joined_by_words_and_day_pairs(extractor: Extractor) -> None:
    def dates(text: str, language: str) -> set[tuple[str, str]]:
        return {(d.start, d.end) for d in extractor.extract(text, language=language).event_dates}

    assert dates("The buyers visited producers between 2 and 4 October 2024.", "en") == {("2024-10-02", "2024-10-04")}
    assert dates("The mission ran from 28 November to 2 December 2024.", "en") == {("2024-11-28", "2024-12-02")}
    assert dates("Meetings were held on 2 and 4 October 2024.", "en") == {
        ("2024-10-02", "2024-10-02"),
        ("2024-10-04", "2024-10-04"),
    }
    assert dates("Heyet 2 ile 4 Ekim 2024 tarihleri arasında Bakü'deydi.", "tr") == {("2024-10-02", "2024-10-04")}
    assert dates("Program 2 ila 6 Haziran 2025 günlerinde yapıldı.", "tr") == {("2025-06-02", "2025-06-06")}


def test_compound_phrases_match_every_form() -> None:
    assert compound_stem("heyeti") == "heyet"
    assert compound_stem("görüşmesi") == "görüşme"
    assert compound_stem("malzemeleri") == "malzeme"
    assert compound_stem("sanayi") == "sanayi"


def test_compound_plural_meets_the_listed_singular(extractor: Extractor) -> None:
    result = extractor.extract(
        "Yapı malzemeleri sektörü\nFirmalar sektörel ticaret heyetleriyle Polonya'ya gitti.", language="tr"
    )
    assert {a.code for a in result.activities} == {"trade_delegation"}
    assert {s.code for s in result.sectors} == {"C23"}


def test_project_noun_forms(extractor: Extractor) -> None:
    named = extractor.extract("Kimya UR-GE Projemiz kapsamında heyetimiz Varşova'ya gitti.", language="tr")
    assert [p.name for p in named.projects] == ["Kimya UR-GE Projesi"]
    generic = extractor.extract("Odamız UR-GE projeleri yürütüyor. Küme Koordinatörü, projenin önemini anlattı.")
    assert generic.projects == []
    english = extractor.extract("The Machinery UR-GE Project and other UR-GE projects continue.", language="en")
    assert [p.name for p in english.projects] == ["Machinery UR-GE Project"]


def test_openings_need_a_facility_or_project_in_their_sentence(extractor: Extractor) -> None:
    facility = extractor.extract("Uşak'ta deri test laboratuvarı hizmete açıldı.", language="tr")
    assert {a.code for a in facility.activities} == {"facility_opening"}
    described = extractor.extract("Bakanlığımız tarafından onaylanan projemiz kapsamında fuara katıldık.")
    assert {a.code for a in described.activities} == {"fair"}
    english = extractor.extract("A Cluster Coordination Office was opened within the chamber.", language="en")
    assert {a.code for a in english.activities} == {"facility_opening"}


def test_projects_listed_as_examples_in_either_order(extractor: Extractor) -> None:
    english = extractor.extract(
        "The chamber runs projects such as Global Fair Agency, Commercial Safari and Turkish Trade Centers.",
        language="en",
    )
    assert [p.name for p in english.projects] == ["Global Fair Agency", "Commercial Safari", "Turkish Trade Centers"]
    turkish = extractor.extract("Odamız Ticari Safari ve Türk Ticaret Merkezleri gibi projeler yürütüyor.")
    assert [p.name for p in turkish.projects] == ["Ticari Safari", "Türk Ticaret Merkezleri"]
    assert extractor.extract("The chamber runs projects such as trade missions.", language="en").projects == []


def test_generic_plural_bodies_with_a_possessive_are_no_organisation(extractor: Extractor) -> None:
    result = extractor.extract(
        "Exporters' Associations and Chambers of Commerce welcomed the plan. The Samsun Chamber of Commerce "
        "and Industry led the trade mission to Georgia.",
        language="en",
    )
    names = full_names(result)
    assert "Samsun Chamber of Commerce and Industry" in names
    assert not {"Exporters' Associations", "Chambers of Commerce"} & names


def test_several_codes_are_several_projects_and_none_is_a_named_ones(extractor: Extractor) -> None:
    report = extractor.extract(
        "Yıldız Ticaret Odası'nın deri sektörü projesi (21.UR-GE.104) kapsamında Milano'da fuara katılım "
        "sağlandı. Çınar İhracatçılar Birliği'nin kimya projesi (23.UR-GE.011) kapsamında Lagos'a ticaret "
        "heyeti düzenlendi. Yıldız Ticaret Odası'nın yürüttüğü GREENLOOP projesi de örnek gösterildi.",
        language="tr",
    )
    by_code = {p.code: p.name for p in report.projects}
    assert set(by_code) == {"21.UR-GE.104", "23.UR-GE.011", None}
    assert by_code[None] == "GREENLOOP projesi"
    single = extractor.extract(
        "19UR-GE056 kodlu Bakır Ürünleri UR-GE Projesi kapsamında firmalar eğitim aldı.", language="tr"
    )
    assert [(p.name, p.code) for p in single.projects] == [("Bakır Ürünleri UR-GE Projesi", "19.UR-GE.056")]


def test_a_body_named_once_in_a_persons_title_is_the_persons_affiliation(extractor: Extractor) -> None:
    turkish = extractor.extract(
        "Kestane Ticaret Odası heyeti Tiflis'te fuara katıldı. Heyete Lale Sanayicileri Derneği Başkanı Oya "
        "Demirtaş da eşlik etti. Kestane Ticaret Odası Başkanı Rıza Er, Kestane Ticaret Odası Başkanı "
        "olarak firmaları kutladı."
    )
    names = full_names(turkish)
    assert "Kestane Ticaret Odası" in names
    assert "Lale Sanayicileri Derneği" not in names
    english = extractor.extract(
        "The Pine Chamber of Commerce led a trade mission to Accra. The deputy director-general of the "
        "World Customs Organization, Ama Owusu, and the President of the Savanna Investment Agency (SIA) "
        "Kofi Mensah met the firms.",
        language="en",
    )
    names = full_names(english)
    assert "Pine Chamber of Commerce" in names
    assert not {"World Customs Organization", "Savanna Investment Agency"} & names


def test_a_union_spoken_of_as_what_one_joins_does_not_act(extractor: Extractor) -> None:
    result = extractor.extract(
        "Macaristan'ın Avrupa Birliği üyesi olması firmalara avantaj sağlıyor. Türkiye'nin Avrupa Birliği'ne "
        "tam üyelik süreci de konuşuldu. Meşe İhracatçıları Birliği heyeti Budapeşte'de görüşmeler yaptı."
    )
    assert organization_names(result) == [["Meşe İhracatçıları Birliği"]]


def test_event_names_and_halls_are_no_organisations(extractor: Extractor) -> None:
    result = extractor.extract(
        "The Maple Chamber of Industry (MCI) held its Export Committee Meeting and Autumn Assembly in the "
        "Cedar Assembly Hall. The Regional Chambers Summit in Aksu followed.",
        language="en",
    )
    assert organization_names(result) == [["Maple Chamber of Industry", "MCI"]]


def test_a_bodys_organ_named_after_its_abbreviation_is_that_body(extractor: Extractor) -> None:
    result = extractor.extract(
        "Nilüfer Ticaret ve Sanayi Odası (NTSO) alım heyeti ağırladı. NTSO Mobilya Konseyi de toplantıya "
        "katıldı. NTSO firmaları Kazan'a gidecek."
    )
    assert organization_names(result) == [["Nilüfer Ticaret ve Sanayi Odası", "NTSO", "NTSO Mobilya Konseyi"]]


def test_a_unit_is_named_with_its_parent_body(extractor: Extractor) -> None:
    result = extractor.extract(
        "Toros Üniversitesi Malzeme Araştırma ve Uygulama Merkezi ile Toros Ticaret Odası bir protokol imzaladı."
    )
    assert organization_names(result) == [
        ["Toros Üniversitesi Malzeme Araştırma ve Uygulama Merkezi"],
        ["Toros Ticaret Odası"],
    ]


def test_abbreviations_in_capitals_and_at_a_names_start(extractor: Extractor) -> None:
    result = extractor.extract(
        "İzmir Kimya ve Boya İhracatçıları Birliği (İKBİB) Kahire'ye heyet düzenledi. IKBİB üyeleri "
        "görüşmeler yaptı. ZEN Fuarcılık organizasyonu üstlendi; ZEN Fuarcılık ekibi standları kurdu. "
        "ZEN ekibi memnun kaldı."
    )
    assert organization_names(result) == [
        ["İzmir Kimya ve Boya İhracatçıları Birliği", "İKBİB", "IKBİB"],
        ["ZEN Fuarcılık", "ZEN"],
    ]
