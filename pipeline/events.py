"""Events across documents in the store: each event one row, told by one document or several.

For each document a flow touched, its earlier tellings leave their events (which are summed up again from
the tellings left, or deleted), then each event of its current extraction, with the project the linker gave
the project it names in this document, joins the first event of that project and activity that
nlp.event_identity says it tells, or starts one. An event that names no project belongs to the document's
project when the document has exactly one, never to a project of another paragraph of a document about
several. Every event of a project summed up again is saved again, so the project's programme, coordinator,
province and sector beside it follow.
"""

from __future__ import annotations

from collections.abc import Iterable

from kume.schema import Document, EventFact, EventRecord, Span
from kume.store import Store
from kume.text import casefold_tr
from nlp.event_identity import Telling, event_id, same_event, summarise
from pipeline.link import coordinator_name


def link_events(store: Store, doc_ids: Iterable[str], project_ids: Iterable[str] = ()) -> set[str]:
    """Keep the events of `doc_ids` (their current extractions) and copy the attributes of `project_ids` onto
    their events again; the ids of the events touched."""
    touched: set[str] = set()
    for doc_id in doc_ids:
        with store.transaction():
            touched |= _forget(store, doc_id)
            touched |= _tell(store, doc_id)
    for project_id in sorted(set(project_ids)):
        touched |= store.refresh_project_events(project_id, store.project(project_id))
    return touched


def _forget(store: Store, doc_id: str) -> set[str]:
    """Take a document's earlier tellings out of their events."""
    touched = set()
    for told in store.document_event_ids(doc_id):
        event = store.event(told)
        if event is None:
            continue
        touched.add(event.id)
        store.delete_event(event.id)
        left = [s for s in event.sources if s.document_id != doc_id]
        tellings = [t for s in left if (t := _telling_of(store, s.document_id, s.ordinal)) is not None]
        if tellings:
            _save(store, summarise(event.id, tellings))
    return touched


def _tell(store: Store, doc_id: str) -> set[str]:
    """Add a document's events, each to the event it tells or as a new one."""
    document = store.get(doc_id)
    if document is None or document.extraction is None or store.is_duplicate(doc_id):
        return set()  # a copy's events are its original's
    touched = set()
    for ordinal in range(len(document.extraction.events)):
        telling = _telling(store, document, ordinal)
        candidates = store.events_of(telling.fact.activity, telling.project_id, telling.organization)
        found = next((event for event in candidates if same_event(event, telling)), None)
        if found is None:
            attempt = 0
            while store.event(event_id(telling, attempt)) is not None:
                attempt += 1
            record = summarise(event_id(telling, attempt), [telling])
        else:
            tellings = [t for s in found.sources if (t := _telling_of(store, s.document_id, s.ordinal)) is not None]
            record = summarise(found.id, [*tellings, telling])
        _save(store, record)
        touched.add(record.id)
    return touched


def _save(store: Store, event: EventRecord) -> None:
    store.save_event(event, store.project(event.project_id) if event.project_id else None)


def _telling_of(store: Store, doc_id: str, ordinal: int) -> Telling | None:
    document = store.get(doc_id)
    if document is None or document.extraction is None or ordinal >= len(document.extraction.events):
        return None
    return _telling(store, document, ordinal)


def _telling(store: Store, document: Document, ordinal: int) -> Telling:
    """The `ordinal`-th event of a document (with an extraction), with its project (as linked) or, without
    one, the document's coordinating organisation (when it names exactly one)."""
    assert document.extraction is not None
    extraction = document.extraction
    fact = extraction.events[ordinal]
    project = _project_of(document, fact)
    coordinators = [o.names for o in extraction.organizations if o.role == "coordinator"]
    return Telling(
        document_id=document.id,
        ordinal=ordinal,
        fact=fact,
        project_id=project,
        organization=coordinator_name(store, coordinators[0]) if project is None and len(coordinators) == 1 else None,
        published=document.published,
    )


def _project_of(document: Document, fact: EventFact) -> str | None:
    """The id of the project an event names (its code or name as in the document's projects); the document's
    only project for one that names none; none for a project of another paragraph than the event's, in a
    document about several."""
    assert document.extraction is not None
    projects = [p for p in document.extraction.projects if p.project_id]
    distinct = {p.project_id for p in projects}  # two names of one project are one project
    if fact.project is None:
        return distinct.pop() if len(distinct) == 1 else None
    wanted = casefold_tr(fact.project)
    named = next((p for p in projects if wanted in {casefold_tr(p.name), casefold_tr(p.code or "")}), None)
    if named is None:
        return None
    if len(distinct) > 1 and not _same_paragraph(document.text, named.mentions, fact.mentions):
        return None
    return named.project_id


def _same_paragraph(text: str, project_spans: list[Span], event_spans: list[Span]) -> bool:
    """Whether a project is named in the paragraph (a line, as nlp.events reads paragraphs) of the event."""

    def paragraph(offset: int) -> tuple[int, int]:
        end = text.find("\n", offset)
        return text.rfind("\n", 0, offset), end if end >= 0 else len(text)

    event_paragraphs = {paragraph(span.start) for span in event_spans}
    return any(paragraph(span.start) in event_paragraphs for span in project_spans)
