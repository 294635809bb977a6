"""Incremental project linking over a real store: one document at a time, only what it touches."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kume.schema import Extraction, OrganizationFact, Page, ProjectFact
from kume.store import Store
from nlp.linking import project_id
from pipeline.link import coordinator_name, link_documents


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def add(store: Store, url: str, *projects: ProjectFact, published: date = date(2024, 5, 1), source: str = "t") -> str:
    page = Page(
        source=source,
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


def test_a_project_shown_to_be_two_by_two_codes_is_parted_again(store: Store) -> None:
    btso_first = add(store, "https://btso.example/1", KIMYA, source="btso")
    kso_first = add(store, "https://kso.example/1", KIMYA_AGAIN, source="kso")
    btso_coded = add(store, "https://btso.example/2", KIMYA.model_copy(update={"code": "23.UR-GE.001"}), source="btso")
    link_documents(store, store.unlinked_ids())
    assert len(store.projects()) == 1  # one name, one project, as far as anyone could tell
    other = KIMYA.model_copy(update={"code": "24.UR-GE.009"})
    kso_coded = add(store, "https://kso.example/2", other, source="kso")
    linked = link_documents(store, [kso_coded])
    assert linked.documents == {kso_coded, kso_first}  # the first Kimya news of KSO moved with KSO's code
    projects = {p.code: p for p in store.projects()}
    assert set(projects) == {"23.UR-GE.001", "24.UR-GE.009"}
    first, second = projects["23.UR-GE.001"], projects["24.UR-GE.009"]
    assert first.id == project_id(KIMYA) and first.document_ids == [btso_first, btso_coded]
    assert second.id == project_id(other) and second.document_ids == [kso_first, kso_coded]
    assert [(link.document_id, link.reason) for link in second.links] == [(kso_first, "new"), (kso_coded, "code")]
    moved = store.get(kso_first)
    assert moved is not None and moved.extraction is not None
    assert [p.project_id for p in moved.extraction.projects] == [second.id]
    assert linked.projects == {first.id, second.id}


def test_names_normalised_short_names_and_translations(store: Store) -> None:
    def add_in(url: str, source: str, language: str, name: str, coordinator: str | None = None) -> str:
        doc_id = add(store, url, ProjectFact(name=name, coordinator=coordinator), source=source)
        chambers = [OrganizationFact(names=[coordinator], role="coordinator")] if coordinator else []
        project = ProjectFact(name=name, coordinator=coordinator)
        extraction = Extraction(pipeline_version="t", language=language, projects=[project], organizations=chambers)
        store.save_extraction(doc_id, 1, extraction)
        return doc_id

    ours = add_in("https://oda.example/1", "oda", "tr", "Odamızın Mobilya UR-GE Projesi", "Kuzey Ticaret Odası")
    english = add_in("https://oda.example/en/1", "oda", "en", "Furniture UR-GE Project")
    elsewhere = add_in("https://ege.example/1", "ege", "en", "Furniture UR-GE Project", "Ege Mobilyacılar Derneği")
    coined = add_in("https://oda.example/2", "oda", "en", "EU-Funded GREENLOOP Project")
    open_parenthesis = add_in("https://ab.example/1", "ab", "tr", "Yeşil Dönüşüm (GREENLOOP")
    link_documents(store, store.unlinked_ids())
    by_document = {doc_id: p for p in store.projects() for doc_id in p.document_ids}
    furniture = by_document[ours]
    assert by_document[english].id == furniture.id
    assert furniture.names == ["Mobilya UR-GE Projesi", "Furniture UR-GE Project"]
    assert [link.reason for link in furniture.links] == ["new", "translation"]
    assert furniture.coordinator == "Kuzey Ticaret Odası"
    assert by_document[elsewhere].id != furniture.id  # another coordinator's furniture project
    greenloop = by_document[coined]
    assert by_document[open_parenthesis].id == greenloop.id
    assert greenloop.names == ["EU-Funded GREENLOOP Project", "Yeşil Dönüşüm"]


def test_an_organisation_is_known_across_languages_by_its_abbreviation(store: Store) -> None:
    def named(url: str, language: str, *organizations: list[str]) -> str:
        doc_id = add(store, url)
        facts = [OrganizationFact(names=names) for names in organizations]
        store.save_extraction(doc_id, 1, Extraction(pipeline_version="t", language=language, organizations=facts))
        return doc_id

    named("https://en.example/1", "en", ["Central Anatolia Chamber of Industry", "OASO"])
    named("https://tr.example/1", "tr", ["Orta Anadolu Sanayi Odası", "OASO"])
    # An abbreviation the extraction put beside another body's name is not that body's.
    named("https://tr.example/2", "tr", ["Ostrava Bölgesel Ticaret Odası", "OASO"])
    link_documents(store, store.unlinked_ids())
    assert coordinator_name(store, ["Central Anatolia Chamber of Industry"]) == "Orta Anadolu Sanayi Odası"
    assert coordinator_name(store, ["OASO"]) == "Orta Anadolu Sanayi Odası"
    assert coordinator_name(store, ["Ostrava Bölgesel Ticaret Odası"]) == "Ostrava Bölgesel Ticaret Odası"
