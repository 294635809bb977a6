"""Incremental project linking over a real store: one document at a time, only what it touches."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kume.schema import Extraction, Page, ProjectFact
from kume.store import Store
from nlp.linking import project_id
from pipeline.link import link_documents


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def add(store: Store, url: str, *projects: ProjectFact, published: date = date(2024, 5, 1)) -> str:
    page = Page(
        source="t",
        url=url,
        fetched_at=datetime(2024, 5, 1, tzinfo=UTC),
        raw=url.encode(),
        title=url,
        body=" ".join(p.name for p in projects) or "metin",
        published=published,
    )
    upserted = store.upsert_page(page)
    store.save_extraction(upserted.doc_id, upserted.version, Extraction(pipeline_version="t", projects=list(projects)))
    return upserted.doc_id


KIMYA = ProjectFact(name="Kimya UR-GE Projesi", program="UR-GE")
KIMYA_AGAIN = ProjectFact(name="Kimya Ur-Ge Projesi", program="UR-GE")
# Topics that share no whole word but are similar enough (token set ratio 87.5): found by the word beginnings.
MOBILYA = ProjectFact(name="Mobilya UR-GE Projesi")
MOBILYASI = ProjectFact(name="Mobilyası UR-GE Projesi")
MAKINE = ProjectFact(name="Makine UR-GE Projesi", program="UR-GE")
HALI_CODED = ProjectFact(name="Halı UR-GE Projesi", code="21.UR-GE.016", program="UR-GE")
HALI_LONG = ProjectFact(name="Demirci Halıları İhracat Kümelenme Projesi", code="21.ur-ge.016")


def test_mentions_join_projects_by_code_and_by_similar_names(store: Store) -> None:
    first = add(store, "https://a.example/1", KIMYA, HALI_CODED)
    second = add(store, "https://a.example/2", KIMYA_AGAIN, MAKINE)
    third = add(store, "https://a.example/3", HALI_LONG, MOBILYA)
    fourth = add(store, "https://a.example/4", MOBILYASI)
    touched = link_documents(store, store.unlinked_ids()).projects
    projects = {p.id: p for p in store.projects()}
    assert touched == set(projects)
    assert len(projects) == 4
    assert projects[project_id(MOBILYA)].document_ids == [third, fourth]
    kimya = projects[project_id(KIMYA)]
    assert kimya.document_ids == [first, second]
    assert kimya.names == ["Kimya UR-GE Projesi", "Kimya Ur-Ge Projesi"]
    hali = projects[project_id(HALI_CODED)]
    assert hali.document_ids == [first, third] and hali.code == "21.UR-GE.016"
    assert hali.name == "Demirci Halıları İhracat Kümelenme Projesi"  # the longest name seen
    saved = store.get(second)
    assert saved is not None and saved.extraction is not None
    assert [p.project_id for p in saved.extraction.projects] == [kimya.id, project_id(MAKINE)]
    assert store.unlinked_ids() == []


def test_a_new_document_touches_only_its_projects_and_keeps_ids(store: Store) -> None:
    add(store, "https://a.example/1", KIMYA)
    add(store, "https://a.example/2", MAKINE)
    link_documents(store, store.unlinked_ids())
    later = ProjectFact(name="Kimya UR-GE Projesi", code="24.UR-GE.001", program="UR-GE")
    new = add(store, "https://a.example/3", later)
    assert store.unlinked_ids() == [new]
    assert link_documents(store, [new]).projects == {project_id(KIMYA)}
    kimya = store.project(project_id(KIMYA))
    assert kimya is not None and kimya.code == "24.UR-GE.001"  # a code learnt later does not move the id


def test_relinking_a_changed_document_moves_it_and_drops_an_emptied_project(store: Store) -> None:
    doc = add(store, "https://a.example/1", MAKINE)
    other = add(store, "https://a.example/2", KIMYA)
    link_documents(store, store.unlinked_ids())
    store.save_extraction(doc, 1, Extraction(pipeline_version="t", projects=[KIMYA_AGAIN]))
    assert store.unlinked_ids() == [doc]
    assert link_documents(store, [doc]).projects == {project_id(MAKINE), project_id(KIMYA)}
    assert store.project(project_id(MAKINE)) is None
    kimya = store.project(project_id(KIMYA))
    assert kimya is not None and kimya.document_ids == [other, doc]


def test_a_near_duplicate_leaves_its_projects(store: Store) -> None:
    original = add(store, "https://a.example/1", MAKINE)
    copy = add(store, "https://b.example/1", MAKINE)
    link_documents(store, store.unlinked_ids())
    store.mark_duplicate(copy, original)
    link_documents(store, [copy])
    makine = store.project(project_id(MAKINE))
    assert makine is not None and makine.document_ids == [original]
