"""Which project a project mention belongs to, across documents: the rules, without the store.

Two mentions are the same project when they carry the same official code, or when neither
code contradicts the other and programme, coordinator and sector agree (where both are known)
and the names' topics are similar (rapidfuzz token set ratio over the names without the
programme and project words, so "Kimya UR-GE Projesi" and "Makine UR-GE Projesi" stay apart).
The write side (pipeline.link) keeps the projects in the store and asks these rules, one
mention at a time, about the projects the store finds by `lookup_keys`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from rapidfuzz import fuzz

from kume.schema import ProjectFact, ProjectRecord
from kume.text import casefold_tr
from nlp.projects import GENERIC_WORDS
from nlp.text import tokens

NAME_SIMILARITY = 85.0
# A topic word's first letters, as a lookup key: names whose topics match by token set ratio share
# whole words, or words that differ only in their endings ("Mobilya" and "Mobilyacılar").
KEY_PREFIX = 4


def topic(name: str) -> str:
    """The words of a project's name that tell it from others: without the programme and project words."""
    return " ".join(t for t in tokens(name) if t not in GENERIC_WORDS)


def lookup_keys(fact: ProjectFact) -> list[str]:
    """Keys under which the projects a mention may belong to are found: its code, its topic words' beginnings."""
    keys = [f"code:{casefold_tr(fact.code)}"] if fact.code else []
    keys += sorted({f"word:{word[:KEY_PREFIX]}" for word in topic(fact.name).split()})
    return keys


def _agree(left: str | None, right: str | None) -> bool:
    return left is None or right is None or casefold_tr(left) == casefold_tr(right)


def belongs(record: ProjectRecord, fact: ProjectFact) -> bool:
    """Whether a mention is one more mention of the project `record` sums up."""
    if record.code and fact.code:
        return casefold_tr(record.code) == casefold_tr(fact.code)
    attributes = ("program", "coordinator", "sector")
    if not all(_agree(getattr(record, a), getattr(fact, a)) for a in attributes):
        return False
    mentioned = topic(fact.name)
    return bool(mentioned) and any(
        fuzz.token_set_ratio(topic(name), mentioned) >= NAME_SIMILARITY for name in record.names
    )


def project_id(fact: ProjectFact) -> str:
    """A new project's id: from its code, else from its first mention.

    The id stays when later mentions bring a code or a longer name, so links to a project
    (index facets, bookmarks of its dossier) keep working.
    """
    key = fact.code or f"{fact.name}|{fact.program}|{fact.coordinator}"
    return "p-" + hashlib.sha1(casefold_tr(key).encode("utf-8")).hexdigest()[:12]


def with_mention(record: ProjectRecord, doc_id: str, fact: ProjectFact) -> ProjectRecord:
    """The project with one more (newest) mention: what `summarise` gives with the mention added last."""
    return record.model_copy(
        update={
            "name": max([*record.names, fact.name], key=len) if fact.name not in record.names else record.name,
            "names": record.names if fact.name in record.names else [*record.names, fact.name],
            "code": record.code or fact.code,
            "program": record.program or fact.program,
            "coordinator": record.coordinator or fact.coordinator,
            "sector": record.sector or fact.sector,
            "document_ids": record.document_ids if doc_id in record.document_ids else [*record.document_ids, doc_id],
        }
    )


def summarise(record_id: str, mentions: Sequence[tuple[str, ProjectFact]]) -> ProjectRecord:
    """A project from its (document id, mention) pairs, oldest first: the first known value of each attribute."""

    def first(attribute: str) -> str | None:
        return next((value for _, fact in mentions if (value := getattr(fact, attribute))), None)

    names = list(dict.fromkeys(fact.name for _, fact in mentions))
    return ProjectRecord(
        id=record_id,
        name=max(names, key=len),
        names=names,
        code=first("code"),
        program=first("program"),
        coordinator=first("coordinator"),
        sector=first("sector"),
        document_ids=list(dict.fromkeys(doc_id for doc_id, _ in mentions)),
    )
