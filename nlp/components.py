"""spaCy components of the kume pipelines.

Each component finds one family of facts and puts it in its typed Doc slot (nlp.facts); its
factory declares the slots it assigns and requires, and its lexicons come through its config
(a relative file name is one of nlp/data's files). The last one (`kume_extraction`) turns the
facts into an `Extraction` in `doc._.kume` and empties the slots. The statistical NER that runs
before them only vetoes places inside person names, so the rules work with whichever NER runs.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from kume.schema import (
    ActivityFact,
    CityFact,
    CountryFact,
    DateFact,
    EventFact,
    EventPlace,
    EventStatus,
    Extraction,
    ExtractionStatus,
    MoneyFact,
    OrganizationFact,
    ProgramFact,
    ProjectFact,
    SectorFact,
    Span,
)
from kume.text import SUPPORTED_LANGUAGES, casefold_tr, sentence_around
from nlp import facts
from nlp.activities import activity_cues as load_activity_cues
from nlp.activities import find_activities
from nlp.dates import find_dates
from nlp.events import FoundEvent, event_rules, find_events
from nlp.gazetteer import (
    HOME_COUNTRY,
    Code,
    Place,
    code_lexicon,
    data_file,
    load_toml,
    phrase_keys,
    places_lexicon,
)
from nlp.lexicon import Hit, Word, words_of
from nlp.money import find_money, money_grammar
from nlp.organizations import find_organizations, organization_rules
from nlp.projects import GENERIC_WORDS, find_programs, find_projects, program_rules
from nlp.text import match_key, title_tr, tokens, turkish_lemmas
from nlp.turkish_ner.lexical import GAZETTEER_PATH, gazetteer_classes

# 11: organisations that only stand beside the acting ones (a title named once, a union one joins, event
# names, organs, units with their parent); 10: several codes in a text are several projects; generic
# plurals with a possessive; the E5 Turkish NER
PIPELINE_VERSION = "kume-nlp-11"

_PERSON_LABELS = {"PERSON", "PER"}
_MAJOR_CITY = 1_000_000
# Entity labels that name something (OntoNotes and CoNLL schemes): a place word inside one is a name.
_NAME_LABELS = {"GPE", "LOC", "FAC", "ORG", "NORP", "PERSON", "PER", "MISC", "EVENT", "PRODUCT", "WORK_OF_ART"}
_AFTER_ALL = 1 << 62  # sorts after every end offset, for bisecting on a start offset
_SECTOR_LIST = 3  # sectors enumerated in one sentence: the participants' sectors


def _guarded(name: str, component: Callable[[Doc], None]) -> Callable[[Doc], Doc]:
    """Record a component's failure on the document instead of failing the whole batch; once one
    component has failed on a document, the ones after it leave the document alone."""

    def run(doc: Doc) -> Doc:
        if doc._.get(facts.ERROR.name) is not None:
            return doc
        try:
            component(doc)
        except Exception as exc:
            facts.ERROR.set(doc, f"{name} failed: {type(exc).__name__}: {exc}")
        return doc

    return run


def _person_names(doc: Doc) -> list[tuple[int, ...]]:
    """(start, end of the first word, end) of person names of two words or more.

    Single-word PERSON entities are left out: the small models also tag abbreviations and
    foreign place names that way.
    """
    return [
        (e.start_char, e[0].idx + len(e[0]), e.end_char) for e in doc.ents if e.label_ in _PERSON_LABELS and len(e) > 1
    ]


def _containing(spans: list[tuple[int, ...]], start: int, end: int) -> tuple[int, ...] | None:
    """The span of `spans` (sorted, non-overlapping, (start, ..., end)) that contains [start, end)."""
    index = bisect.bisect_right(spans, (start, _AFTER_ALL)) - 1
    if index >= 0 and spans[index][0] <= start and end <= spans[index][-1]:
        return spans[index]
    return None


def _in_person_name(persons: list[tuple[int, ...]], hit: Hit[Place]) -> bool:
    """A city inside a person's name is part of it ("Jackson Pollock", "Mehmet Fatih Kacır"); a country
    or demonym only when it is not the first word ("Kazak" in "Kazak firmalar" tagged as a name)."""
    person = _containing(persons, hit.start, hit.end)
    return person is not None and (hit.payload.kind == "city" or hit.start >= person[1])


def _disjoint(spans: Iterable[tuple[int, int]]) -> list[tuple[int, ...]]:
    """Sorted spans with the ones nested in an earlier span left out, ready for `_containing`."""
    kept: list[tuple[int, ...]] = []
    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        if not kept or span[0] >= kept[-1][-1]:
            kept.append(span)
    return kept


def _sentence(text: str, start: int, end: int) -> str:
    left, right = sentence_around(text, start, end)
    return text[left:right]


def _span(text: str, start: int, end: int) -> Span:
    return Span(start=start, end=end, text=text[start:end])


def _valid_place(hit: Hit[Place], words: list[Word], language: str) -> bool:
    """Capitalised, and a name written without an apostrophe loses no more than a plausible ending.

    Turkish spells suffixes on proper names after an apostrophe; a long name with its suffix glued
    on ("Türkistanda") is a common slip, but a short one ("Kasım" → "Kası") is another word.
    """
    first, last = words[hit.first_word], words[hit.last_word]
    if not first.capitalized:
        return False
    if hit.payload.all_caps and not first.head.isupper():
        return False
    if hit.base.endswith(last.head):
        return True
    stripped = len(last.head) - (len(hit.base) - (last.start - hit.start))
    if language == "en":
        return last.head[-2:] in ("'s", "’s") or stripped == 0
    if hit.payload.kind != "city" and re.match(
        r"l[ıiuü]", casefold_tr(last.head[len(hit.base) - (last.start - hit.start) :])
    ):
        return True  # "Katarlı alıcılar", "Japonyalı firmalar": people or firms of a country
    return len(hit.base) - (last.start - hit.start) >= 6


@Language.factory(
    "kume_words",
    assigns=[facts.TEXT.attr, facts.WORDS.attr],
    default_config={},
)
def make_words(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """The text's words with their candidate base forms (nlp.text.stems), which every matcher reads."""

    def words(doc: Doc) -> None:
        text = doc.text
        facts.TEXT.set(doc, text)
        facts.WORDS.set(doc, words_of(text, doc.lang_))

    return _guarded(name, words)


@Language.factory(
    "kume_places",
    assigns=[facts.PLACES.attr],
    requires=[facts.WORDS.attr, "doc.ents"],
    default_config={
        "places": "places.toml",
        "common_nouns": ["sectors.toml", "activities.toml"],
        "turkish_words": None,
    },
)
def make_places(
    nlp: Language, name: str, places: str, common_nouns: list[str], turkish_words: str | None
) -> Callable[[Doc], Doc]:
    """Countries, demonyms and cities; the NER's person names veto the places inside them, and so does
    Turkish itself: a small town abroad spelt like a Turkish word or first name is that word.

    `turkish_words` is the table of Turkish words and names (Zemberek's lexicon, Faker's name lists) the
    Turkish NER reads too; null means the one shipped with it (models/gazetteer/tr_names.tsv.gz).
    """
    lexicon = places_lexicon(data_file(places), tuple(data_file(n) for n in common_nouns))
    continents = frozenset(match_key(n) for n in load_toml(data_file(places))["continent_names"]["names"])
    words_table = (
        gazetteer_classes(Path(turkish_words) if turkish_words else GAZETTEER_PATH) if nlp.lang == "tr" else {}
    )

    def find(doc: Doc) -> None:
        words = facts.WORDS.get(doc)
        persons = _person_names(doc)
        named = _disjoint((e.start_char, e.end_char) for e in doc.ents if e.label_ in _NAME_LABELS)
        text = facts.TEXT.get(doc)
        found = [
            hit
            for hit in lexicon.find(text, words)
            if _valid_place(hit, words, doc.lang_)
            and not _in_person_name(persons, hit)
            and not _turkish_word(hit, words, words_table)
            and not (doc.lang_ == "en" and _english_word(hit, named))
        ]
        facts.PLACES.set(doc, _continents_read_as_such(text, found, continents))

    return _guarded(name, find)


_LISTED_WITH = re.compile(r"[ \t]*(?:,|\bve\b|\band\b|\bto\b|\bile\b|\bor\b|\bveya\b|-)[ \t]*")


def _continents_read_as_such(text: str, hits: list[Hit[Place]], continents: frozenset[str]) -> list[Hit[Place]]:
    """ "Amerika" listed with world regions ("Avrupa, Afrika ve Amerika", "from Asia to America") is the
    continent, not the United States; elsewhere ("Amerika'daki fuar") it is the country."""
    regions = [h for h in hits if h.payload.kind == "world_region"]

    def listed(hit: Hit[Place]) -> bool:
        return any(
            _LISTED_WITH.fullmatch(text[r.end : hit.start]) or _LISTED_WITH.fullmatch(text[hit.end : r.start])
            for r in regions
        )

    return [
        replace(h, payload=Place("world_region", ""))
        if h.payload.kind == "country" and match_key(h.base) in continents and listed(h)
        else h
        for h in hits
    ]


def _english_word(hit: Hit[Place], named: list[tuple[int, ...]]) -> bool:
    """In English, a capitalised word can be a heading's common noun ("Enterprise", "Sector"): a one-word
    town abroad that is no major city counts only where the NER reads a name there."""
    place = hit.payload
    if hit.first_word != hit.last_word or place.kind != "city" or place.region:
        return False
    if place.country == HOME_COUNTRY or place.population >= _MAJOR_CITY:
        return False
    return _containing(named, hit.start, hit.end) is None


def _turkish_word(hit: Hit[Place], words: list[Word], table: dict[str, frozenset[str]]) -> bool:
    """A one-word town abroad (not a major city) whose word is a Turkish common word or, before a
    capitalised word, a first name: "Masaya'ya" is "to the table", "Kaya", "Dili", "Baran Çelik".

    The word's own form must not be a known proper noun ("Batum", "Roma"); its suffix-stripped stems
    may be common words ("masaya" -> "masa").
    """
    place = hit.payload
    if not table or hit.first_word != hit.last_word or place.kind != "city" or place.region:
        return False
    if place.country == HOME_COUNTRY or place.population >= _MAJOR_CITY:
        return False
    word = words[hit.first_word]
    own = casefold_tr(word.head)
    classes = table.get(own, frozenset())
    if "proper_noun" in classes:
        following = words[hit.first_word + 1] if hit.first_word + 1 < len(words) else None
        first_name = "person_name" in classes and following is not None and following.capitalized
        return first_name and following is not None and following.start - word.end <= 1
    return "common_word" in classes or any("common_word" in table.get(s, ()) for s in turkish_lemmas(word.text))


@Language.factory(
    "kume_organizations",
    assigns=[facts.ORGANIZATIONS.attr],
    requires=[facts.WORDS.attr, facts.PLACES.attr, "doc.ents"],
    default_config={"rules": "organizations.toml", "turkish_words": None},
)
def make_organizations(nlp: Language, name: str, rules: str, turkish_words: str | None) -> Callable[[Doc], Doc]:
    """Organisations; a Turkish sentence-opening common word (Zemberek's lexicon in the table of
    `turkish_words`, null: the one shipped with the Turkish NER) is no part of a name."""
    loaded = organization_rules(data_file(rules))
    table = gazetteer_classes(Path(turkish_words) if turkish_words else GAZETTEER_PATH) if nlp.lang == "tr" else {}

    def common_word(word: str) -> bool:
        """An inflected or derived common word ("Toplantıda", "Katılan"): a bare noun ("Ticaret") may
        open a name, a word with endings does not."""
        lemmas = turkish_lemmas(word)
        own = table.get(lemmas[0], frozenset())
        return not own & {"common_word", "proper_noun"} and any("common_word" in table.get(s, ()) for s in lemmas[1:])

    def find(doc: Doc) -> None:
        places = facts.PLACES.get(doc)
        place_spans = frozenset((h.start, h.end) for h in places)
        country_starts = frozenset(h.start for h in places if h.payload.kind != "city")
        persons = tuple((e.start_char, e.end_char) for e in doc.ents if e.label_ in _PERSON_LABELS)
        facts.ORGANIZATIONS.set(
            doc,
            find_organizations(
                facts.TEXT.get(doc),
                facts.WORDS.get(doc),
                doc.lang_,
                loaded,
                place_spans,
                persons,
                common_word,
                country_starts,
            ),
        )

    return _guarded(name, find)


@Language.factory(
    "kume_projects",
    assigns=[facts.PROGRAMS.attr, facts.PROJECTS.attr],
    requires=[facts.WORDS.attr, facts.PLACES.attr, facts.ORGANIZATIONS.attr],
    default_config={"rules": "programs.toml"},
)
def make_projects(nlp: Language, name: str, rules: str) -> Callable[[Doc], Doc]:
    loaded = program_rules(data_file(rules))

    def find(doc: Doc) -> None:
        text = facts.TEXT.get(doc)
        programs = find_programs(text, loaded)
        place_words = frozenset(match_key(h.base) for h in facts.PLACES.get(doc))
        # An abbreviation known by nothing else ("TURKHAS") may be the project's own short name.
        organization_spans = tuple(
            m for o in facts.ORGANIZATIONS.get(doc) if any(" " in n for n in o.names) for m in o.mentions
        )
        facts.PROGRAMS.set(doc, programs)
        facts.PROJECTS.set(
            doc, find_projects(text, facts.WORDS.get(doc), programs, loaded, place_words, organization_spans)
        )

    return _guarded(name, find)


@Language.factory(
    "kume_sectors",
    assigns=[facts.SECTOR_MENTIONS.attr, facts.SECTORS.attr],
    requires=[facts.WORDS.attr, facts.PROJECTS.attr],
    default_config={"lexicon": "sectors.toml", "cues": "sector_cues.toml"},
)
def make_sectors(nlp: Language, name: str, lexicon: str, cues: str) -> Callable[[Doc], Doc]:
    phrases = code_lexicon(data_file(lexicon), phrase_keys(SUPPORTED_LANGUAGES))
    loaded_cues = load_toml(data_file(cues))

    def find(doc: Doc) -> None:
        text = facts.TEXT.get(doc)
        mentions = list(phrases.find(text, facts.WORDS.get(doc)))
        project_spans = [(p.start, p.end) for p in facts.PROJECTS.get(doc)]
        facts.SECTOR_MENTIONS.set(doc, mentions)
        facts.SECTORS.set(doc, _sectors(text, mentions, project_spans, loaded_cues))

    return _guarded(name, find)


@Language.factory(
    "kume_activities",
    assigns=[facts.ACTIVITIES.attr],
    requires=[facts.WORDS.attr, facts.PLACES.attr, facts.ORGANIZATIONS.attr, facts.SECTOR_MENTIONS.attr],
    default_config={"lexicon": "activities.toml", "cues": "sector_cues.toml"},
)
def make_activities(nlp: Language, name: str, lexicon: str, cues: str) -> Callable[[Doc], Doc]:
    """Activity mentions; the words of an organisation's name ("Milli Eğitim Bakanlığı") are none."""
    phrases = code_lexicon(data_file(lexicon), phrase_keys(SUPPORTED_LANGUAGES))
    alone = code_lexicon(data_file(lexicon), tuple(f"{language}_alone" for language in SUPPORTED_LANGUAGES))
    loaded_cues = load_activity_cues(data_file(cues))

    def find(doc: Doc) -> None:
        text, words = facts.TEXT.get(doc), facts.WORDS.get(doc)
        organization_spans = _disjoint(m for o in facts.ORGANIZATIONS.get(doc) for m in o.mentions)

        def outside_names(hits: Iterable[Hit[Code]]) -> list[Hit[Code]]:
            return [h for h in hits if _containing(organization_spans, h.start, h.end) is None]

        facts.ACTIVITIES.set(
            doc,
            find_activities(
                text,
                doc.lang_,
                outside_names(phrases.find(text, words)),
                outside_names(alone.find(text, words)),
                loaded_cues,
                facts.SECTOR_MENTIONS.get(doc),
                facts.PLACES.get(doc),
            ),
        )

    return _guarded(name, find)


def _published(doc: Doc) -> date | None:
    """The publication date, from spaCy's context (nlp.pipe(..., as_tuples=True)) or doc._.kume_published."""
    context = getattr(doc, "_context", None)
    published_iso = context.get("published") if isinstance(context, dict) else None
    published_iso = published_iso or doc._.get(facts.PUBLISHED.name)
    return date.fromisoformat(published_iso) if published_iso else None


@Language.factory("kume_dates", assigns=[facts.DATES.attr], requires=[facts.TEXT.attr], default_config={})
def make_dates(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """Event dates; a date relative to the publication is resolved against it."""

    def find(doc: Doc) -> None:
        facts.DATES.set(doc, find_dates(facts.TEXT.get(doc), doc.lang_, _published(doc)))

    return _guarded(name, find)


@Language.factory(
    "kume_money", assigns=[facts.MONEY.attr], requires=[facts.TEXT.attr], default_config={"grammar": "money.toml"}
)
def make_money(nlp: Language, name: str, grammar: str) -> Callable[[Doc], Doc]:
    loaded = money_grammar(data_file(grammar))

    def find(doc: Doc) -> None:
        facts.MONEY.set(doc, find_money(facts.TEXT.get(doc), doc.lang_, loaded))

    return _guarded(name, find)


@Language.factory(
    "kume_events",
    assigns=[facts.EVENTS.attr],
    requires=[
        facts.TEXT.attr,
        facts.ACTIVITIES.attr,
        facts.PLACES.attr,
        facts.ORGANIZATIONS.attr,
        facts.PROJECTS.attr,
        facts.DATES.attr,
    ],
    default_config={"rules": "events.toml", "activity_cues": "sector_cues.toml"},
)
def make_events(nlp: Language, name: str, rules: str, activity_cues: str) -> Callable[[Doc], Doc]:
    """The concrete activities the text reports or announces, each with its place, date, status and firms."""
    loaded = event_rules(data_file(rules))
    loaded_cues = load_activity_cues(data_file(activity_cues))

    def find(doc: Doc) -> None:
        facts.EVENTS.set(
            doc,
            find_events(
                facts.TEXT.get(doc),
                doc.lang_,
                facts.ACTIVITIES.get(doc),
                facts.PLACES.get(doc),
                facts.ORGANIZATIONS.get(doc),
                facts.PROJECTS.get(doc),
                facts.DATES.get(doc),
                loaded,
                loaded_cues,
                _published(doc),
            ),
        )

    return _guarded(name, find)


_ASSEMBLED = (
    facts.PLACES,
    facts.ORGANIZATIONS,
    facts.PROGRAMS,
    facts.PROJECTS,
    facts.SECTORS,
    facts.ACTIVITIES,
    facts.DATES,
    facts.MONEY,
    facts.EVENTS,
)


@Language.factory(
    "kume_extraction",
    assigns=[facts.RESULT.attr],
    requires=[fact.attr for fact in _ASSEMBLED],
    default_config={},
)
def make_extraction(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    """The facts as one `Extraction` in doc._.kume; every intermediate slot is emptied."""

    def extraction(doc: Doc) -> Doc:
        error = doc._.get(facts.ERROR.name)
        if error is not None:
            result = Extraction(pipeline_version=PIPELINE_VERSION, status=ExtractionStatus.ERROR, message=error)
        else:
            try:
                result = _assemble(doc)
            except Exception as exc:
                message = f"{name} failed: {type(exc).__name__}: {exc}"
                result = Extraction(pipeline_version=PIPELINE_VERSION, status=ExtractionStatus.ERROR, message=message)
        facts.RESULT.set(doc, result.model_dump(mode="json"))
        for fact in facts.INTERMEDIATE:
            fact.clear(doc)
        # The facts are the product: dropping the token vectors keeps the Doc that spaCy's worker
        # processes serialise back to the main process small.
        doc.tensor = numpy.zeros((0,), dtype="float32")
        return doc

    return extraction


def _assemble(doc: Doc) -> Extraction:
    text = facts.TEXT.get(doc)
    projects = facts.PROJECTS.get(doc)
    project_names = {" ".join(t for t in tokens(p.name) if t not in GENERIC_WORDS) for p in projects}
    # A project named like an organisation ("Global Fair Agency, ..., such as projects", "Aegean
    # Textile Cluster project") is the project.
    organizations = [
        o
        for o in facts.ORGANIZATIONS.get(doc)
        if " ".join(t for t in tokens(o.name) if t not in GENERIC_WORDS) not in project_names
    ]
    organization_spans: list[tuple[int, ...]] = _disjoint(m for o in organizations for m in o.mentions)

    countries: dict[str, list[Span]] = defaultdict(list)
    cities: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for hit in facts.PLACES.get(doc):
        place: Place = hit.payload
        if place.kind == "world_region" or _home_word_inside_name(organization_spans, hit):
            continue
        mention = _span(text, hit.start, hit.end)
        if place.kind == "city":
            cities[(city_name(hit), place.country)].append(mention)
        if place.country != HOME_COUNTRY:
            countries[place.country].append(mention)
    city_names: dict[str, tuple[str, str]] = {}
    for key in cities:
        city_names.setdefault(casefold_tr(key[0]) + key[1], key)

    sectors = facts.SECTORS.get(doc)
    coordinator = next((o.name for o in organizations if o.role == "coordinator"), None)
    project_facts = []
    for project in projects:
        inside = [code for code, spans in sectors.items() if any(project.start <= s < project.end for s, _ in spans)]
        sector = inside[0] if inside else (next(iter(sectors)) if len(sectors) == 1 else None)
        project_facts.append(
            ProjectFact(
                name=project.name,
                code=project.code,
                program=project.program,
                coordinator=coordinator,
                sector=sector,
                mentions=[_span(text, s, e) for s, e in project.mentions],
            )
        )

    programs: dict[str, list[Span]] = defaultdict(list)
    for program in facts.PROGRAMS.get(doc):
        programs[program.code].append(_span(text, program.start, program.end))
    activities: dict[str, list[Span]] = defaultdict(list)
    for activity in facts.ACTIVITIES.get(doc):
        activities[activity.payload.code].append(_span(text, activity.start, activity.end))
    dates: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for found in facts.DATES.get(doc):
        dates[(found.start, found.end)].append(_span(text, found.span_start, found.span_end))

    return Extraction(
        pipeline_version=PIPELINE_VERSION,
        language=doc.lang_,
        countries=[CountryFact(code=c, mentions=m) for c, m in countries.items()],
        cities=[CityFact(name=k[0], country=k[1], mentions=cities[k]) for k in city_names.values()],
        sectors=[SectorFact(code=c, mentions=[_span(text, s, e) for s, e in m]) for c, m in sectors.items()],
        programs=[ProgramFact(code=c, mentions=m) for c, m in programs.items()],
        projects=project_facts,
        organizations=[
            OrganizationFact(names=o.names, role=o.role, mentions=[_span(text, s, e) for s, e in o.mentions])
            for o in organizations
        ],
        activities=[ActivityFact(code=c, mentions=m) for c, m in activities.items()],
        event_dates=[DateFact(start=k[0], end=k[1], mentions=m) for k, m in dates.items()],
        money=[
            MoneyFact(amount=m.amount, currency=m.currency, mentions=[_span(text, m.span_start, m.span_end)])
            for m in facts.MONEY.get(doc)
        ],
        events=[_event_fact(text, event) for event in facts.EVENTS.get(doc)],
    )


def _event_fact(text: str, event: FoundEvent) -> EventFact:
    """An event as the schema writes it: its project by code when it has one, else by name (as in `projects`)."""
    project = None if event.project is None else (event.project.code or event.project.name)
    cities = list(dict.fromkeys(EventPlace(name=city_name(c), country=c.payload.country) for c in event.cities))
    return EventFact(
        activity=event.activity,
        project=project,
        countries=event.countries,
        cities=cities,
        start=event.start,
        end=event.end,
        status=EventStatus(event.status),
        firms=event.firms,
        mentions=[_span(text, s, e) for s, e in event.mentions],
        evidence=[_span(text, s, e) for s, e in event.evidence],
    )


def city_name(hit: Hit[Place]) -> str:
    """A city's name as listed: its base form, title-cased when the text writes it in capitals."""
    return title_tr(hit.base) if hit.base.isupper() else hit.base


def _home_word_inside_name(organization_spans: list[tuple[int, ...]], hit: Hit[Place]) -> bool:
    """A Turkish town named by a common noun inside an organisation's name ("İstanbul Maden
    İhracatçıları Birliği": Maden is a town too). Turkish names put their place first, so a home
    town further in is a word of the name; foreign places there still count ("Türkiye-Irak İş Konseyi")."""
    if hit.payload.country != HOME_COUNTRY or hit.payload.region:
        return False
    name = _containing(organization_spans, hit.start, hit.end)
    return name is not None and name[0] < hit.start


def _sectors(
    text: str, hits: list[Hit[Code]], project_spans: list[tuple[int, int]], cues: dict[str, Any]
) -> dict[str, list[tuple[int, int]]]:
    """Sectors the text is about, not ones named in passing in a general statement about the economy.

    A sector counts when it is named twice, in the title, in a project's name, in a sentence
    that speaks of sectors, or in an enumeration of several sectors; mentions in sentences
    about a city's or country's economy never count.
    """
    general = [re.compile(p) for p in cues["general_economy"]]
    codes_by_sentence: dict[str, set[str]] = defaultdict(set)
    for hit in hits:
        codes_by_sentence[_sentence(text, hit.start, hit.end)].add(hit.payload.code)
    sector_words = [re.compile(p) for p in cues["sector_words"]]
    title_end = text.find("\n")
    kept: dict[str, list[tuple[int, int]]] = defaultdict(list)
    strong: set[str] = set()
    for hit in hits:
        raw_sentence = _sentence(text, hit.start, hit.end)
        sentence = casefold_tr(raw_sentence)
        if any(p.search(sentence) for p in general):
            continue
        code = hit.payload.code
        kept[code].append((hit.start, hit.end))
        if (
            (title_end < 0 or hit.start < title_end)
            or any(s <= hit.start < e for s, e in project_spans)
            or any(p.search(sentence) for p in sector_words)
            or len(codes_by_sentence[raw_sentence]) >= _SECTOR_LIST
        ):
            strong.add(code)
    return {code: spans for code, spans in kept.items() if code in strong or len(spans) >= 2}
