"""The facts kume's spaCy components hand to each other, as typed Doc extensions.

Each fact family has one slot, `doc._.<name>`, and a typed handle (`PLACES.get(doc)` is a
`list[Hit[Place]]` to mypy). A component's factory declares the slots it `assigns` and the ones
it `requires` with the same `attr` strings, so `nlp.analyze_pipes()` checks the order of a
pipeline and a missing producer fails loudly (`MissingFact`) instead of yielding nothing.
`kume_extraction` turns the facts into an `Extraction` and empties every slot: what leaves the
pipeline is `doc._.kume`, the extraction as a JSON-ready dict (it survives spaCy's
multiprocessing, which pickles no Python objects in `Doc.user_data`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from spacy.tokens import Doc

if TYPE_CHECKING:
    from nlp.dates import FoundDate
    from nlp.events import FoundEvent
    from nlp.gazetteer import Code, Place
    from nlp.lexicon import Hit, Word
    from nlp.money import FoundMoney
    from nlp.organizations import Organization
    from nlp.projects import FoundProject, ProgramMention

T = TypeVar("T")


class MissingFact(LookupError):
    """A component ran before the component that assigns the fact it requires."""


@dataclass(frozen=True)
class Fact(Generic[T]):
    """One typed slot on the Doc: `doc._.<name>`, None until its component has run."""

    name: str

    @property
    def attr(self) -> str:
        """The slot as spaCy's `assigns`/`requires` name it."""
        return f"doc._.{self.name}"

    def register(self) -> None:
        if not Doc.has_extension(self.name):
            Doc.set_extension(self.name, default=None)

    def get(self, doc: Doc) -> T:
        value = doc._.get(self.name)
        if value is None:
            raise MissingFact(f"{self.attr} is not set: the component that assigns it must run first")
        return cast(T, value)

    def set(self, doc: Doc, value: T) -> None:
        doc._.set(self.name, value)

    def clear(self, doc: Doc) -> None:
        doc._.set(self.name, None)


TEXT: Fact[str] = Fact("kume_text")  # spaCy rebuilds Doc.text from its tokens on every access
WORDS: Fact[list[Word]] = Fact("kume_words")
PLACES: Fact[list[Hit[Place]]] = Fact("kume_places")
ORGANIZATIONS: Fact[list[Organization]] = Fact("kume_organizations")
PROGRAMS: Fact[list[ProgramMention]] = Fact("kume_programs")
PROJECTS: Fact[list[FoundProject]] = Fact("kume_projects")
# Every phrase that names a sector, and the sectors the text is about (code -> mention offsets).
SECTOR_MENTIONS: Fact[list[Hit[Code]]] = Fact("kume_sector_mentions")
SECTORS: Fact[dict[str, list[tuple[int, int]]]] = Fact("kume_sectors")
ACTIVITIES: Fact[list[Hit[Code]]] = Fact("kume_activities")
DATES: Fact[list[FoundDate]] = Fact("kume_dates")
MONEY: Fact[list[FoundMoney]] = Fact("kume_money")
EVENTS: Fact[list[FoundEvent]] = Fact("kume_events")
# Why a component failed on this document; the components after it skip the document.
ERROR: Fact[str] = Fact("kume_error")
# The publication date (ISO) when the caller passes it on the Doc instead of as spaCy's context.
PUBLISHED: Fact[str] = Fact("kume_published")
# The result: Extraction.model_dump(mode="json").
RESULT: Fact[dict[str, Any]] = Fact("kume")

INTERMEDIATE: tuple[Fact[Any], ...] = (
    TEXT,
    WORDS,
    PLACES,
    ORGANIZATIONS,
    PROGRAMS,
    PROJECTS,
    SECTOR_MENTIONS,
    SECTORS,
    ACTIVITIES,
    DATES,
    MONEY,
    EVENTS,
    ERROR,
)

for _fact in (*INTERMEDIATE, PUBLISHED, RESULT):
    _fact.register()
