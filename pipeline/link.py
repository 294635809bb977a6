"""Cross-document project linking in the store, one document at a time.

nlp.linking reads a document's project mentions and decides whether one belongs to a project; this
module keeps the projects: a document's mentions replace its earlier ones, each joins the project (oldest
first) among those the store finds under its lookup keys that has its code, else the first it belongs to by
name or translation, or starts a new one; only the projects it touched are summed up again, so linking one
new document costs the same in a store of any size. A mention with a new code that would have joined a
project but for its code shows that project to have been two: its mentions are parted again (and the
documents whose mentions moved are reported, so their events follow).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kume.schema import Document
from kume.store import Store
from nlp.linking import (
    CODE,
    NEW,
    Profile,
    ProjectMention,
    abbreviates,
    coordinator_names,
    join_reason,
    lookup_keys,
    mentions_of,
    organization_names,
    profile,
    project_id,
    separate,
    summarise,
)
from nlp.text import match_key


@dataclass
class Linked:
    """What a linking run touched: the projects summed up again (or deleted), and the documents whose
    mentions now belong to other projects than before (the ones linked, and those a parting moved)."""

    projects: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)


def link_documents(store: Store, doc_ids: Iterable[str]) -> Linked:
    """Link the project mentions of each document (current version).

    The organisations the documents name are learnt first, so that a coordinator named in English in one
    document is known as the one named in Turkish by another before either is linked."""
    linked = Linked()
    doc_ids = list(doc_ids)
    documents = [d for doc_id in doc_ids if (d := store.get(doc_id)) is not None and d.extraction is not None]
    # Turkish documents first: an English one borrows a Turkish body's abbreviation.
    for document in sorted(documents, key=lambda d: d.extraction is None or d.extraction.language != "tr"):
        _learn_organizations(store, document)
    for doc_id in doc_ids:
        with store.transaction():
            left = store.remove_project_mentions(doc_id)
            joined = _link_mentions(store, doc_id, linked)
            for project in left - joined:
                _resum(store, project)
            linked.projects |= left | joined
            linked.documents.add(doc_id)
    return linked


def project_mentions(store: Store, project: str) -> list[ProjectMention]:
    return [ProjectMention.model_validate_json(row) for row in store.project_mentions(project)]


def _resum(store: Store, project: str) -> None:
    mentions = project_mentions(store, project)
    if mentions:
        store.save_project(
            summarise(project, mentions, coordinator_name(store, coordinator_names(mentions))),
            profile(mentions).model_dump_json(),
        )
    else:
        store.delete_project(project)


def _learn_organizations(store: Store, document: Document) -> None:
    """Record the organisations a document names: names given together, and a borrowed abbreviation where
    it abbreviates the name of the organisation it names already."""
    turkish = document.extraction is not None and document.extraction.language == "tr"
    for organization in organization_names(document):
        known = store.organizations_named(organization.borrowed)
        borrowed = [
            short
            for short in organization.borrowed
            if short in known and abbreviates(short, store.organization_name(known[short]) or "")
        ]
        store.add_organization([*organization.names, *borrowed], organization.written, turkish=turkish)


def coordinator_name(store: Store, names: list[str]) -> str | None:
    """The name for people of the organisation `names` name (as documents named it together)."""
    keys = [match_key(name) for name in names]
    organizations = store.organizations_named(keys)
    return next(
        (found for key in keys if key in organizations and (found := store.organization_name(organizations[key]))), None
    )


def _profile(store: Store, project: str, kept: str | None) -> Profile:
    return Profile.model_validate_json(kept) if kept else profile(project_mentions(store, project))


def _link_mentions(store: Store, doc_id: str, linked: Linked) -> set[str]:
    document = store.get(doc_id)
    if document is None or document.extraction is None or store.is_duplicate(doc_id):
        return set()  # a copy's mentions are its original's
    joined: set[str] = set()
    for mention in mentions_of(document):
        keys = lookup_keys(mention)
        candidates = [(c, _profile(store, c, kept)) for c, kept in store.project_profiles_with_keys(keys)]
        named = [*mention.coordinator_names, *(n for _, known in candidates for n in known.coordinators)]
        organizations = store.organizations_named([match_key(name) for name in named])
        reasons = [(candidate, join_reason(known, mention, organizations)) for candidate, known in candidates]
        found = next((c for c, r in reasons if r == CODE), None) or next((c for c, r in reasons if r), None)
        if found is not None:
            mention.reason = dict(reasons)[found] or NEW
            target = found
        else:
            target = project_id(mention.fact)
            known = store.project(target) is not None  # a new mention may name a project whose id exists
            mention.reason = "name" if known else NEW
            if mention.fact.code:
                parted = next(
                    (
                        candidate
                        for candidate, known in candidates
                        if known.uncoded and join_reason(known, mention, organizations, ignore_codes=True)
                    ),
                    None,
                )
                if parted is not None:
                    mentions = project_mentions(store, parted)
                    target = _part(store, parted, mentions, mention, organizations, linked)
        store.add_project_mention(target, doc_id, mention.ordinal, mention.model_dump_json(), keys)
        document.extraction.projects[mention.ordinal].project_id = target
        _resum(store, target)
        joined.add(target)
    store.save_extraction(document.id, document.version, document.extraction, linked=True)
    return joined


def _part(
    store: Store,
    project: str,
    mentions: list[ProjectMention],
    newcomer: ProjectMention,
    organizations: dict[str, str],
    linked: Linked,
) -> str:
    """Part a project whose mentions and `newcomer` carry two codes; the project `newcomer` goes to.

    The part holding the project's first mention keeps its id; the newcomer's part (and any other) gets
    the id of its first mention."""
    parts = separate([*mentions, newcomer], organizations)
    target = project
    for part in parts:
        if any(m is mentions[0] for m in part):
            continue
        part_id = project_id(next(m for m in part if m.fact.code).fact)  # every part but the first has a code
        for moved in part:
            moved.reason = NEW if moved is part[0] else CODE if moved.fact.code else moved.reason
            if moved is newcomer:
                target = part_id
                continue
            store.move_project_mention(
                moved.document_id, moved.ordinal, part_id, moved.model_dump_json(), lookup_keys(moved)
            )
            _relabel(store, moved, part_id)
            linked.documents.add(moved.document_id)
        linked.projects.add(part_id)
        _resum(store, part_id)
    _resum(store, project)
    linked.projects.add(project)
    return target


def _relabel(store: Store, mention: ProjectMention, project: str) -> None:
    """Write a moved mention's new project into its document's extraction."""
    document = store.get(mention.document_id)
    if document is None or document.extraction is None:
        return
    document.extraction.projects[mention.ordinal].project_id = project
    store.save_extraction(document.id, document.version, document.extraction, linked=True)
