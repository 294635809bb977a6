"""From the document store to a search backend: facts flattened to facet keywords."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from kume.schema import Document
from kume.store import Store
from search_api.contract import DateRange, EntityName, IndexDocument, SearchBackend


def _clean(value: str) -> str:
    # Extraction can carry the page's runs of spaces ("Orta  Anadolu  Sanayi  Odası"): one value, not two.
    return " ".join(value.split())


def _unique(values: Iterator[str | None]) -> list[str]:
    return list(dict.fromkeys(_clean(value) for value in values if value and value.strip()))


def to_index_document(doc: Document) -> IndexDocument:
    """The indexable form of a document: its text plus its extracted facts as keywords."""
    facts = doc.extraction
    language = (facts.language if facts and facts.language else None) or doc.language
    indexed = IndexDocument(
        id=doc.id,
        url=doc.url,
        source=doc.source,
        language=language,
        title=doc.title,
        body=doc.body,
        published=doc.published,
    )
    if facts is None:
        return indexed
    indexed.country = _unique(fact.code for fact in facts.countries)
    indexed.city = _unique(f"{fact.name}|{fact.country}" if fact.country else fact.name for fact in facts.cities)
    indexed.sector = _unique(fact.code for fact in facts.sectors)
    indexed.program = _unique(
        iter([*(fact.code for fact in facts.programs), *(project.program for project in facts.projects)])
    )
    indexed.project = _unique(project.project_id or project.name for project in facts.projects)
    indexed.organization = _unique(fact.names[0] if fact.names else None for fact in facts.organizations)
    indexed.activity = _unique(fact.code for fact in facts.activities)
    indexed.event_dates = [DateRange(start=fact.start, end=fact.end) for fact in facts.event_dates]
    # Every name the extraction gave an organisation or project, so a query naming it by an acronym or in
    # the other language ("OASO", "Central Anatolia Chamber of Industry") finds the document.
    names = [
        EntityName(facet="organization", value=_clean(fact.names[0]), name=_clean(name))
        for fact in facts.organizations
        if fact.names
        for name in fact.names[1:]
    ]
    names += [
        EntityName(facet="project", value=_clean(project.project_id or project.name), name=_clean(name))
        for project in facts.projects
        for name in (project.name, project.code)
        if name and name != (project.project_id or project.name)
    ]
    indexed.names = list({(n.facet, n.value, n.name): n for n in names}.values())
    return indexed


def index_documents(store: Store, backend: SearchBackend, doc_ids: Iterable[str]) -> list[str]:
    """Index the current versions of `doc_ids`; near-duplicates among them, and their copies, leave the index.

    Returns the ids of the documents written.
    """
    ids = set(doc_ids)
    copies = {doc_id for doc_id in ids if store.is_duplicate(doc_id)}
    copies |= {copy for doc_id in ids - copies for copy in store.copies_of(doc_id)}
    documents = [doc for doc_id in sorted(ids - copies) if (doc := store.get(doc_id)) is not None]
    backend.bulk_upsert(to_index_document(doc) for doc in documents)
    if copies:
        backend.delete(sorted(copies))
    return [doc.id for doc in documents]


def index_store(
    store: Store,
    backend: SearchBackend,
    *,
    rebuild: bool = True,
    on_document: Callable[[str], None] | None = None,
) -> int:
    """Index every current, non-duplicate document of the store; returns how many were indexed.

    With `rebuild` the backend's index is replaced as a whole (readers keep the
    old one until the switch); otherwise documents are upserted into it and the
    ones found to be near-duplicates since they were indexed are deleted from it.
    """

    def documents() -> Iterator[IndexDocument]:
        for doc in store.documents():
            yield to_index_document(doc)
            if on_document is not None:
                on_document(doc.id)

    if rebuild:
        return backend.rebuild(documents())
    written = backend.bulk_upsert(documents())
    backend.delete(store.duplicate_ids())
    return written
