"""Activities: the activity vocabulary of shared/eval/README.md, read from phrases and their sentences.

Phrases come from nlp/data/activities.toml; the sentence around each decides what it is:
  - an opening, start or approval is a project's launch only when its sentence names a project,
    a facility opening when it names a facility, and neither when it opens a fair; a facility to
    be opened ("kurulacak", "will be set up") needs its sentence to name the facility;
  - a bare "heyet" / "delegation" is a trade delegation only when its sentence sends it to a foreign
    place or places it there (dative or locative: "Moskova'ya", "in Moscow"; not "Rusya'dan gelen
    heyet", an inbound visit), or the text names a trade delegation explicitly elsewhere;
  - words in a list of the firms' lines of business ("inşaat, ..., danışmanlık ve hizmetler") are none;
  - a visit, forum, summit or meeting is `other` only in a text that reports no activity of the
    vocabulary besides it (during a trip abroad it is part of the trade delegation);
  - a Turkish activity noun made a person's or a trade's name by -CI ("ziyaretçi", "fuarcılık") is none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from kume.text import casefold_tr, sentence_around
from nlp.gazetteer import HOME_COUNTRY, Code, Place, load_toml
from nlp.lexicon import Hit

_SECTOR_LIST = 3  # sectors enumerated in one sentence: the participants' sectors
# Where a delegation goes or is: the dative or locative of a place ("Moskova'ya", "Irak'ta"), "to/in/at X".
_DESTINATION_TR = re.compile(r"^['’]?(?:y|n)?(?:a|e|da|de|ta|te)(?:ki)?$")
_NEXT_WORDS = re.compile(r"[ \t]+([^\W\d_]+)(?:[ \t]+([^\W\d_]+))?")
# On the head noun after the place, the dative needs its buffer ("kentine", "bölgesine"): a bare final
# vowel is any word's ("Fransa").
_CASE_ENDING_TR = re.compile(r"(?:n[ae]|y[ae]|d[ae]|t[ae]|d[ae]ki|t[ae]ki)$")
_DESTINATION_EN = re.compile(r"\b(?:to|in|at|visited|visiting|visit)\s+(?:the\s+)?$")
_RELATIVE_BEFORE_EN = re.compile(r"\b(?:that|which|who|we|they)\b(?:\s+\w+){0,2}\s*$")
_AGENT_TR = re.compile(r"^[cç][ıiuü]")  # "ziyaretçi": a visitor, not a visit


@dataclass(frozen=True)
class ActivityCues:
    facility: tuple[re.Pattern[str], ...]
    opening: tuple[re.Pattern[str], ...]
    project: tuple[re.Pattern[str], ...]
    launch_only: tuple[re.Pattern[str], ...]
    bare_delegation: tuple[str, ...]


def _compiled(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@lru_cache(maxsize=2)
def activity_cues(path: Path) -> ActivityCues:
    """The sentence cues of nlp/data/sector_cues.toml that decide what an activity phrase reports."""
    data: dict[str, Any] = load_toml(path)
    return ActivityCues(
        facility=_compiled(data["facility_words"]),
        opening=_compiled(data["opening_words"]),
        project=_compiled(data["project_words"]),
        launch_only=_compiled(data["launch_only_words"]),
        bare_delegation=tuple(casefold_tr(w) for w in data["bare_delegation"]),
    )


def find_activities(
    text: str,
    language: str,
    hits: list[Hit[Code]],
    alone: list[Hit[Code]],
    cues: ActivityCues,
    sector_hits: list[Hit[Code]],
    places: list[Hit[Place]],
) -> list[Hit[Code]]:
    """Activity mentions from the phrase `hits` (those inside organisation names already left out), and
    from the `alone` phrases (visits, forums, meetings) when nothing else is reported."""
    sector_codes: dict[tuple[int, int], set[str]] = defaultdict(set)
    for hit in sector_hits:
        sector_codes[sentence_around(text, hit.start, hit.end)].add(hit.payload.code)
    fair_sentences = {sentence_around(text, h.start, h.end) for h in hits if h.payload.code == "fair"}
    explicit_trade = any(h.payload.code == "trade_delegation" and not is_bare_delegation(h, cues) for h in hits)
    if language == "tr":
        hits, alone = [h for h in hits if not _agent_noun(text, h)], [h for h in alone if not _agent_noun(text, h)]
    kept: list[Hit[Code]] = []
    for hit in hits:
        bounds = sentence_around(text, hit.start, hit.end)
        if len(sector_codes[bounds]) >= _SECTOR_LIST:
            continue
        sentence = casefold_tr(text[bounds[0] : bounds[1]])
        code = hit.payload.code
        opening = code == "launch" and any(p.search(casefold_tr(text[hit.start : hit.end])) for p in cues.opening)
        if (opening or code == "facility_opening") and bounds in fair_sentences:
            continue  # a fair's opening
        if code == "facility_opening" and not any(p.search(sentence) for p in cues.facility):
            continue
        phrase = casefold_tr(text[hit.start : hit.end])
        if opening and language == "en" and _RELATIVE_BEFORE_EN.search(casefold_tr(text[bounds[0] : hit.start])):
            continue  # "the projects that we launched" describes projects
        if opening:
            if any(p.search(sentence) for p in cues.facility) and not any(p.search(phrase) for p in cues.launch_only):
                hit = replace(hit, payload=Code("facility_opening"))
            elif not any(p.search(sentence) for p in cues.project):
                continue
        bare = is_bare_delegation(hit, cues) and not explicit_trade
        if bare and (not _sent_abroad(text, language, bounds, places) or _other_kind_in(hits, hit, bounds)):
            continue
        kept.append(hit)
    return kept or alone


def _agent_noun(text: str, hit: Hit[Code]) -> bool:
    """ "fuarcılık", "ziyaretçi": -CI makes a person or trade of the activity, which is no activity."""
    return bool(_AGENT_TR.match(casefold_tr(text[hit.start + len(hit.base) : hit.end])))


def _other_kind_in(hits: list[Hit[Code]], hit: Hit[Code], bounds: tuple[int, int]) -> bool:
    """Another kind of activity in the delegation's sentence: it is that activity's delegation (a fair's,
    a training trip's), not a trade delegation of its own."""
    return any(
        other.payload.code not in ("trade_delegation", "b2b_meetings") and bounds[0] <= other.start < bounds[1]
        for other in hits
    )


def is_bare_delegation(hit: Hit[Code], cues: ActivityCues) -> bool:
    """ "heyet", "delegation" alone, not "ticaret heyeti" or "trade delegation"."""
    return (
        hit.payload.code == "trade_delegation"
        and hit.first_word == hit.last_word
        and casefold_tr(hit.base).startswith(cues.bare_delegation)
    )


def _sent_abroad(text: str, language: str, bounds: tuple[int, int], places: list[Hit[Place]]) -> bool:
    """Whether the sentence names a foreign place the delegation goes to or is in (not one it comes from)."""
    for place in places:
        if not (bounds[0] <= place.start and place.end <= bounds[1]) or place.payload.country == HOME_COUNTRY:
            continue
        if place.payload.kind == "world_region":
            continue
        if language == "tr":
            # The case ends the noun phrase: "Moskova'ya", "Gürcistan'ın Batum kentinde", "Sofya ve Varna kentlerine".
            following = _NEXT_WORDS.match(text, place.end)
            words = [casefold_tr(text[place.start + len(place.base) : place.end])]
            words += [casefold_tr(w) for w in (following.group(1), following.group(2)) if w] if following else []
            if _DESTINATION_TR.match(words[0]) or any(_CASE_ENDING_TR.search(w) for w in words[1:]):
                return True
        elif _DESTINATION_EN.search(casefold_tr(text[max(0, place.start - 12) : place.start])):
            return True
    return False
