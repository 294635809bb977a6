"""Support programmes and the named projects run under them.

A project is named in one of three ways: with its official code ("... Projesi (21.UR-GE.016)"),
as a designation closed by "Projesi"/"Project" ("Kimya UR-GE Projesi", "... Cooperation
Project"), or in quotes next to a cue ("“...” isimli UR-GE Projesi", "project titled “...”").
A designation whose topic is only the programme's own name is the programme, not a project.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kume.text import casefold_tr, sentence_around, sentence_spans, stop_words
from nlp.dates import _fold_same_length
from nlp.gazetteer import load_toml
from nlp.lexicon import MAX_NAME_WORDS, Word
from nlp.text import is_suffix_chain, token_jaccard, tokens

OTHER = "OTHER"
EU_FUNDED = "EU-FUNDED"
# "21.UR-GE.016", also written without its dots ("19UR-GE056").
_CODE_RE = re.compile(r"\b(\d{2})\s?\.?\s?(UR-?GE|URGE)\s?\.?\s?(\d{2,3})\b", re.IGNORECASE)
_QUOTE_RE = re.compile(r"[“\"«„]([^”\"»“\n]{4,160})[”\"»]|‘([^’\n]{4,160})’|(?<!\w)'([^'\n]{4,160})'(?!\w)")
# "..., such as valuable projects", "... gibi önemli projeler": the names before it are examples of projects.
_EXAMPLES_OF_PROJECTS_RE = re.compile(r",?[ \t]+(?:such as|gibi)(?:[ \t]+[^\W\d_]+){0,2}?[ \t]+(?:projects|projeler)")
# "projects such as A, B and C", "projects including A and B": the names after it are examples.
_PROJECTS_SUCH_AS_RE = re.compile(r"\bprojects[ \t]+(?:such as|like|including)[ \t]+")
_CLAUSE_END_RE = re.compile(r"[.!?;:()\n]")
_LIST_SEPARATOR_RE = re.compile(r"[ \t]*,[ \t]*(?:(?:and|ve)[ \t]+)?|[ \t]+(?:and|ve)[ \t]+")
_ENUMERATION_WINDOW = 300
# "Odamız Ticari Safari, ...": a possessive word opening the sentence is its subject, not a name.
_LEADING_POSSESSIVE_RE = re.compile(r"^[^\W\d_]+(?:[ıiuü]m[ıiuü]z|m[ıiuü]z)[ \t]+")
_NOUN_AFTER_QUOTE_RE = re.compile(r"\s*(?:(?:ur-?ge|urge|kobi)\s+)?(?:projesi|projemiz|project)\b")
# A coined name: letters with digits, an inner capital or all capitals ("Link4Export", "GreenLoop", "EXPOSME").
_COINED_RE = re.compile(r"^(?=.*[^\W\d_])(?:.*\d|.+[A-ZÇĞİÖŞÜ].*[a-zçğıöşü]|[A-ZÇĞİÖŞÜ0-9-]{3,}$)")
_PROGRAMME_TOKEN_RE = re.compile(r"(?i:ur|urge)")  # the first word of "UR-GE", or "URGE"
_NAME_CONNECTORS = frozenset({"ve", "ile", "için", "and", "for", "of", "the", "in", "to", "on", "-", "&"})
_STOP_WORDS = stop_words()  # "Our project" names nothing
_ORDINAL_RE = re.compile(
    r"\w+(?:inci|ıncı|uncu|üncü|nci|ncı|ncu|ncü)|first|second|third|fourth|fifth|\d+(?:st|nd|rd|th)"
)
# Words too generic to tell two projects apart when comparing names.
GENERIC_WORDS = frozenset({"projesi", "proje", "project", "ur", "ge", "urge", "ve", "and", "for", "of", "the", "için"})


@dataclass
class FoundProject:
    name: str
    start: int
    end: int
    code: str | None = None
    program: str | None = None
    mentions: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class ProgramRules:
    patterns: dict[str, list[re.Pattern[str]]]
    generic_names: frozenset[str]
    eu_union: list[re.Pattern[str]]
    eu_finance: list[re.Pattern[str]]
    nouns: tuple[str, ...]
    quote_cues: tuple[str, ...]
    cluster_words: frozenset[str]
    scheme_generic: frozenset[str]
    scheme_not_words: frozenset[str]
    scheme_cues: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=2)
def program_rules(path: Path) -> ProgramRules:
    """Programme patterns, EU-funding cues and project nouns (nlp/data/programs.toml)."""
    data: dict[str, Any] = load_toml(path)
    patterns: dict[str, list[re.Pattern[str]]] = {}
    for code, table in data["programs"].items():
        patterns[code] = [re.compile(_fold_for_patterns(p)) for p in table.get("patterns", [])]
        patterns[code] += [re.compile("(?-i:" + p + ")") for p in table.get("case_sensitive", [])]
    return ProgramRules(
        patterns=patterns,
        generic_names=frozenset(c for c, t in data["programs"].items() if t.get("generic_name")),
        eu_union=[re.compile(p) for p in data["eu_funding"]["union"]],
        eu_finance=[re.compile(p) for p in data["eu_funding"]["finance"]],
        nouns=tuple(data["projects"]["nouns"]),
        quote_cues=tuple(data["projects"]["quote_cues"]),
        cluster_words=frozenset(casefold_tr(w) for w in data["projects"]["cluster_words"]),
        scheme_generic=frozenset(casefold_tr(w) for w in data["other_schemes"]["generic"]),
        scheme_not_words=frozenset(casefold_tr(w) for w in data["other_schemes"]["not_words"]),
        scheme_cues=tuple(re.compile(p) for p in data["other_schemes"]["cues"]),
    )


def _fold_for_patterns(text: str) -> str:
    """Case folding that keeps offsets and treats ı and i alike, so English "Inter-" meets "inter-"."""
    return _fold_same_length(text).replace("ı", "i")


@dataclass
class ProgramMention:
    code: str
    start: int
    end: int


def find_programs(text: str, rules: ProgramRules) -> list[ProgramMention]:
    """Programme mentions; EU-FUNDED where a sentence names the EU together with its financing."""
    folded = _fold_for_patterns(text)
    found: list[ProgramMention] = []
    for code, patterns in rules.patterns.items():
        for pattern in patterns:
            source = text if pattern.pattern.startswith("(?-i:") else folded
            found.extend(ProgramMention(code, m.start(), m.end()) for m in pattern.finditer(source))
    for start, end in sentence_spans(folded):
        sentence = folded[start:end]
        union = next((m for p in rules.eu_union for m in p.finditer(sentence)), None)
        if union and any(p.search(sentence) for p in rules.eu_finance):
            found.append(ProgramMention(EU_FUNDED, start + union.start(), start + union.end()))
    found.extend(_named_schemes(text, folded, rules, found))
    found.sort(key=lambda m: m.start)
    return found


_SCHEME_RE = re.compile(
    r"(?:[A-ZÇĞİÖŞÜ][\w’'-]*[ \t]+(?:(?:and|ve|for|of|the|ile|için)[ \t]+)?){2,8}"
    r"(?:[Pp]rogram(?:ı|me|s|mes)?|PROGRAMI)\b"
)


def _named_schemes(text: str, folded: str, rules: ProgramRules, known: list[ProgramMention]) -> list[ProgramMention]:
    """OTHER: a support scheme outside the list, named by name ("Advanced Entrepreneurship Support
    Program", "... Ürün Programı kapsamında") in a sentence that speaks of support; a programme of the EU
    (its sentence names the Union, or an operational programme) is EU-FUNDED's, not OTHER."""
    found = []
    for match in _SCHEME_RE.finditer(text):
        name = match.group()
        if any(m.start < match.end() and match.start() < m.end for m in known) or _program_of(name, rules):
            continue
        content = set(tokens(name)) - rules.scheme_generic - _STOP_WORDS
        if len(content) < 2 or content & rules.scheme_not_words:
            continue
        left, right = sentence_around(folded, match.start(), match.end())
        sentence = folded[left:right]
        if any(p.search(sentence) for p in rules.eu_union) or not any(p.search(sentence) for p in rules.scheme_cues):
            continue
        found.append(ProgramMention(OTHER, match.start(), match.end()))
    return found


def _program_of(name: str, rules: ProgramRules) -> str | None:
    folded = _fold_for_patterns(name)
    for code, patterns in rules.patterns.items():
        if any(p.search(name if p.pattern.startswith("(?-i:") else folded) for p in patterns):
            return code
    return None


def _is_project_noun(word: Word, nouns: tuple[str, ...]) -> str | None:
    """The name's closing form ("Projesi", "Project") when `word` is the project noun with its endings.

    Turkish names close with the compound form "Projesi", which takes any case chain ("Projesi'nin",
    "Projesiyle", "projesini"), or with a first-person possessive ("Projemiz", "Projemizin"). A
    plural ("UR-GE projeleri", "UR-GE projects") speaks of the programme's projects in general, and
    the stem without a possessive ("projenin", "proje ekibi") refers back to a project named before.
    """
    folded = casefold_tr(word.head)
    for noun in nouns:
        if not folded.startswith(noun):
            continue
        rest = folded[len(noun) :]
        if noun == "project":
            return word.text[: len(noun)] if not rest else None
        if rest[:2] == "si" and is_suffix_chain(noun + "si", rest[2:]):
            return word.text[: len(noun) + 2]
        if rest[:1] == "m" and is_suffix_chain(noun, rest):
            return word.text[: len(noun)] + "si"  # "Projemiz": the name is still "... Projesi"
    return None


def find_projects(
    text: str,
    words: list[Word],
    programs: list[ProgramMention],
    rules: ProgramRules,
    place_words: frozenset[str] = frozenset(),
    organization_spans: tuple[tuple[int, int], ...] = (),
) -> list[FoundProject]:
    """Named projects; a designation whose topic is only a place (`place_words`, match keys) is not one,
    and a designation never reaches back into an organisation's name (`organization_spans`)."""
    found: list[FoundProject] = []
    codes = {m.start(): m for m in _CODE_RE.finditer(text)}

    # Designations closed by a project noun, walking back over capitalised words and connectors.
    for index, word in enumerate(words):
        noun = _is_project_noun(word, rules.nouns)
        if noun is None:
            continue
        first = index
        own_cluster: tuple[int, int] | None = None
        while first > 0 and index - first < MAX_NAME_WORDS:
            previous = words[first - 1]
            gap = text[previous.end : words[first].start]
            if "\n" in gap or gap.strip(" ,-") or (previous.head != previous.text and previous.text[:1].islower()):
                break
            inside = next(((start, end) for start, end in organization_spans if start <= previous.start < end), None)
            if inside is not None and inside != own_cluster:
                if first == index and inside[1] == previous.end and casefold_tr(previous.head) in rules.cluster_words:
                    own_cluster = inside  # "Aegean Textile Cluster project": the cluster names the project
                else:
                    break  # "Kayseri Ticaret Odası, Mobilya UR-GE Projesi": the chamber runs it
            # "Gebze OSB kimya UR-GE projesi": a lowercase sector word may stand between the name's
            # capitalised words and the programme's.
            lowercase_topic = (
                _PROGRAMME_TOKEN_RE.fullmatch(words[first].head) is not None
                and previous.head == previous.text
                and casefold_tr(previous.text) not in _STOP_WORDS
                and first >= 2
                and words[first - 2].capitalized
            )
            if (
                previous.capitalized
                or lowercase_topic
                or (previous.text in _NAME_CONNECTORS and first >= 2 and words[first - 2].capitalized)
            ):
                first -= 1
            else:
                break
        # A name never opens with a connector or a function word ("The Machinery UR-GE Project", "Our ...").
        while first < index and (
            casefold_tr(words[first].text) in _NAME_CONNECTORS | _STOP_WORDS or not words[first].capitalized
        ):
            first += 1
        if first == index:
            continue
        # A list inside a name ("Taze Kiraz, Üzüm ve Nar ...") has items of two words or more; a lone
        # word before a comma is a subject ("BTSO, Kimya Ur-Ge Projesi kapsamında").
        lead = text[words[first].start : word.start].split(",", 1)
        if len(lead) == 2 and len(lead[0].split()) == 1:
            first = next(k for k in range(first, index) if words[k].start > words[first].start + len(lead[0]))
        start = words[first].start
        if start > 0 and text[start - 1].isalnum():
            start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1  # "Link4Export": one token
        name = text[start : word.start] + noun
        name = re.sub(r"\s*\([^()]*\)\s*$", "", name.strip())
        project = FoundProject(name, start, word.start + len(noun))
        after = _CODE_RE.search(text[word.end : word.end + 20])
        if after:
            project.code = _code(after)
        topic = _topic(name, rules) - place_words
        coined = any(_COINED_RE.search(token) for token in name.split()[:-1])
        if word.text[:1].islower() and len(topic) < 2 and _program_of(name, rules) is None and not coined:
            continue  # "the Twinning project" is a kind; "Kimya UR-GE projesi", "the Link4Export project" name one
        if not topic and project.code is None:
            continue  # "UR-GE Projesi", "Uluslararası Rekabetçiliğin Geliştirilmesi (UR-GE) Projesi": the programme
        found.append(project)

    # Quoted names beside a cue.
    for match in _QUOTE_RE.finditer(text):
        group = next(g for g in (1, 2, 3) if match.group(g) is not None)
        quoted = match.group(group).strip()
        preceding = casefold_tr(text[max(0, match.start() - 25) : match.start()])
        following = casefold_tr(text[match.end() : match.end() + 40])
        cue = any(c in preceding or following.lstrip().startswith(c) for c in rules.quote_cues)
        names_project = re.search(r"\b(proje|project)", following[:30]) or re.search(r"\b(proje|project)", preceding)
        named = (
            (cue and names_project)
            or re.search(r"(projesi|project)$", casefold_tr(quoted))
            or _NOUN_AFTER_QUOTE_RE.match(following)  # "“...” UR-GE Projesi", "“...” project"
            or re.search(r"\b(?:project|projesi)\s*$", preceding)  # "the project 'Improving ...'"
        )
        if named and _topic(quoted, rules):
            found.append(FoundProject(quoted, match.start(group), match.end(group)))

    # Names enumerated as examples of projects: "Global Fair Agency, Commercial Safari, Turkish Trade
    # Centers, such as valuable projects", "Ticari Safari ve Türk Ticaret Merkezleri gibi projeler".
    for match in _EXAMPLES_OF_PROJECTS_RE.finditer(text):
        found.extend(_enumerated_names(text, match.start(), rules))
    for match in _PROJECTS_SUCH_AS_RE.finditer(text):
        found.extend(_names_listed_after(text, match.end(), rules))

    distinct_codes = {_code(m) for m in codes.values()}
    for code_match in codes.values():
        code = _code(code_match)
        if any(p.code == code for p in found):
            continue
        topics = {" ".join(_topic(p.name, rules)) for p in found}
        if len(distinct_codes) == 1 and len(topics) == 1 and not any(p.code for p in found):
            # One project named, the text's one code given apart from the name ("19UR-GE056 Kodlu ... Projesi"):
            # the code is that project's. Among several codes ("the carpet project (22.UR-GE.041) ..., the
            # chemicals project (23.UR-GE.058) ...") each code is a project of its own.
            for project in found:
                project.code = code
            continue
        found.append(FoundProject(code_match.group(0), code_match.start(), code_match.end(), code=code))
    return _merge(text, found, programs, rules)


def _code(match: re.Match[str]) -> str:
    """An official project code as the ministry writes it: "21.UR-GE.016"."""
    return f"{match.group(1)}.UR-GE.{match.group(3)}"


def _enumerated_names(text: str, end: int, rules: ProgramRules) -> list[FoundProject]:
    """The capitalised names listed right before `end` in the same sentence (two at least).

    Parsed backwards item by item instead of with one regular expression: a pattern of repeated
    capitalised words separated by optional commas backtracks without end on long capitalised runs.
    """
    start = max(0, end - _ENUMERATION_WINDOW)
    sentence_start = max(text.rfind(". ", start, end), text.rfind("\n", start, end))
    start = sentence_start + 1 if sentence_start >= 0 else start
    items: list[tuple[int, int]] = []
    parts = list(_LIST_SEPARATOR_RE.finditer(text, start, end))
    boundaries = [start, *(m.end() for m in parts)]
    separators = [m.start() for m in parts] + [end]
    for part_start, part_end in reversed(list(zip(boundaries, separators, strict=True))):
        words = list(re.finditer(r"\S+", text[part_start:part_end]))
        kept = len(words)
        while kept > 0 and (words[kept - 1].group()[:1].isupper() or words[kept - 1].group() in ("of", "for")):
            kept -= 1
        if kept == len(words) or not words:
            break
        name_start = part_start + words[kept].start()
        if words[kept].group() in ("of", "for"):
            break
        items.append((name_start, part_end))
        if kept > 0:
            break  # lowercase words before the first name: the list starts here
    return _listed_projects(text, list(reversed(items)), rules)


def _names_listed_after(text: str, start: int, rules: ProgramRules) -> list[FoundProject]:
    """The capitalised names listed from `start` to the end of the clause (two at least)."""
    end = min(len(text), start + _ENUMERATION_WINDOW)
    clause_end = _CLAUSE_END_RE.search(text, start, end)
    end = clause_end.start() if clause_end else end
    items: list[tuple[int, int]] = []
    cursor = start
    separators = list(_LIST_SEPARATOR_RE.finditer(text, start, end))
    for part_end, next_start in [*((m.start(), m.end()) for m in separators), (end, end)]:
        words = list(re.finditer(r"\S+", text[cursor:part_end]))
        kept = 0
        while kept < len(words) and (words[kept].group()[:1].isupper() or words[kept].group() in ("of", "for")):
            kept += 1
        while kept > 0 and words[kept - 1].group() in ("of", "for"):
            kept -= 1
        if kept == 0:
            break
        items.append((cursor + words[0].start(), cursor + words[kept - 1].end()))
        if kept < len(words):
            break  # lowercase words after the last name: the list ends here
        cursor = next_start
    return _listed_projects(text, items, rules)


def _listed_projects(text: str, items: list[tuple[int, int]], rules: ProgramRules) -> list[FoundProject]:
    if len(items) < 2:
        return []
    found = []
    for item_start, item_end in items:
        name = _LEADING_POSSESSIVE_RE.sub("", text[item_start:item_end])
        offset = item_end - len(name)
        if name and _topic(name, rules):
            found.append(FoundProject(name, offset, item_end, program=OTHER))
    return found


def _topic(name: str, rules: ProgramRules) -> set[str]:
    """Content words of a project name beyond the programme's own name and the project noun."""
    words = {w for w in tokens(name) if not _ORDINAL_RE.fullmatch(w)} - GENERIC_WORDS - _STOP_WORDS
    for code in rules.generic_names:
        for pattern in rules.patterns[code]:
            for match in pattern.finditer(_fold_for_patterns(name)):
                words -= set(tokens(match.group()))
    return words


def _merge(
    text: str, found: list[FoundProject], programs: list[ProgramMention], rules: ProgramRules
) -> list[FoundProject]:
    """One project per name: mentions whose content words overlap by half are the same project."""
    merged: list[FoundProject] = []
    for project in sorted(found, key=lambda p: p.start):
        project.mentions.append((project.start, project.end))
        same = next(
            (
                m
                for m in merged
                if (project.code and project.code == m.code)
                or token_jaccard(" ".join(_topic(m.name, rules)), " ".join(_topic(project.name, rules))) >= 0.5
                or _short_form_of(project.name, m.name)
                or _short_form_of(m.name, project.name)
            ),
            None,
        )
        if same is None:
            merged.append(project)
            continue
        same.mentions.extend(project.mentions)
        same.code = same.code or project.code
        if len(project.name) > len(same.name) and project.code == same.code:
            same.name = project.name
    for project in merged:
        project.program = project.program or _program_of(project.name, rules) or _program_near(text, project, programs)
    return merged


def _short_form_of(short: str, name: str) -> bool:
    """ "TWINSME" for "Dirençli KOBİ’ler için İkiz Dönüşüm (TWINSME)": the short name in parentheses."""
    return casefold_tr(short) in {casefold_tr(m) for m in re.findall(r"\(([^()]{2,20})\)", name)}


def _program_near(text: str, project: FoundProject, programs: list[ProgramMention]) -> str:
    """The programme named in the project's sentence (EU financing included), else OTHER."""
    if project.code:
        return "UR-GE"
    for start, end in project.mentions:
        sentence_start, sentence_end = sentence_around(text, start, end)
        for mention in programs:
            if sentence_start <= mention.start <= sentence_end:
                return mention.code
    return OTHER
