"""Cross-document project linking: mentions of one project in different documents get one id.

Two mentions are the same project when they carry the same official code, or when neither
code contradicts the other and programme, coordinator and sector agree (where both are known)
and the names' topics are similar (rapidfuzz token set ratio over the names without the
programme and project words, so "Kimya UR-GE Projesi" and "Makine UR-GE Projesi" stay apart).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from kume.schema import Document, ProjectFact, ProjectRecord
from kume.store import Store
from kume.text import casefold_tr
from nlp.projects import GENERIC_WORDS
from nlp.text import tokens

NAME_SIMILARITY = 85.0


def _topic(name: str) -> str:
    return " ".join(t for t in tokens(name) if t not in GENERIC_WORDS)


def _agree(left: str | None, right: str | None) -> bool:
    return left is None or right is None or casefold_tr(left) == casefold_tr(right)


@dataclass
class _Cluster:
    facts: list[ProjectFact] = field(default_factory=list)
    document_ids: list[str] = field(default_factory=list)

    def first(self, attribute: str) -> str | None:
        return next((getattr(f, attribute) for f in self.facts if getattr(f, attribute)), None)

    def accepts(self, fact: ProjectFact) -> bool:
        code = self.first("code")
        if code and fact.code:
            return casefold_tr(code) == casefold_tr(fact.code)
        if not all(_agree(self.first(a), getattr(fact, a)) for a in ("program", "coordinator", "sector")):
            return False
        topic = _topic(fact.name)
        return any(fuzz.token_set_ratio(_topic(f.name), topic) >= NAME_SIMILARITY for f in self.facts if topic)

    def record(self) -> ProjectRecord:
        names = list(dict.fromkeys(f.name for f in self.facts))
        code = self.first("code")
        # Keyed by the code, else by the earliest mention (documents come in first-seen order), so a
        # later report with a longer name does not move the project to a new id.
        first = self.facts[0]
        key = code or f"{first.name}|{first.program}|{first.coordinator}"
        return ProjectRecord(
            id="p-" + hashlib.sha1(casefold_tr(key).encode("utf-8")).hexdigest()[:12],
            name=max(names, key=len),
            names=names,
            code=code,
            program=self.first("program"),
            coordinator=self.first("coordinator"),
            sector=self.first("sector"),
            document_ids=list(dict.fromkeys(self.document_ids)),
        )


def link_projects(documents: list[Document]) -> list[ProjectRecord]:
    """Cluster the project mentions of `documents` and set each ProjectFact.project_id in place."""
    clusters: list[_Cluster] = []
    members: list[tuple[ProjectFact, _Cluster]] = []
    for document in documents:
        if document.extraction is None:
            continue
        for fact in document.extraction.projects:
            cluster = next((c for c in clusters if c.accepts(fact)), None)
            if cluster is None:
                cluster = _Cluster()
                clusters.append(cluster)
            cluster.facts.append(fact)
            cluster.document_ids.append(document.id)
            members.append((fact, cluster))
    records = {id(c): c.record() for c in clusters}
    for fact, cluster in members:
        fact.project_id = records[id(cluster)].id
    return list(records.values())


def link_store_projects(store: Store) -> list[ProjectRecord]:
    """Link the projects of every extracted document in the store; save records and updated extractions."""
    documents = [d for d in store.documents() if d.extraction is not None and d.extraction.projects]
    records = link_projects(documents)
    for document in documents:
        assert document.extraction is not None
        store.save_extraction(document.id, document.version, document.extraction)
    for record in records:
        store.save_project(record)
    return records
