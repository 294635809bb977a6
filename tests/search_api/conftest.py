"""A corpus with known morphology and facts, loaded into every backend, and a plain-Python oracle for it."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from benchmarks.synthetic_docs import synthetic_documents
from search_api import analysis
from search_api.backends.common import event_bounds, facet_values
from search_api.backends.elastic import ElasticBackend
from search_api.backends.embedded import EmbeddedBackend
from search_api.contract import DateRange, IndexDocument, IndexedValue, SearchBackend, SearchQuery
from search_api.query import And, Everything, Facet, Node, Not, Or, Phrase, Prefix, Range, Term, plan
from search_api.vocabulary import Vocabulary
from tests.search_api.query_pairs import pair_documents

BACKENDS = [
    "embedded",
    pytest.param("elasticsearch", marks=pytest.mark.elasticsearch),
    pytest.param("opensearch", marks=pytest.mark.opensearch),
]
# The session fixture that starts each server backend's node.
_SERVER_URL_FIXTURES = {"elasticsearch": "elasticsearch_url", "opensearch": "opensearch_url"}


def hand_documents() -> list[IndexDocument]:
    """Documents written for the morphology and facet checks."""
    return [
        IndexDocument(
            id="tr-kz",
            url="https://izto.example.org/haber/kazakistan",
            source="izto",
            language="tr",
            title="Kazakistan'a ticaret heyeti",
            body=(
                "İzmir Ticaret Odası UR-GE projesi kapsamında Kazakistan'ımıza ticaret heyeti düzenledi. "
                "Heyette yer alan ihracatçılarımız <script>x</script> Almatı'da ikili görüşmeler yaptı."
            ),
            published=date(2023, 5, 10),
            country=["KZ"],
            city=["Almatı|KZ", "İzmir|TR"],
            sector=["C13"],
            program=["UR-GE"],
            project=["izto-tekstil"],
            organization=["İzmir Ticaret Odası"],
            activity=["trade_delegation"],
            event_dates=[DateRange(start="2023-06-05", end="2023-06-09")],
        ),
        IndexDocument(
            id="en-de",
            url="https://ito.example.org/news/b2b",
            source="ito",
            language="en",
            title="B2B meetings in Düsseldorf",
            body="The chamber of commerce organised business meetings for machinery exporters in Düsseldorf.",
            published=date(2022, 11, 2),
            country=["DE"],
            city=["Düsseldorf|DE"],
            sector=["C28"],
            program=["EU-FUNDED"],
            organization=["İstanbul Ticaret Odası"],
            activity=["b2b_meeting"],
            event_dates=[DateRange(start="2022-12", end="2022-12")],
        ),
        IndexDocument(
            id="tr-izmir-caps",
            url="https://izto.example.org/haber/egitim",
            source="izto",
            language="tr",
            title="IZMIR'DE İHRACAT EĞİTİMİ",
            body="izmir'de kümelenme projesi için ihtiyaç analizi tamamlandı ve eğitimler başladı.",
            published=None,
            city=["İzmir|TR"],
            program=["KOBI-KUMELENME"],
            organization=["İzmir Ticaret Odası"],
            activity=["training", "needs_analysis"],
        ),
        IndexDocument(
            id="en-chambers",
            url="https://tim.example.org/news/chambers",
            source="tim",
            language="en",
            title="Chambers of industry back the cluster",
            body="Chambers of industry from İzmir and Ankara backed the cluster's purchasing delegation.",
            published=date(2023, 1, 20),
            country=["TR"],
            city=["Ankara|TR", "İzmir|TR"],
            program=["UR-GE"],
            organization=["Izmir Chamber of Industry"],
            activity=["purchasing_delegation"],
            event_dates=[
                DateRange(start="2023-02-01", end="2023-02-03"),
                DateRange(start="2023-09-10", end="2023-09-12"),
            ],
        ),
    ]


def corpus() -> list[IndexDocument]:
    return hand_documents() + pair_documents() + list(synthetic_documents(300, seed=11))


def _open_embedded(tmp: Path) -> SearchBackend:
    return EmbeddedBackend(tmp / "index.sqlite3")


def open_test_backend(name: str, request: pytest.FixtureRequest, tmp: Path) -> SearchBackend:
    """An empty backend of the given kind; Elasticsearch and OpenSearch get an alias of their own."""
    if name == "embedded":
        return _open_embedded(tmp)
    url = request.getfixturevalue(_SERVER_URL_FIXTURES[name])
    return ElasticBackend.connect(url, f"kume-test-{uuid.uuid4().hex[:10]}", flavour=name)


@pytest.fixture(scope="module", params=BACKENDS)
def loaded_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchBackend]:
    """A backend holding `corpus()`, shared by the read-only tests of a module."""
    backend = open_test_backend(request.param, request, tmp_path_factory.mktemp(request.param))
    backend.rebuild(corpus())
    yield backend
    backend.close()


@pytest.fixture(params=BACKENDS)
def empty_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    backend = open_test_backend(request.param, request, tmp_path)
    yield backend
    backend.close()


def oracle_values(docs: list[IndexDocument]) -> list[IndexedValue]:
    """What indexed_values should give for `docs`, counted here document by document."""
    counts: Counter[tuple[str, str]] = Counter()
    names: dict[tuple[str, str], set[str]] = {}
    for doc in docs:
        for facet, values in facet_values(doc).items():
            counts.update((facet, value) for value in values)
        for name in doc.names:
            names.setdefault((name.facet, name.value), set()).add(name.name)
    return [
        IndexedValue(facet=facet, value=value, count=count, names=sorted(names.get((facet, value), set())))
        for (facet, value), count in sorted(counts.items())
    ]


def _holds(node: Node, doc: IndexDocument) -> bool:
    title = analysis.term_list(doc.title, doc.language)
    body = analysis.term_list(doc.body, doc.language)
    title_words = title + analysis.compound_terms(doc.title, doc.language)
    words = title_words + body + analysis.compound_terms(doc.body, doc.language)
    if isinstance(node, Term):
        return bool(set(node.alternatives) & set(title_words if node.title else words))
    if isinstance(node, Phrase):
        columns = [title] if node.title else [title, body]
        return any(
            list(variant) == column[start : start + len(variant)]
            for variant in node.variants
            for column in columns
            for start in range(len(column))
        )
    if isinstance(node, Prefix):
        return any(term.startswith(node.prefix) for term in (title_words if node.title else words))
    if isinstance(node, Facet):
        return bool(set(facet_values(doc)[node.facet]) & set(node.values))
    if isinstance(node, Range):
        low, high = (node.start or date.min).isoformat(), (node.end or date.max).isoformat()
        if node.field == "published":
            return doc.published is not None and low <= doc.published.isoformat() <= high
        return any(end >= low and start <= high for start, end in map(event_bounds, doc.event_dates))
    if isinstance(node, Everything):
        return True
    if isinstance(node, Not):
        return not _holds(node.child, doc)
    if isinstance(node, Or):
        return any(_holds(child, doc) for child in node.children)
    assert isinstance(node, And)
    return all(_holds(child, doc) for child in node.children)


def oracle_ids(docs: list[IndexDocument], query: SearchQuery) -> set[str]:
    """Which documents a query should match, decided document by document in plain Python."""
    tree = plan(query.q, Vocabulary(oracle_values(docs))).tree
    matched = set()
    for doc in docs:
        if tree is not None and not _holds(tree, doc):
            continue
        values = facet_values(doc)
        if not all(set(values[facet]) & set(wanted) for facet, wanted in query.filters.items() if wanted):
            continue
        if query.published_from and (doc.published is None or doc.published < query.published_from):
            continue
        if query.published_to and (doc.published is None or doc.published > query.published_to):
            continue
        if query.event_from or query.event_to:
            low = (query.event_from or date.min).isoformat()
            high = (query.event_to or date.max).isoformat()
            if not any(end >= low and start <= high for start, end in map(event_bounds, doc.event_dates)):
                continue
        matched.add(doc.id)
    return matched
