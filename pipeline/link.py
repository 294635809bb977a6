"""Cross-document project linking in the store, one document at a time.

nlp.linking decides whether a mention belongs to a project; this module keeps the projects: a
document's mentions replace its earlier ones, each is linked to the first project (oldest first)
among those the store finds under its lookup keys that it belongs to, or starts a new one, and only
the projects it touched are summed up again. So linking one new document costs the same in a store
of any size.
"""

from __future__ import annotations

from collections.abc import Iterable

from kume.store import Store
from nlp.linking import belongs, lookup_keys, project_id, summarise, with_mention


def link_documents(store: Store, doc_ids: Iterable[str]) -> set[str]:
    """Link the project mentions of each document (current version); the ids of the projects touched."""
    touched: set[str] = set()
    for doc_id in doc_ids:
        with store.transaction():
            left = store.remove_project_mentions(doc_id)
            linked = _link_mentions(store, doc_id)
            for emptied_id in left - linked:
                mentions = store.project_mentions(emptied_id)
                if mentions:
                    store.save_project(summarise(emptied_id, mentions))
                else:
                    store.delete_project(emptied_id)
            touched |= left | linked
    return touched


def _link_mentions(store: Store, doc_id: str) -> set[str]:
    document = store.get(doc_id)
    if document is None or document.extraction is None or store.is_duplicate(doc_id):
        return set()  # a copy's mentions are its original's
    linked: set[str] = set()
    for fact in document.extraction.projects:
        keys = lookup_keys(fact)
        found = next((record for record in store.projects_with_keys(keys) if belongs(record, fact)), None)
        fact.project_id = found.id if found else project_id(fact)
        known = found or store.project(fact.project_id)  # a new mention may name a project whose id exists
        store.add_project_mention(fact.project_id, doc_id, fact, keys)
        if known is None:
            store.save_project(summarise(fact.project_id, [(doc_id, fact)]))
        else:
            store.save_project(with_mention(known, doc_id, fact))
        linked.add(fact.project_id)
    store.save_extraction(document.id, document.version, document.extraction, linked=True)
    return linked
