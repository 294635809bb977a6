"""Which activities a project dossier's timeline gives each event date of a document."""

from __future__ import annotations

from api.dossier import activities_by_date
from kume.schema import ActivityFact, DateFact, Extraction, Span


def facts(text: str, activities: dict[str, str], dates: dict[tuple[str, str], str]) -> Extraction:
    def span(surface: str) -> Span:
        start = text.index(surface)
        return Span(start=start, end=start + len(surface), text=surface)

    return Extraction(
        pipeline_version="test",
        activities=[ActivityFact(code=code, mentions=[span(surface)]) for code, surface in activities.items()],
        event_dates=[DateFact(start=s, end=e, mentions=[span(surface)]) for (s, e), surface in dates.items()],
    )


def test_each_date_takes_the_activities_of_its_own_sentence() -> None:
    text = (
        "Kümelenme projesi\n\nMart 2024'te firmaların ihtiyaç analizi tamamlandı. Proje kapsamında 9-15 Temmuz 2024 "
        "tarihlerinde Almatı'ya ticaret heyeti düzenlendi ve B2B görüşmeleri yapıldı."
    )
    extraction = facts(
        text,
        {"needs_analysis": "ihtiyaç analizi", "trade_delegation": "ticaret heyeti", "b2b_meetings": "B2B görüşmeleri"},
        {("2024-03", "2024-03"): "Mart 2024", ("2024-07-09", "2024-07-15"): "9-15 Temmuz 2024"},
    )
    assert activities_by_date(text, extraction) == [["needs_analysis"], ["b2b_meetings", "trade_delegation"]]


def test_one_date_dates_every_activity_of_the_document() -> None:
    text = "Training and B2B meetings\n\nThe delegation visited Almaty on 10-13 December 2019. A training followed."
    extraction = facts(
        text,
        {"training": "Training", "b2b_meetings": "B2B meetings", "trade_delegation": "delegation"},
        {("2019-12-10", "2019-12-13"): "10-13 December 2019"},
    )
    assert activities_by_date(text, extraction) == [["b2b_meetings", "trade_delegation", "training"]]
