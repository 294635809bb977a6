"""Events on short texts written for these tests: occasions, places, status, firm counts and projects."""

from datetime import date

from kume.schema import EventFact, EventStatus, Extraction
from nlp.pipeline import Extractor


def events(result: Extraction, activity: str) -> list[EventFact]:
    return [e for e in result.events if e.activity == activity]


def test_a_trip_abroad_with_its_meetings_date_firms_and_project(extractor: Extractor) -> None:
    result = extractor.extract(
        "Isparta Halı UR-GE Projesi kapsamında 9 firma, 2-6 Haziran 2025 tarihlerinde Tacikistan'ın başkenti "
        "Duşanbe'ye ticaret heyeti düzenledi. Heyet burada yerel ithalatçılarla ikili iş görüşmeleri yaptı.",
        language="tr",
    )
    (trip,) = events(result, "trade_delegation")
    assert (trip.countries, trip.start, trip.end, trip.status, trip.firms) == (
        ["TJ"],
        "2025-06-02",
        "2025-06-06",
        EventStatus.DONE,
        9,
    )
    assert trip.project == "Isparta Halı UR-GE Projesi"
    assert {(c.name, c.country) for c in trip.cities} == {("Duşanbe", "TJ")}
    (meetings,) = events(result, "b2b_meetings")
    assert meetings.countries == ["TJ"] and meetings.firms == 9  # the trip's Turkish firms
    # Evidence offsets point at the words the event was read from.
    assert any(span.text.startswith("9 firma") for span in trip.evidence)
    assert [m.text for m in trip.mentions] == ["ticaret heyeti", "Heyet"]  # the bare "Heyet" refers back


def test_turkish_future_and_reported_future_are_planned(extractor: Extractor) -> None:
    result = extractor.extract(
        "Oda Başkanı, Eylül ayında Kazablanka'da düzenlenecek fuara katılacaklarını ve Ekim'de Lagos'a bir "
        "ticaret heyeti götüreceklerini söyledi.",
        language="tr",
        published=date(2025, 7, 1),
    )
    (fair,) = events(result, "fair")
    (trip,) = events(result, "trade_delegation")
    assert fair.status is EventStatus.PLANNED and fair.countries == ["MA"]
    assert trip.status is EventStatus.PLANNED and trip.countries == ["NG"]


def test_english_tense_and_a_relative_clause_of_another_noun(extractor: Extractor) -> None:
    result = extractor.extract(
        "The chamber runs an export academy, which was founded in 2019. A trade mission to Vietnam will be "
        "organised in November 2025, and a buyers' delegation from Chile was hosted in Izmir last week.",
        language="en",
    )
    (trip,) = events(result, "trade_delegation")
    assert trip.status is EventStatus.PLANNED and trip.countries == ["VN"] and trip.start == "2025-11"
    (buyers,) = events(result, "purchasing_delegation")
    assert buyers.status is EventStatus.DONE and buyers.countries == ["CL"]


def test_exact_counts_only_and_the_foreign_buyers_of_a_purchasing_delegation(extractor: Extractor) -> None:
    approximate = extractor.extract(
        "40'ı aşkın firma Belçika'ya ticaret heyeti düzenledi. More than 30 companies joined a trade mission to Peru.",
        language="tr",
    )
    assert all(e.firms is None for e in approximate.events)
    buyers = extractor.extract(
        "Alım heyeti programında 18 Kayserili firma, Ürdün ve Lübnan'dan gelen 27 ithalatçı firma ile bir araya geldi.",
        language="tr",
    )
    (delegation,) = events(buyers, "purchasing_delegation")
    assert delegation.firms == 27 and set(delegation.countries) == {"JO", "LB"}


def test_a_programme_description_and_a_track_record_give_no_event(extractor: Extractor) -> None:
    result = extractor.extract(
        "Proje kapsamında firmalara ihtiyaç analizi, eğitim, danışmanlık ve pazarlama desteği verilecek. "
        "Oda bugüne kadar 40 ülkeye ticaret heyeti düzenledi.",
        language="tr",
    )
    assert {a.code for a in result.activities} >= {"needs_analysis", "training", "consultancy"}
    assert result.events == []


def test_each_event_belongs_to_the_project_of_its_own_paragraph(extractor: Extractor) -> None:
    result = extractor.extract(
        "Odanın iki projesinden haberler\n"
        "Mermer UR-GE Projesi kapsamında firmalar Mart ayında Katar'a ticaret heyeti düzenledi.\n"
        "Öte yandan Hazır Giyim UR-GE Projesi'nin firmaları Nisan ayında Paris'teki fuara katıldı.",
        language="tr",
        published=date(2025, 5, 10),
    )
    (trip,) = events(result, "trade_delegation")
    (fair,) = events(result, "fair")
    assert trip.project == "Mermer UR-GE Projesi"
    assert fair.project == "Hazır Giyim UR-GE Projesi"
    assert (trip.start, fair.start) == ("2025-03", "2025-04")


def test_a_bare_delegation_is_a_trade_delegation_only_when_sent_abroad(extractor: Extractor) -> None:
    inbound = extractor.extract("Macaristan'dan gelen heyet Oda Başkanı ile görüştü.", language="tr")
    assert "trade_delegation" not in {a.code for a in inbound.activities}
    outbound = extractor.extract("Oda heyeti Macaristan'ın başkenti Budapeşte'de temaslarda bulundu.", language="tr")
    assert {e.activity for e in outbound.events} == {"trade_delegation"}
    assert outbound.events[0].countries == ["HU"]
