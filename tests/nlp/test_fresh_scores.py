"""Accuracy on fresh text: news written for this test, not taken from the dev set.

tests/nlp/data/fresh.jsonl holds short chamber, ministry and exporters'-union news in the style
of shared/seeds, eight Turkish and eight English ("fresh-*"), written on purpose with what
dev.jsonl lacks: other countries (Poland, Serbia, Azerbaijan, Chile, Nigeria, ...), foreign and
Turkish regions (Akdeniz Bölgesi, Central Anatolia Region, Black Sea Region, Çukurova), other
sectors (logistics, natural stone, jewellery, automotive supply, leather, software, pharmaceuticals),
organisations named in both languages with and without abbreviations, and date phrasings such as
"4–8 Eylül 2024", "between 2 and 4 October 2024", "from 28 November to 2 December 2024",
"26 Haziran 2024 Çarşamba" and "Mayıs ayında". They were annotated by shared/eval/README.md
before the pipeline was run on them. Their `events` were annotated by the guideline for kume-nlp-9 (the
first pipeline with events), and six "fresh3-*" texts were then written for events (two projects in one
text, an inbound delegation, a purchasing delegation with both counts, plans and a track record) and
annotated before the pipeline ran on them; kume-nlp-9 scores them: events .846, event_status .909.

The pipeline of kume-nlp-5 scored them: countries .938, cities .857, sectors .900, programs 1.0,
projects .933, organisations .921, activities .933, event dates .872. The general weaknesses they
showed (world regions read as countries, towns inside names, "between ... and" ranges, nationalities
before "firmaları", production sentences naming sectors) were then fixed by rules, never by an
entry for one of these texts; "fresh2-*" lines (three Turkish, three English) were written after those
fixes. They changed one thing only, a lexicon entry that contradicted the guideline ("kuru meyve",
dried fruit, listed under A01 instead of processed fruit C10); their other misses are left as they
are: "Balkan" read as Turkmenistan's province, "on 12 and 13 March" as two days, "planned for
November" unresolved. The floors sit under what the whole file scores now, so a regression in
any field fails while an honest miss on a new phrasing does not.
"""

from pathlib import Path

from nlp.evaluation import FIELDS, evaluate_gold, read_gold
from nlp.pipeline import Extractor

FRESH = Path(__file__).parent / "data" / "fresh.jsonl"
FLOORS = {
    "countries": 0.95,
    "cities": 0.92,
    "sectors": 0.9,
    "programs": 0.95,
    "projects": 0.87,
    "organizations": 0.93,
    "activities": 0.93,
    "event_dates": 0.92,
    "events": 0.7,
    "event_countries": 0.95,
}
ACCURACY_FLOORS = {"event_status": 0.95, "event_firms": 0.85}


def test_fresh_texts_cover_both_languages() -> None:
    records = read_gold(FRESH)
    languages = [r["lang"] for r in records]
    assert languages.count("tr") >= 8 and languages.count("en") >= 8
    assert all(set(r["gold"]) == set(FIELDS) for r in records)


def test_fresh_scores(extractor: Extractor) -> None:
    scores = evaluate_gold(FRESH, extractor=extractor)
    below = {field: round(scores[field]["f1"], 3) for field, floor in FLOORS.items() if scores[field]["f1"] < floor}
    below |= {
        field: round(scores[field]["accuracy"], 3)
        for field, floor in ACCURACY_FLOORS.items()
        if scores[field]["accuracy"] < floor
    }
    assert not below, (below, scores)
