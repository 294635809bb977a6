"""Bad input: bounded time, a clear status and nothing lost (texts made here, not taken from anywhere)."""

import time

import pycountry
from babel import Locale

from kume.schema import ExtractionStatus
from nlp.pipeline import MAX_CHARS, Extractor

# Generous: the point is linear time (a quadratic step takes minutes on these), not speed.
SECONDS = 120


def _turkish_country_names() -> list[tuple[str, str]]:
    names = Locale("tr").territories
    return [(names[c.alpha_2], c.alpha_2) for c in pycountry.countries if c.alpha_2 in names and c.alpha_2 != "TR"]


def test_a_dump_without_sentence_boundaries(extractor: Extractor) -> None:
    unit = "Tekstil UR-GE Projesi kapsamında firmalar Meksika'ya ticaret heyeti düzenledi ve 11 firma görüşme yaptı "
    text = (unit * (MAX_CHARS // len(unit) + 1))[:MAX_CHARS]
    started = time.perf_counter()
    result = extractor.extract(text, language="tr")
    assert time.perf_counter() - started < SECONDS
    assert result.status is ExtractionStatus.OK and result.message is None  # every character was read
    assert {c.code for c in result.countries} == {"MX"}
    (trip,) = [e for e in result.events if e.activity == "trade_delegation"]  # one occasion, not thousands
    assert trip.countries == ["MX"] and len(trip.mentions) > 1000


def test_a_200k_dump_of_news_lines_keeps_its_last_line(extractor: Extractor) -> None:
    line = "Oda heyeti 3-7 Mart 2025 tarihlerinde Polonya'nın başkenti Varşova'ya ticaret heyeti düzenledi.\n"
    last = "Son olarak 12 firma 9 Nisan 2025 günü Şili'nin başkenti Santiago'da bir fuara katıldı."
    text = line * ((MAX_CHARS - len(last)) // len(line)) + last
    assert len(text) <= MAX_CHARS
    started = time.perf_counter()
    result = extractor.extract(text, language="tr")
    assert time.perf_counter() - started < SECONDS
    assert result.status is ExtractionStatus.OK
    assert {c.code for c in result.countries} == {"PL", "CL"}
    (fair,) = [e for e in result.events if e.activity == "fair"]
    assert (fair.countries, fair.start, fair.firms) == (["CL"], "2025-04-09", 12)


def test_beyond_the_limit_the_message_says_what_was_read(extractor: Extractor) -> None:
    text = "Heyet Almanya'ya gitti. " * (MAX_CHARS // 10)
    result = extractor.extract(text, language="tr")
    assert result.status is ExtractionStatus.OK
    assert result.message == f"only the first {MAX_CHARS} of {len(text)} characters were read"


def test_mixed_turkish_and_english_loses_neither_half(extractor: Extractor) -> None:
    text = (
        "Oda heyeti 12-14 Mayıs 2025 tarihlerinde Kazakistan'a ticaret heyeti düzenledi. "
        "The chamber will also exhibit at a trade fair in Brazil in October 2025."
    )
    result = extractor.extract(text, language="tr")
    assert {c.code for c in result.countries} == {"KZ", "BR"}
    by_kind = {e.activity: e for e in result.events}
    assert by_kind["trade_delegation"].countries == ["KZ"]
    assert by_kind["fair"].countries == ["BR"]


def test_a_list_of_every_country_is_one_event_with_all_of_them(extractor: Extractor) -> None:
    countries = _turkish_country_names()
    assert len(countries) >= 200
    text = "Proje kapsamında ticaret heyetleri düzenlenecek ülkeler: " + ", ".join(n for n, _ in countries) + "."
    started = time.perf_counter()
    result = extractor.extract(text, language="tr")
    assert time.perf_counter() - started < SECONDS
    found = {c.code for c in result.countries}
    assert len(found & {code for _, code in countries}) >= 0.95 * len(countries)
    (trip,) = result.events
    assert trip.activity == "trade_delegation" and trip.status.value == "planned"
    assert len(trip.countries) >= 0.95 * len(countries)


def test_a_table_flattened_to_text(extractor: Extractor) -> None:
    countries = _turkish_country_names()[:150]
    rows = [
        f"{name} | {index % 30 + 2} firma | {index % 28 + 1} Mart 2024 | fuar"
        for index, (name, _) in enumerate(countries)
    ]
    text = "Ülke | Firma | Tarih | Faaliyet\n" + "\n".join(rows)
    started = time.perf_counter()
    result = extractor.extract(text, language="tr")
    assert time.perf_counter() - started < SECONDS
    assert result.status is ExtractionStatus.OK
    assert len({c.code for c in result.countries}) >= 0.95 * len(countries)
    fairs = [e for e in result.events if e.activity == "fair"]
    # Each row is its own occasion (its own date), with its own country and count; none is merged away.
    assert len(fairs) >= 0.9 * len(countries) // 2  # dates repeat every 28 rows, a row may merge with its twin
    assert all(len(e.countries) <= 2 for e in fairs)
