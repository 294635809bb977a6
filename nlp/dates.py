"""Event dates: single days, day ranges, months and month lists, normalised to ISO.

dateparser reads single dates well but not Turkish ranges: "09- 15. Temmuz 2023" comes back
as one date (or as 2023-07-09 with the 15 lost), and "29 Ekim -1 Kasım 2024" is not a range to
it at all. So the range grammar (which numbers are days of which month, which year governs
them) is written here; every complete single day is still read by dateparser, which also
rejects impossible days ("31 Şubat").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import dateparser
from babel import Locale

from kume.text import SUPPORTED_LANGUAGES, casefold_tr


@dataclass(frozen=True)
class FoundDate:
    start: str
    end: str
    span_start: int
    span_end: int


@lru_cache(maxsize=1)
def _month_numbers() -> dict[str, int]:
    """Month names (CLDR, Turkish and English, format and stand-alone) → month number."""
    names: dict[str, int] = {}
    for language in SUPPORTED_LANGUAGES:
        months = Locale(language).months
        for context in ("format", "stand-alone"):
            for number, name in months[context]["wide"].items():
                names[casefold_tr(name)] = int(number)
    # English abbreviations with their dot ("Nov. 12", "Oct. 21-22"); without it "Mar" or "Jun" are words.
    for number, name in Locale("en").months["format"]["abbreviated"].items():
        names[casefold_tr(name) + "."] = int(number)
    names["sept."] = 9
    return names


def _fold_same_length(text: str) -> str:
    """Case-folded text with every character at its original offset, so match offsets stay valid."""
    folded = casefold_tr(text)
    if len(folded) == len(text):
        return folded
    return "".join(f if len(f := casefold_tr(c)) == 1 else c for c in text)


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    month = "(?:" + "|".join(sorted(map(re.escape, _month_numbers()), key=len, reverse=True)) + ")"
    day = r"(?<![\d.,])(?:0?[1-9]|[12]\d|3[01])"
    year = r"(?:19|20)\d{2}(?![\d])"
    # Dates do not run across lines: a page header "3\nMayıs\n2024\nCuma" is layout, not prose.
    # A range joins its ends with a dash or a word ("28 November to 2 December", "2 ila 4 Ekim");
    # "and", "ile", "ve" join two single days unless "between ... and" / "... arasında" makes a range.
    dash = r"(?P<sep>[ \t]*[-–—][ \t]*|[ \t]+(?:to|until|till|through|ila|and|ile|ve)[ \t]+)"
    gap = r"[ \t.,/]*"
    joiner = r"(?:,|\band\b|\bve\b|\bile\b|\bor\b|\bveya\b)"
    return {
        "cross_month": re.compile(
            rf"(?P<d1>{day})\.?[ \t]*(?P<m1>{month}){dash}(?P<d2>{day})\.?[ \t]*(?P<m2>{month}){gap}(?P<y>{year})"
        ),
        "day_range": re.compile(rf"(?P<d1>{day})\.?{dash}(?P<d2>{day})\.?[ \t]*(?P<m>{month}){gap}(?P<y>{year})"),
        "day_range_en": re.compile(rf"(?P<m>{month})[ \t]+(?P<d1>{day}){dash}(?P<d2>{day}),?[ \t]+(?P<y>{year})"),
        "day_range_no_year": re.compile(rf"(?P<d1>{day})\.?{dash}(?P<d2>{day})\.?[ \t]*(?P<m>{month})\b(?!{gap}\d)"),
        # Turkish writes numeric dates day first: "12.03.2024", "12/03/2024".
        "numeric": re.compile(
            r"(?<![\d.])(?P<d>0?[1-9]|[12]\d|3[01])[./](?P<m>0?[1-9]|1[0-2])[./](?P<y>(?:19|20)\d{2})(?![\d])"
        ),
        "single": re.compile(rf"(?P<d>{day})[ \t./]*(?P<m>{month}){gap}(?P<y>{year})"),
        "single_en": re.compile(rf"(?P<m>{month})[ \t]+(?P<d>{day})(?:st|nd|rd|th)?,[ \t]*(?P<y>{year})"),
        "months": re.compile(rf"(?<![\d.])(?P<ms>{month}(?:[ \t]*{joiner}[ \t]*{month})*)[ \t]+(?P<y>{year})"),
        "day_month": re.compile(rf"(?P<d>{day})\.?[ \t]+(?P<m>{month})\b(?!{gap}\d)"),
        # English writes the month first: "October 12-13", "Nov. 12", with the year left to the context.
        "day_range_en_no_year": re.compile(
            rf"(?P<m>{month})[ \t]+(?P<d1>{day}){dash}(?P<d2>{day})(?![\d])(?!,?[ \t]*\d)"
        ),
        "month_day_en": re.compile(rf"(?P<m>{month})[ \t]+(?P<d>{day})(?:st|nd|rd|th)?(?![\d])(?!,?[ \t]*\d)"),
        # "3 Haziran'a kadar", "until 3 June": the end of a range that starts at the previous date.
        "until": re.compile(r"(?:['’]\w{1,3})?[ \t]+kadar\b"),
        "until_en": re.compile(r"\buntil[ \t]+$"),
        "month_only": re.compile(
            rf"\b(?P<m>{month})[ \t]+ay(?:ında|ı|ına)\b|\bin[ \t]+(?P<m_en>{month})\b(?![ \t,]*\d)"
        ),
        "month_word": re.compile(month),
        "year": re.compile(year),
    }


@lru_cache(maxsize=4096)
def _parse_single(day: int, month: int, year: int) -> date | None:
    """One day through dateparser (which also rejects impossible days such as 31 February)."""
    parsed = dateparser.parse(
        f"{day} {calendar.month_name[month]} {year}",
        languages=["en"],
        settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    return parsed.date() if parsed else None


def _year_near(published: date, month: int) -> int:
    """The year of a month named without one, taken as the one nearest to the publication date."""
    if month < published.month - 6:
        return published.year + 1
    if month > published.month + 5:
        return published.year - 1
    return published.year


def _layout_line(text: str, start: int, end: int) -> bool:
    """A date standing on a line of its own (or with a word or two, "Tarih: 12.03.2024") is page layout."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    rest = text[line_start:start] + text[end : line_end if line_end >= 0 else len(text)]
    return len(re.findall(r"[^\W\d_]+", rest)) < 4


_PAIRING_WORDS = frozenset({"and", "ile", "ve"})
_BETWEEN_BEFORE = re.compile(r"\bbetween[ \t]+$")
_BETWEEN_AFTER = re.compile(r"[ \t]*(?:tarihleri[ \t]+)?aras[ıi]nda")


def _is_range(folded: str, match: re.Match[str]) -> bool:
    """Whether a two-date match is one range: joined by a dash or a range word, or by "and" / "ile"
    after "between" or before "arasında" ("2 and 4 October" alone are two days)."""
    if match["sep"].strip() not in _PAIRING_WORDS:
        return True
    before = folded[max(0, match.start() - 10) : match.start()]
    return bool(_BETWEEN_BEFORE.search(before) or _BETWEEN_AFTER.match(folded, match.end()))


def find_dates(text: str, language: str, published: date | None = None) -> list[FoundDate]:
    """Event dates in `text`; the publication date itself is left out."""
    folded = _fold_same_length(text)
    patterns = _patterns()
    months = _month_numbers()
    occupied = bytearray(len(text))  # characters already read as part of a date
    found: list[FoundDate] = []

    def free(start: int, end: int) -> bool:
        return not any(occupied[start:end])

    def take(span: tuple[int, int]) -> None:
        occupied[span[0] : span[1]] = b"\x01" * (span[1] - span[0])

    def add(start: date | str | None, end: date | str | None, match: re.Match[str]) -> None:
        take(match.span())
        if start is None or end is None:
            return
        start_iso, end_iso = str(start), str(end)
        if published is not None and start_iso == end_iso == published.isoformat():
            return
        if start_iso > end_iso:
            return
        found.append(FoundDate(start_iso, end_iso, *match.span()))

    def add_pair(first: date | None, last: date | None, match: re.Match[str]) -> None:
        """A range, or two single days ("on 2 and 4 October")."""
        if _is_range(folded, match):
            add(first, last, match)
        else:
            add(first, first, match)
            add(last, last, match)

    for match in patterns["cross_month"].finditer(folded):
        year = int(match["y"])
        start_month, end_month = months[match["m1"]], months[match["m2"]]
        start_year = year - 1 if start_month > end_month and _is_range(folded, match) else year
        add_pair(
            _parse_single(int(match["d1"]), start_month, start_year),
            _parse_single(int(match["d2"]), end_month, year),
            match,
        )
    for name in ("day_range", "day_range_en"):
        for match in patterns[name].finditer(folded):
            if free(*match.span()):
                month, year = months[match["m"]], int(match["y"])
                add_pair(
                    _parse_single(int(match["d1"]), month, year),
                    _parse_single(int(match["d2"]), month, year),
                    match,
                )
    for name in ("single", "single_en"):
        for match in patterns[name].finditer(folded):
            if free(*match.span()):
                day = _parse_single(int(match["d"]), months[match["m"]], int(match["y"]))
                add(day, day, match)
    for match in patterns["months"].finditer(folded):
        if free(*match.span()):
            take(match.span())
            for name in patterns["month_word"].findall(match["ms"]):
                iso_month = f"{int(match['y']):04d}-{months[name]:02d}"
                found.append(FoundDate(iso_month, iso_month, *match.span()))
    if language == "tr":
        for match in patterns["numeric"].finditer(folded):
            if free(*match.span()) and not _layout_line(text, match.start(), match.end()):
                day = _parse_single(int(match["d"]), int(match["m"]), int(match["y"]))
                add(day, day, match)
    years = [(m.start(), int(m.group())) for m in patterns["year"].finditer(folded)]

    def anchor_year(match: re.Match[str], month: int) -> int | None:
        if published is not None:
            return _year_near(published, month)
        # Without a publication date only a year written earlier in the text can anchor it.
        earlier = [value for position, value in years if position < match.start()]
        return earlier[-1] if earlier else None

    for match in patterns["day_range_no_year"].finditer(folded):
        if free(*match.span()) and _is_range(folded, match):
            month = months[match["m"]]
            anchor = anchor_year(match, month)
            if anchor is not None:
                add(
                    _parse_single(int(match["d1"]), month, anchor),
                    _parse_single(int(match["d2"]), month, anchor),
                    match,
                )
            else:
                take(match.span())
    if language == "en":
        for match in patterns["day_range_en_no_year"].finditer(folded):
            if free(*match.span()) and _is_range(folded, match):
                month = months[match["m"]]
                anchor = anchor_year(match, month)
                if anchor is not None:
                    first = _parse_single(int(match["d1"]), month, anchor)
                    add(first, _parse_single(int(match["d2"]), month, anchor), match)
                else:
                    take(match.span())
    day_month = [patterns["day_month"], *([patterns["month_day_en"]] if language == "en" else [])]
    for match in (m for pattern in day_month for m in pattern.finditer(folded)):
        if not free(*match.span()):
            continue
        month = months[match["m"]]
        anchor = anchor_year(match, month)
        if anchor is not None:
            day = _parse_single(int(match["d"]), month, anchor)
            until = patterns["until"].match(folded, match.end()) or patterns["until_en"].search(
                folded, max(0, match.start() - 10), match.start()
            )
            earlier_days = [f for f in found if f.span_start < match.start() and len(f.end) == 10]
            if until and day and earlier_days:
                add(earlier_days[-1].start, day, match)
            else:
                add(day, day, match)
    if published is not None:
        for match in patterns["month_only"].finditer(folded):
            if free(*match.span()):
                month = months[match["m"] or match["m_en"]]
                value = f"{_year_near(published, month):04d}-{month:02d}"
                add(value, value, match)
    found.sort(key=lambda d: d.span_start)
    return found
