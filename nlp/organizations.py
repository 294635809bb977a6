"""Organisations: names closed by a head noun ("... Ticaret ve Sanayi Odası", "... Chamber of Commerce"),
abbreviations defined in the text or derivable from a name's initials, companies named in
lists, and the role a cue phrase states (coordinator, funder, host, visited).

The statistical NER of the small pipelines mislabels programme names and slogans as ORG in
this domain, so names are found by these rules and the NER only vetoes spans it marks as
persons.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry

from kume.text import casefold_tr, stop_words
from nlp.gazetteer import load_toml
from nlp.lexicon import MAX_NAME_WORDS, Word
from nlp.text import is_suffix_chain, realise_suffix, tokens

_ACRONYM_RE = re.compile(r"^[A-ZÇĞİÖŞÜ][A-ZÇĞİÖŞÜ0-9-]{1,7}$")


@dataclass
class Organization:
    names: list[str]
    mentions: list[tuple[int, int]] = field(default_factory=list)
    role: str | None = None

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True)
class OrganizationRules:
    heads: dict[str, tuple[tuple[str, ...], ...]]
    units: dict[str, frozenset[str]]
    connectors: dict[str, frozenset[str]]
    company_cues: frozenset[str]
    titles: frozenset[str]
    offices: frozenset[str]
    titles_before: frozenset[str]
    not_acronyms: frozenset[str]
    acronym_heads: dict[str, frozenset[str]]
    roles_after: dict[str, tuple[str, ...]]
    roles_before: dict[str, tuple[str, ...]]
    stop_words: frozenset[str]
    venue_heads: frozenset[str]
    venue_words: frozenset[str]
    event_words: frozenset[str]
    organ_heads: frozenset[str]
    plural_heads: frozenset[str]
    generic_words: frozenset[str]
    news_agencies: tuple[str, ...]
    known_acronyms: frozenset[str]


@lru_cache(maxsize=2)
def organization_rules(path: Path) -> OrganizationRules:
    """Head nouns, connectors, titles and role cues (nlp/data/organizations.toml)."""
    data: dict[str, Any] = load_toml(path)
    return OrganizationRules(
        heads={lang: tuple(tuple(h.split()) for h in heads) for lang, heads in data["heads"].items()},
        units={lang: frozenset(words) for lang, words in data["units"].items()},
        connectors={lang: frozenset(words) for lang, words in data["connectors"].items()},
        company_cues=frozenset(casefold_tr(w) for w in data["companies"]["cues"]),
        titles=frozenset(data["titles"]["words"]),
        offices=frozenset(data["titles"]["offices"]),
        titles_before=frozenset(data["titles"]["before"]),
        # ISO 4217 codes (pycountry) are currencies: "TRY", "USD".
        not_acronyms=frozenset(data["not_acronyms"]["words"]) | {c.alpha_3 for c in pycountry.currencies},
        acronym_heads={
            casefold_tr(letter): frozenset(casefold_tr(h) for h in heads)
            for letter, heads in data["acronym_heads"].items()
        },
        roles_after={role: tuple(casefold_tr(c) for c in cues) for role, cues in data["roles"]["after"].items()},
        roles_before={role: tuple(casefold_tr(c) for c in cues) for role, cues in data["roles"]["before"].items()},
        stop_words=stop_words(),
        venue_heads=frozenset(casefold_tr(w) for w in data["venues"]["heads"]),
        venue_words=frozenset(casefold_tr(w) for w in data["venues"]["words"]),
        event_words=frozenset(casefold_tr(w) for w in data["events"]["words"]),
        organ_heads=frozenset(casefold_tr(w) for w in data["organs"]["heads"]),
        plural_heads=frozenset(casefold_tr(w) for w in data["generic"]["plural_heads"]),
        generic_words=frozenset(casefold_tr(w) for w in data["generic"]["words"]),
        news_agencies=tuple(" ".join(tokens(n)) for n in data["news_agencies"]["names"]),
        known_acronyms=frozenset(data["registry"]["acronyms"]),
    )


def _gap(text: str, left: Word, right: Word) -> str:
    return text[left.end : right.start]


@lru_cache(maxsize=8)
def _head_initials(heads: tuple[tuple[str, ...], ...]) -> frozenset[str]:
    return frozenset(head[0][:3] for head in heads)


def _head_at(words: list[Word], index: int, heads: tuple[tuple[str, ...], ...]) -> tuple[int, int] | None:
    """(number of words, end offset of the head form) when a head noun starts at `index`."""
    if words[index].text[:3] not in _head_initials(heads):
        return None
    for head in heads:
        last = index + len(head) - 1
        if last >= len(words):
            continue
        if any(words[index + k].text != head[k] for k in range(len(head) - 1)):
            continue
        word, form = words[last], head[-1].rstrip(".")
        if word.head == form or word.text == form:
            return len(head), word.start + len(form)
        if word.text.startswith(form) and is_suffix_chain(casefold_tr(form), casefold_tr(word.text[len(form) :])):
            return len(head), word.start + len(form)
    return None


_STATE_PREFIX_RE = re.compile(r"^(?:T\.[ \t]?C\.|Türkiye Cumhuriyeti|Republic of T(?:urkey|ürkiye))[ \t]+")
_LEGAL_FORM_RE = re.compile(r"[ \t]+(?:A\.[ \t]?Ş\.|Ltd\.?[ \t]*Şti\.|Ltd\.|Inc\.|GmbH|S\.A\.|Zrt\.|LLC)")
_DEMONYM_RE = re.compile(r"l[ıiuü]$")  # "Bursalı firmaları": firms from Bursa
_BRANCH = ("Şubesi", "Branch")
_COMPLEMENT = frozenset({"of", "in", "for"})
# Title-cased headlines capitalise these too ("... Yelpazesi İle Önemli Bir Sanayi Merkezi").
_CAPITALISED_JOINERS = frozenset({"ve", "ile", "bir", "için", "and", "of", "for", "with", "a", "an"})
_POSSESSIVE_S_RE = re.compile(r"['’]s?$")  # "Exporters'", "Turkey's"
_POSSESSIVE_RE = re.compile(r"(?:[ıiuü]?m[ıiuü]z|[ıiuü]m)$")


def _sentence_start(text: str, position: int) -> bool:
    before = text[max(0, position - 3) : position].strip(" \"“'‘")
    return not before or before[-1] in ".!?:\n"


def _ends_name(words: list[Word], index: int, heads: tuple[tuple[str, ...], ...], rules: OrganizationRules) -> bool:
    word = words[index]
    if word.text in rules.titles or word.text.startswith("Yardımcı"):
        return True
    return any(_head_at(words, index - len(h) + 1, (h,)) is not None for h in heads if index - len(h) + 1 >= 0)


def _modifier(word: Word) -> bool:
    return word.capitalized and word.head == word.text


def _is_acronym(word: Word, rules: OrganizationRules) -> bool:
    return bool(_ACRONYM_RE.match(word.head)) and len(word.head) >= 2 and word.head not in rules.not_acronyms


def _initials(name: str, rules: OrganizationRules, language: str) -> str:
    return "".join(w[0] for w in name.split() if w and w not in rules.connectors[language] and w[0].isalpha())


def _acronym_of(acronym: str, name: str, rules: OrganizationRules, language: str) -> bool:
    """Whether the acronym's letters are the name's word initials in order (connectors may be skipped)."""
    # Dotless and dotted I are one letter here: "IKBİB" is written for İKBİB (İzmir Kimya ...).
    letters = casefold_tr(acronym.replace("-", "")).replace("ı", "i")
    initials = casefold_tr(_initials(name, rules, language)).replace("ı", "i")
    if not letters or not initials or letters[0] != initials[0]:
        return False
    position = 0
    for char in letters:
        position = initials.find(char, position)
        if position < 0:
            return False
        position += 1
    return True


def _turkish_acronym_of(acronym: str, name: str, rules: OrganizationRules) -> bool:
    """Whether `acronym` is the Turkish abbreviation of a body named in English ("ESO" for Eskişehir
    Chamber of Industry, Eskişehir Sanayi Odası): Turkish chambers, exchanges and unions abbreviate
    as the city's initial, the middle words' initials, then the head's ("O" for Odası, "B" for
    Birliği or Borsası), so the first and last letters are known from the English name."""
    heads = rules.acronym_heads.get(casefold_tr(acronym[-1:]), frozenset())
    words = set(tokens(name))
    return casefold_tr(name[:1]) == casefold_tr(acronym[:1]) and bool(words & heads)


def _all_caps_line(text: str, position: int) -> bool:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    line = text[start : end if end >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def find_organizations(
    text: str,
    words: list[Word],
    language: str,
    rules: OrganizationRules,
    place_spans: frozenset[tuple[int, int]] = frozenset(),
    persons: tuple[tuple[int, int], ...] = (),
    common_word: Callable[[str], bool] = lambda word: False,
    country_starts: frozenset[int] = frozenset(),
) -> list[Organization]:
    """Organisations in `text`. Words of `place_spans` are places, never acronyms ("BURSA (DÜNYA)"), and a
    name that is all one place ("Rusya Federasyonu") is the country; a name never reaches back into a
    person's name (`persons`, from the NER) nor takes a sentence-opening common word (`common_word`)."""
    place_starts = frozenset(start for start, _ in place_spans)
    connectors = rules.connectors[language]
    heads = rules.heads[language]
    spans: list[tuple[int, int, int, int]] = []  # (first word, last word, start, end)
    index = 0
    while index < len(words):
        head = _head_at(words, index, heads)
        if head is None:
            index += 1
            continue
        length, head_end = head
        first = index
        # Walk back over capitalised words (and connectors between them) on the same line.
        while first > 0 and index - first < MAX_NAME_WORDS:
            previous = words[first - 1]
            gap = _gap(text, previous, words[first])
            # Parentheses may stand inside an English name ("Rhone-Alpes (Lyon) Chamber"); in Turkish
            # they close an abbreviation ("Derneği (MÜSİAD) Bursa Şubesi") and are handled as branches.
            if gap.strip(" -’'" + ("()" if language == "en" else "")) or "\n" in gap:
                break
            if gap.strip() in ("-", "–") and " " in gap:
                break  # "FATİH MEHMET KÜRKÇÜ - Türkiye ... Derneği": a dash between spaces separates
            if any(s <= previous.start < e for s, e in persons):
                break  # "Müşavir Ayşe Kaya ve Ticaret Bakanlığı": a person's name is not the name's first part
            if _ends_name(words, first - 1, heads, rules) and not (
                words[index + length - 1].head in rules.units[language] and previous.text not in rules.titles
            ):
                break  # the previous word closes another name or a person's title
            if (_modifier(previous) and casefold_tr(previous.text) not in _CAPITALISED_JOINERS) or (
                previous.text in connectors
                and first >= 2
                and _modifier(words[first - 2])
                and not gap.strip()
                and not _ends_name(words, first - 2, heads, rules)
            ):
                first -= 1
            else:
                break
        while first < index and (
            words[first].text in connectors
            or casefold_tr(words[first].text) in rules.stop_words
            or (
                _sentence_start(text, words[first].start)
                and words[first].start not in place_starts  # "Erzurum Ticaret ve Sanayi Odası", not "Odamız"
                and (
                    _POSSESSIVE_RE.search(words[first].text)
                    or (common_word(words[first].text) and index - first >= 2)  # "Toplantıda Konya ... Odası"
                )
            )
        ):
            first += 1
        last = index + length - 1
        end = head_end
        legal = _LEGAL_FORM_RE.match(text, end)
        if legal:
            end = legal.end()  # "Örnek Teknopark A.Ş."
        if language == "en":
            # "Chamber of Commerce and Industry", "Consulate General in Barcelona"
            cursor = last
            while (
                cursor + 2 < len(words)
                and words[cursor + 1].text in (connectors if cursor > last else _COMPLEMENT)
                and not _gap(text, words[cursor], words[cursor + 1]).strip()
                and _modifier(words[cursor + 2])
                and words[cursor + 2].text not in rules.titles
            ):
                cursor += 2
                while (
                    cursor + 1 < len(words)
                    and _modifier(words[cursor + 1])
                    and words[cursor + 1].text not in rules.titles
                    and _gap(text, words[cursor], words[cursor + 1]) in (" ", "-")  # "Research-Based"
                ):
                    cursor += 1
            if cursor > last:
                last, end = cursor, words[cursor].start + len(words[cursor].head)
        if first < index or last > index + length - 1:
            while spans and spans[-1][0] >= first:
                spans.pop()  # the parent body named inside a unit's name ("Toros Üniversitesi ... Merkezi")
            spans.append((first, last, words[first].start, end))
        index = last + 1

    organizations: list[Organization] = []
    by_key: dict[str, Organization] = {}

    def add(name: str, start: int, end: int) -> Organization:
        key = " ".join(tokens(name))
        organization = by_key.get(key)
        if organization is None:
            organization = Organization([name])
            by_key[key] = organization
            organizations.append(organization)
        organization.mentions.append((start, end))
        return organization

    # A branch belongs to its parent's name: "... Derneği (MÜSİAD) Bursa Şubesi".
    joined: list[tuple[int, int, int, int]] = []
    for span in spans:
        between = text[joined[-1][3] : span[2]] if joined else ""
        if joined and words[span[1]].text.startswith(_BRANCH) and re.fullmatch(r"\s*(\([^()]{2,10}\))?\s*", between):
            joined[-1] = (joined[-1][0], span[1], joined[-1][2], span[3])
        else:
            joined.append(span)
    spans = joined

    # "A /B": one body named by both parts ("Dış Ekonomik İlişkiler Kurulu/Türkiye-Irak İş Konseyi").
    merged: list[tuple[int, int, int, int]] = []
    for span in spans:
        if merged and text[merged[-1][3] : span[2]].strip() == "/" and span[0] == merged[-1][1] + 1:
            before = merged.pop()
            combined = add(text[before[2] : span[3]], before[2], span[3])
            for part in (text[before[2] : before[3]], text[span[2] : span[3]]):
                if part not in combined.names:
                    combined.names.append(part)
                by_key.setdefault(" ".join(tokens(part)), combined)
            merged.append((before[0], span[1], before[2], span[3]))
            continue
        merged.append(span)
        add(text[span[2] : span[3]], span[2], span[3])

    _add_companies(text, words, rules, add, place_starts, common_word)
    _resolve_acronyms(text, words, language, rules, organizations, add, place_starts, country_starts)
    _merge_contained(organizations)
    _merge_organs(organizations, rules)
    organizations = [
        o
        for o in organizations
        if not _title_only(text, o, rules)
        and not _news_agency(o, rules)
        and not _event_name(text, o, rules)
        and not _venue(text, o, rules)
        and not _membership_only(text, o, language)
        and not _generic_plural(o, rules, language)
        and not all(m in place_spans for m in o.mentions)
    ]
    for organization in organizations:
        organization.role = _role(text, organization, rules)
        for name in list(organization.names):
            bare = _STATE_PREFIX_RE.sub("", name)
            if bare != name and len(bare.split()) >= 2 and bare not in organization.names:
                organization.names.append(bare)  # "T.C. Ticaret Bakanlığı" is also "Ticaret Bakanlığı"
    return organizations


def _company_noun(word: Word, rules: OrganizationRules) -> bool:
    """ "firmaları", "şirketlerini", "firmasıyla": the company noun in the compound form that follows a
    name ("Leto Trade firması"), with any case ending; "firmalarımız" (our firms) names no one."""
    if not word.text[:1].islower():
        return False
    folded = casefold_tr(word.text)
    for stem in rules.company_cues:
        if not folded.startswith(stem):
            continue
        for marker in ("lArI", "(s)I"):
            form = stem + (realise_suffix(marker, stem) or "")
            rest = folded[len(form) :]
            if folded.startswith(form) and not rest.startswith("m") and is_suffix_chain(form, rest):
                return True
    return False


def _add_companies(
    text: str,
    words: list[Word],
    rules: OrganizationRules,
    add: Any,
    place_starts: frozenset[int],
    common_word: Callable[[str], bool],
) -> None:
    """Capitalised names listed right before a company word: "Leto Trade, Urves ile Moskraski firmalarını"."""
    for index, word in enumerate(words):
        if index == 0 or not _company_noun(word, rules):
            continue  # a capitalised "Firmaları" belongs to a generic title-cased phrase
        names: list[list[Word]] = [[]]
        cursor = index - 1
        while cursor >= 0 and index - cursor < MAX_NAME_WORDS:
            candidate = words[cursor]
            gap = _gap(text, candidate, words[cursor + 1])
            if "\n" in gap or gap.strip(" ,"):
                break
            if _modifier(candidate) and casefold_tr(candidate.text) not in rules.stop_words:
                if gap.strip() == "," and names[-1]:
                    names.append([])
                names[-1].insert(0, candidate)
            elif candidate.text in ("ile", "ve", "and") and names[-1]:
                names.append([])
            else:
                break
            cursor -= 1
        for name_words in names:
            # "Bursalı firmaları", "Türk firmaları", "Kazak firmaları": firms of a place, not a name.
            single = name_words[0] if len(name_words) == 1 else None
            if single is not None and (
                _DEMONYM_RE.search(single.text)
                or single.start in place_starts
                or (_sentence_start(text, single.start) and common_word(single.text))  # "Katılan firmalar"
            ):
                continue
            if name_words:
                add(text[name_words[0].start : name_words[-1].end], name_words[0].start, name_words[-1].end)


def _resolve_acronyms(
    text: str,
    words: list[Word],
    language: str,
    rules: OrganizationRules,
    organizations: list[Organization],
    add: Any,
    place_starts: frozenset[int],
    country_starts: frozenset[int],
) -> None:
    defined: dict[str, Organization] = {}
    # "(BTSO)" right after a name defines it.
    for organization in list(organizations):
        for _start, end in organization.mentions:
            match = re.match(r"\s*\(([^()\s]{2,10})\)", text[end : end + 14])
            if match and _ACRONYM_RE.match(match.group(1)):
                defined.setdefault(match.group(1), organization)
    standalone: dict[str, list[tuple[int, int]]] = {}
    branches: dict[str, list[tuple[int, int]]] = {}
    named = [m for o in organizations for m in o.mentions]
    for index, word in enumerate(words):
        if not _is_acronym(word, rules) or word.start in place_starts or _all_caps_line(text, word.start):
            continue
        if text[word.start - 1 : word.start] != "(" and any(start <= word.start < end for start, end in named):
            continue  # a capitalised word of a name found ("ZEN Fuarcılık", "TÜRKİYE Lojistikçiler Meclisi")
        following = words[index + 1] if index + 1 < len(words) else None
        if (
            following is not None
            and following.start in place_starts
            and following.start not in country_starts  # "DENİB ABD'de": where it went, not a branch
            and text[word.end : following.start] == " "
        ):
            # "MÜSİAD Münih": the association's branch in that city.
            end = following.start + len(following.head)
            branches.setdefault(text[word.start : end], []).append((word.start, end))
            continue
        standalone.setdefault(word.head, []).append((word.start, word.start + len(word.head)))
    for acronym, mentions in standalone.items():
        owner = defined.get(acronym) or next(
            (
                o
                for o in organizations
                for n in o.names[:1]
                if _acronym_of(acronym, n, rules, language) or _opens_name(acronym, o, rules)
            ),
            None,
        )
        if owner is None:
            owner = next((o for o in organizations if _turkish_acronym_of(acronym, o.name, rules)), None)
        if owner is not None:
            if acronym not in owner.names:
                owner.names.append(acronym)
            owner.mentions.extend(mentions)
        elif (len(mentions) >= 2 or acronym in rules.known_acronyms) and not any(
            text[s - 1 : s] == "(" for s, _ in mentions
        ):
            for start, end in mentions:
                add(acronym, start, end)
    for branch, mentions in branches.items():
        acronym, city = branch.split(" ", 1)
        parent = defined.get(acronym)
        if parent is not None and city in parent.name:
            # The branch the text is about: "MÜSİAD Bursa" for "... Derneği (MÜSİAD) Bursa Şubesi".
            parent.names.append(branch) if branch not in parent.names else None
            parent.mentions.extend(mentions)
        else:
            for start, end in mentions:
                add(branch, start, end)


def _opens_name(acronym: str, organization: Organization, rules: OrganizationRules) -> bool:
    """ "ZEN" for "ZEN Fuarcılık": an abbreviation that opens the name is that body's short name, unless
    it is a national body of its own ("KOSGEB Aksu ... Müdürlüğü" is its branch)."""
    words = organization.name.split()
    return len(words) >= 2 and words[0] == acronym and acronym not in rules.known_acronyms


def _merge_contained(organizations: list[Organization]) -> None:
    """A name whose words all occur in a longer name of the text is that organisation, shortened; a
    name that is another's abbreviation is that organisation ("NTSO firmaları": the chamber's firms)."""
    for organization in sorted(organizations, key=lambda o: len(tokens(o.name))):
        words = set(tokens(organization.name))
        for other in organizations:
            if other is organization or not other.mentions:
                continue
            if organization.name in other.names[1:] or (
                len(words) >= 2 and len(tokens(other.name)) > len(words) and words <= set(tokens(other.name))
            ):
                other.names.extend(n for n in organization.names if n not in other.names)
                other.mentions.extend(organization.mentions)
                organization.mentions.clear()
                break
    organizations[:] = [o for o in organizations if o.mentions]


def _merge_organs(organizations: list[Organization], rules: OrganizationRules) -> None:
    """ "NTSO Mobilya Konseyi" is NTSO's council: an organ named after another body's abbreviation is
    that body."""
    by_acronym = {n: o for o in organizations for n in o.names[1:] if _ACRONYM_RE.match(n)}
    for organization in organizations:
        words = organization.name.split()
        parent = by_acronym.get(words[0]) if len(words) >= 2 else None
        if parent is None or parent is organization or casefold_tr(words[-1]) not in rules.organ_heads:
            continue
        parent.names.extend(n for n in organization.names if n not in parent.names)
        parent.mentions.extend(organization.mentions)
        organization.mentions.clear()
    organizations[:] = [o for o in organizations if o.mentions]


def _event_name(text: str, organization: Organization, rules: OrganizationRules) -> bool:
    """ "Export Committee Meeting and Autumn Assembly", "Regional Chambers Summit": an event word in or
    right after the name."""
    if any(casefold_tr(word) in rules.event_words for word in tokens(organization.name)):
        return True
    return all(tokens(text[end : end + 16])[:1] in ([w] for w in rules.event_words) for _, end in organization.mentions)


# "Türkiye'nin Avrupa Birliği'ne tam üyelik süreci", "Macaristan'ın Avrupa Birliği üyesi olması", "EU member
# states": a union spoken of as what one joins or belongs to, not as a body that acts; "Odası üyeleri"
# (the chamber's members) is the chamber acting through them.
_MEMBERSHIP_AFTER = {
    "tr": re.compile(r"^(?:['’](?:n|y)?[ae])?\s*(?:\([^()]{1,12}\)\s*)?(?:tam\s+)?üye(?!ler)"),
    "en": re.compile(r"^\s*(?:\([^()]{1,12}\)\s*)?(?:member\s+states?|membership|accession)"),
}
_MEMBERSHIP_BEFORE = re.compile(r"(?:members?\s+of|join(?:s|ed|ing)?|accession\s+to|membership\s+of)\s+(?:the\s+)?$")


def _membership_only(text: str, organization: Organization, language: str) -> bool:
    after = _MEMBERSHIP_AFTER[language]
    return all(
        after.match(casefold_tr(text[end : end + 40]))
        or (language == "en" and _MEMBERSHIP_BEFORE.search(text[max(0, start - 30) : start]))
        for start, end in organization.mentions
    )


_LOCATIVE_RE = re.compile(r"^['’]?n?(?:da|de|ta|te)\b")


def _venue(text: str, organization: Organization, rules: OrganizationRules) -> bool:
    """A centre that is a place where something is held (guideline: venues are not listed): a fair,
    congress or culture centre, or one only ever named as where ("... Merkezi'nde")."""
    name = organization.name
    if all(tokens(text[end : end + 12])[:1] in ([h] for h in rules.venue_heads) for _, end in organization.mentions):
        return True  # "the Cedar Assembly Hall": the name of a hall
    if not any(casefold_tr(word) in rules.venue_heads for word in name.split()[-2:]):
        return False
    if any(casefold_tr(word) in rules.venue_words for word in tokens(name)):
        return True
    return all(_LOCATIVE_RE.match(casefold_tr(text[end : end + 6])) for _, end in organization.mentions)


def _news_agency(organization: Organization, rules: OrganizationRules) -> bool:
    name = " ".join(tokens(organization.name))
    return any(agency in name for agency in rules.news_agencies)


def _generic_plural(organization: Organization, rules: OrganizationRules, language: str) -> bool:
    """ "Sanayici Dernekleri", "Chambers of Industry": a plural head with nothing that names one body
    (no place, no proper word) speaks of such bodies in general."""
    words = organization.name.split()
    if not any(casefold_tr(w.strip("’'")) in rules.plural_heads for w in words):
        return False
    connectors = rules.connectors[language]
    return all(casefold_tr(_POSSESSIVE_S_RE.sub("", w)) in rules.generic_words or w in connectors for w in words)


_DEFINITION_RE = re.compile(r"\s*\([^()\s]{2,10}\)")  # "(SIA)" after the name it abbreviates


@lru_cache(maxsize=4)
def _title_before_re(titles: frozenset[str]) -> re.Pattern[str]:
    """ "deputy director-general of the World Customs Organization", "commissioner for ... of the Savanna Union"."""
    alternatives = "|".join(sorted(map(re.escape, titles), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b[^.;:()]{{0,80}}?\bof\s+(?:the\s+)?$", re.IGNORECASE)


def _in_title(text: str, start: int, end: int, after: frozenset[str], before: frozenset[str]) -> bool:
    """Whether the mention is part of a person's title: one of `after` follows it (Turkish, "... Odası
    Başkanı"), or one of `before` and "of" precede it (English, "President of the ...")."""
    definition = _DEFINITION_RE.match(text, end)
    following = text[definition.end() if definition else end :][:30].split()
    if following and following[0].strip(",.;:") in after:
        return True
    return _title_before_re(before).search(text[max(0, start - 100) : start]) is not None


def _title_only(text: str, organization: Organization, rules: OrganizationRules) -> bool:
    mentions = sorted({m for m in organization.mentions if text[m[0] - 1 : m[0]] != "("})
    if not mentions:
        return False
    offices_before = frozenset(office.lower() for office in rules.offices)
    if all(_in_title(text, start, end, rules.offices, offices_before) for start, end in mentions):
        return True
    # Named once in a title, the body is the person's affiliation, unless a role is stated ("Lale
    # Derneği Başkanı X'in ev sahipliğinde": the association hosts through its head).
    single = len(mentions) == 1 and _in_title(text, *mentions[0], rules.titles, rules.titles_before)
    return single and _role(text, organization, rules) is None


def _role(text: str, organization: Organization, rules: OrganizationRules) -> str | None:
    """The first role a cue states next to a mention: after the name in Turkish, before it in English."""
    for start, end in sorted(organization.mentions):
        after = casefold_tr(text[end : end + 50])
        before = casefold_tr(text[max(0, start - 30) : start])
        for role in rules.roles_after:
            if any(cue in after for cue in rules.roles_after[role]) or any(
                cue in before for cue in rules.roles_before.get(role, ())
            ):
                return role
    return None
