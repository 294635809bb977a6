"""spaCy components of the kume pipelines.

Each component adds one family of facts to `doc._.kume_partial`; the last one
(`kume_extraction`) turns them into an `Extraction` (as a JSON-ready dict in `doc._.kume`,
which survives spaCy's multiprocessing) and drops the intermediate state. The statistical NER
that runs before them is used to veto places and names inside person names.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from kume.schema import (
    ActivityFact,
    CityFact,
    CountryFact,
    DateFact,
    Extraction,
    ExtractionStatus,
    MoneyFact,
    OrganizationFact,
    ProgramFact,
    ProjectFact,
    SectorFact,
    Span,
)
from kume.text import casefold_tr, sentence_around
from nlp.dates import find_dates
from nlp.gazetteer import HOME_COUNTRY, Code, Place, code_lexicon, load_toml, places_lexicon
from nlp.lexicon import Hit, Word, words_of
from nlp.money import find_money
from nlp.organizations import find_organizations
from nlp.projects import GENERIC_WORDS, find_programs, find_projects
from nlp.text import match_key, title_tr, tokens

PIPELINE_VERSION = "kume-nlp-8"

for _name in ("kume", "kume_partial", "kume_published"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

_PERSON_LABELS = {"PERSON", "PER"}
_AFTER_ALL = 1 << 62  # sorts after every end offset, for bisecting on a start offset
_SECTOR_LIST = 3  # sectors enumerated in one sentence: the participants' sectors


def _guarded(name: str, component: Callable[[Doc], Doc]) -> Callable[[Doc], Doc]:
    """Record a component's failure on the document instead of failing the whole batch."""

    def run(doc: Doc) -> Doc:
        state = _state(doc)
        if "error" in state:
            return doc
        try:
            return component(doc)
        except Exception as exc:
            state["error"] = f"{name} failed: {type(exc).__name__}: {exc}"
            return doc

    return run


def _state(doc: Doc) -> dict[str, Any]:
    if doc._.kume_partial is None:
        text = doc.text  # spaCy rebuilds Doc.text from its tokens on every access
        doc._.kume_partial = {"text": text, "words": words_of(text, doc.lang_)}
    state: dict[str, Any] = doc._.kume_partial
    return state


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


@Language.factory("kume_places")
def make_places(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    lexicon = places_lexicon()

    def places(doc: Doc) -> Doc:
        state = _state(doc)
        persons = _person_names(doc)
        state["places"] = [
            hit
            for hit in lexicon.find(state["text"], state["words"])
            if _valid_place(hit, state["words"], doc.lang_) and not _in_person_name(persons, hit)
        ]
        return doc

    return _guarded(name, places)


@Language.factory("kume_sectors")
def make_sectors(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    lexicon = code_lexicon("sectors.toml", nlp.lang)

    def sectors(doc: Doc) -> Doc:
        state = _state(doc)
        state["sectors"] = list(lexicon.find(state["text"], state["words"]))
        return doc

    return _guarded(name, sectors)


@Language.factory("kume_activities")
def make_activities(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    lexicon = code_lexicon("activities.toml", nlp.lang)

    def activities(doc: Doc) -> Doc:
        state = _state(doc)
        state["activities"] = list(lexicon.find(state["text"], state["words"]))
        return doc

    return _guarded(name, activities)


@Language.factory("kume_organizations")
def make_organizations(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    def organizations(doc: Doc) -> Doc:
        state = _state(doc)
        place_starts = frozenset(h.start for h in state.get("places", []))
        state["organizations"] = find_organizations(state["text"], state["words"], doc.lang_, place_starts)
        return doc

    return _guarded(name, organizations)


@Language.factory("kume_projects")
def make_projects(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    def projects(doc: Doc) -> Doc:
        state = _state(doc)
        state["programs"] = find_programs(state["text"])
        place_words = frozenset(match_key(h.base) for h in state.get("places", []))
        organization_spans = tuple(m for o in state.get("organizations", []) for m in o.mentions)
        state["projects"] = find_projects(
            state["text"], state["words"], state["programs"], place_words, organization_spans
        )
        return doc

    return _guarded(name, projects)


@Language.factory("kume_dates_money")
def make_dates_money(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    def dates_money(doc: Doc) -> Doc:
        state = _state(doc)
        context = getattr(doc, "_context", None)  # set by nlp.pipe(..., as_tuples=True)
        published_iso = context.get("published") if isinstance(context, dict) else None
        published_iso = published_iso or doc._.kume_published
        published = date.fromisoformat(published_iso) if published_iso else None
        state["dates"] = find_dates(state["text"], doc.lang_, published)
        state["money"] = find_money(state["text"], doc.lang_)
        return doc

    return _guarded(name, dates_money)


@Language.factory("kume_extraction")
def make_extraction(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    cues = load_toml("sector_cues.toml")

    def extraction(doc: Doc) -> Doc:
        state = _state(doc)
        if "error" in state:
            result = Extraction(
                pipeline_version=PIPELINE_VERSION, status=ExtractionStatus.ERROR, message=state["error"]
            )
        else:
            result = _assemble(state["text"], doc.lang_, state, cues)
        doc._.kume = result.model_dump(mode="json")
        doc._.kume_partial = None
        # The facts are the product: dropping the token vectors keeps the Doc that spaCy's worker
        # processes serialise back to the main process small.
        doc.tensor = numpy.zeros((0,), dtype="float32")
        return doc

    return extraction


def _assemble(text: str, language: str, state: dict[str, Any], cues: dict[str, Any]) -> Extraction:
    projects = state.get("projects", [])
    project_names = {" ".join(t for t in tokens(p.name) if t not in GENERIC_WORDS) for p in projects}
    # A project named like an organisation ("Global Fair Agency, ..., such as projects", "Aegean
    # Textile Cluster project") is the project.
    organizations = [
        o
        for o in state.get("organizations", [])
        if " ".join(t for t in tokens(o.name) if t not in GENERIC_WORDS) not in project_names
    ]
    organization_spans: list[tuple[int, ...]] = _disjoint(m for o in organizations for m in o.mentions)

    countries: dict[str, list[Span]] = defaultdict(list)
    cities: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for hit in state.get("places", []):
        place: Place = hit.payload
        if place.kind == "world_region" or _home_word_inside_name(organization_spans, hit):
            continue
        mention = _span(text, hit.start, hit.end)
        if place.kind == "city":
            name = title_tr(hit.base) if hit.base.isupper() else hit.base
            cities[(name, place.country)].append(mention)
        if place.country != HOME_COUNTRY:
            countries[place.country].append(mention)
    city_names: dict[str, tuple[str, str]] = {}
    for key in cities:
        city_names.setdefault(casefold_tr(key[0]) + key[1], key)

    project_spans = [(p.start, p.end) for p in projects]
    sectors = _sectors(text, state.get("sectors", []), project_spans, cues)
    coordinator = next((o.name for o in organizations if o.role == "coordinator"), None)

    project_facts = []
    for project in projects:
        inside = [code for code, spans in sectors.items() if any(project.start <= s.start < project.end for s in spans)]
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
    for mention in state.get("programs", []):
        programs[mention.code].append(_span(text, mention.start, mention.end))

    activities = _activities(
        text,
        [h for h in state.get("activities", []) if _containing(organization_spans, h.start, h.end) is None],
        state.get("sectors", []),
        cues,
    )

    dates: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for found in state.get("dates", []):
        dates[(found.start, found.end)].append(_span(text, found.span_start, found.span_end))

    return Extraction(
        pipeline_version=PIPELINE_VERSION,
        language=language,
        countries=[CountryFact(code=c, mentions=m) for c, m in countries.items()],
        cities=[CityFact(name=k[0], country=k[1], mentions=cities[k]) for k in city_names.values()],
        sectors=[SectorFact(code=c, mentions=m) for c, m in sectors.items()],
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
            for m in state.get("money", [])
        ],
    )


def _home_word_inside_name(organization_spans: list[tuple[int, ...]], hit: Hit[Place]) -> bool:
    """A Turkish town named by a common noun inside an organisation's name ("İstanbul Maden
    İhracatçıları Birliği": Maden is a town too). Turkish names put their place first, so a home
    town further in is a word of the name; foreign places there still count ("Türkiye-Irak İş Konseyi")."""
    if hit.payload.country != HOME_COUNTRY or hit.payload.region:
        return False
    name = _containing(organization_spans, hit.start, hit.end)
    return name is not None and name[0] < hit.start


def _activities(
    text: str, hits: list[Hit[Code]], sector_hits: list[Hit[Code]], cues: dict[str, Any]
) -> dict[str, list[Span]]:
    """Activity codes; `hits` inside organisation names ("Milli Eğitim Bakanlığı") are already left out."""
    facility = [re.compile(p) for p in cues["facility_words"]]
    opening = [re.compile(p) for p in cues["opening_words"]]
    project = [re.compile(p) for p in cues["project_words"]]
    sector_codes: dict[str, set[str]] = defaultdict(set)
    for hit in sector_hits:
        sector_codes[_sentence(text, hit.start, hit.end)].add(hit.payload.code)
    activities: dict[str, list[Span]] = defaultdict(list)
    for hit in hits:
        code = hit.payload.code
        raw_sentence = _sentence(text, hit.start, hit.end)
        if len(sector_codes[raw_sentence]) >= _SECTOR_LIST:
            continue  # "inşaat, ..., danışmanlık ve hizmetler": a list of the firms' lines of business
        sentence = casefold_tr(raw_sentence)
        if code == "launch" and any(p.search(casefold_tr(text[hit.start : hit.end])) for p in opening):
            if any(p.search(sentence) for p in facility):
                code = "facility_opening"
            elif not any(p.search(sentence) for p in project):
                continue
        activities[code].append(_span(text, hit.start, hit.end))
    return activities


def _sectors(
    text: str, hits: list[Hit[Code]], project_spans: list[tuple[int, int]], cues: dict[str, Any]
) -> dict[str, list[Span]]:
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
    kept: dict[str, list[Span]] = defaultdict(list)
    strong: set[str] = set()
    for hit in hits:
        raw_sentence = _sentence(text, hit.start, hit.end)
        sentence = casefold_tr(raw_sentence)
        if any(p.search(sentence) for p in general):
            continue
        code = hit.payload.code
        kept[code].append(_span(text, hit.start, hit.end))
        if (
            (title_end < 0 or hit.start < title_end)
            or any(s <= hit.start < e for s, e in project_spans)
            or any(p.search(sentence) for p in sector_words)
            or len(codes_by_sentence[raw_sentence]) >= _SECTOR_LIST
        ):
            strong.add(code)
    return {code: spans for code, spans in kept.items() if code in strong or len(spans) >= 2}
