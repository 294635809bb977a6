"""The same documents and queries against every backend: hits, facets, histograms, cursors, highlights, suggest.

Expectations come from a plain-Python oracle over the same corpus (conftest.oracle_ids), and the
cross-backend test compares the embedded index with Elasticsearch answer for answer.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from search_api import analysis
from search_api.backends.common import InvalidQuery, event_bounds, facet_values, period_label
from search_api.contract import (
    FACETS,
    FacetCount,
    HistogramBucket,
    Interval,
    QuerySyntaxError,
    SearchBackend,
    SearchQuery,
    Sort,
    UnknownFilterValue,
)
from tests.search_api.conftest import BACKENDS, corpus, open_test_backend, oracle_ids, oracle_values
from tests.search_api.query_pairs import ENTITY_PAIRS, MORPHOLOGY_PAIRS, OASO

DOCS = corpus()
BY_ID = {doc.id: doc for doc in DOCS}

QUERIES = [
    SearchQuery(q="Kazakistan"),
    SearchQuery(q="ihracat"),
    SearchQuery(q="İzmir"),
    SearchQuery(q="IZMIR"),
    SearchQuery(q="chambers"),
    SearchQuery(q="ticaret heyeti", filters={"country": ["KZ"]}),
    SearchQuery(q="cluster delegation", filters={"language": ["en"]}),
    SearchQuery(filters={"program": ["UR-GE"], "language": ["tr"]}),
    SearchQuery(filters={"city": ["İzmir|TR"]}, published_from=date(2020, 1, 1), published_to=date(2023, 12, 31)),
    SearchQuery(filters={"sector": ["C13", "C28"], "source": ["izto", "ito"]}),
    SearchQuery(event_from=date(2023, 2, 2), event_to=date(2023, 2, 2)),
    SearchQuery(event_from=date(2022, 12, 15), event_to=date(2022, 12, 20)),
    SearchQuery(q="heyet", event_from=date(2021, 1, 1)),
    SearchQuery(q="zzzqqqxx"),
    SearchQuery(),
]
# The query language: every form of the README's table.
LANGUAGE_QUERIES = [
    SearchQuery(q='"ticaret heyeti"'),
    SearchQuery(q="heyeti ticaret"),
    SearchQuery(q="Kazakistan OR Özbekistan"),
    SearchQuery(q="Kazakistan NOT halı"),
    SearchQuery(q="-halı ihracat"),
    SearchQuery(q="-ihracat"),
    SearchQuery(q="kazak*"),
    SearchQuery(q="title:heyet"),
    SearchQuery(q='title:"ticaret heyeti" OR title:(eğitim OR fuar)'),
    SearchQuery(q="country:KZ"),
    SearchQuery(q="country:kazakhstan sector:c28"),
    SearchQuery(q="program:ur-ge city:kayseri"),
    SearchQuery(q="org:OASO"),
    SearchQuery(q="activity:trade_delegation OR activity:b2b_meeting"),
    SearchQuery(q="project:izto-tekstil OR org:İzmir*"),
    SearchQuery(q="date:[2023-01-01 TO 2023-12-31]"),
    SearchQuery(q="date:2024 heyet"),
    SearchQuery(q="event:{2023-01 TO *} -country:DE"),
    SearchQuery(q="(ticaret OR fuar) AND country:DE"),
    SearchQuery(q="ihracat && (Almanya || Germany) !makine"),
    SearchQuery(q="UR-GE projesi", filters={"language": ["tr"]}),
    SearchQuery(q="*", filters={"country": ["UZ"]}),
    SearchQuery(q="*:*"),
]
QUERIES += LANGUAGE_QUERIES
QUERY_IDS = [f"q{number}" for number in range(len(QUERIES))]


def all_pages(backend: SearchBackend, query: SearchQuery, size: int = 37) -> list[str]:
    """Every hit id, page after page through the cursor."""
    ids: list[str] = []
    cursor = None
    for _ in range(1000):
        page = backend.search(query.model_copy(update={"size": size, "cursor": cursor, "highlight": False}))
        ids += [hit.id for hit in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            return ids
    raise AssertionError("cursor never ran out")


def date_order(ids: set[str], sort: Sort) -> list[str]:
    dated = sorted((BY_ID[i] for i in ids if BY_ID[i].published), key=lambda d: d.id)
    dated.sort(key=lambda d: d.published or date.min, reverse=sort == Sort.DATE_DESC)
    undated = sorted(i for i in ids if BY_ID[i].published is None)
    return [d.id for d in dated] + undated


@pytest.mark.parametrize("query", QUERIES, ids=QUERY_IDS)
def test_hits_match_oracle_through_every_page(loaded_backend: SearchBackend, query: SearchQuery) -> None:
    expected = oracle_ids(DOCS, query)
    result = loaded_backend.search(query.model_copy(update={"size": 5}))
    assert result.total == len(expected)
    pages = all_pages(loaded_backend, query)
    assert len(pages) == len(set(pages)), "a document came back on two pages"
    assert set(pages) == expected


@pytest.mark.parametrize("sort", [Sort.DATE_DESC, Sort.DATE_ASC])
@pytest.mark.parametrize("query", QUERIES[:3] + QUERIES[7:9], ids=QUERY_IDS[:3] + QUERY_IDS[7:9])
def test_date_sort_is_exact(loaded_backend: SearchBackend, query: SearchQuery, sort: Sort) -> None:
    ordered = all_pages(loaded_backend, query.model_copy(update={"sort": sort}), size=23)
    assert ordered == date_order(oracle_ids(DOCS, query), sort)


def test_relevance_pages_descend_in_score(loaded_backend: SearchBackend) -> None:
    query = SearchQuery(q="Kazakistan ticaret heyeti", size=20, highlight=False)
    scores: list[float] = []
    cursor = None
    while True:
        page = loaded_backend.search(query.model_copy(update={"cursor": cursor}))
        scores += [hit.score for hit in page.hits]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(scores) == len(oracle_ids(DOCS, query))
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > 0


def test_turkish_and_english_morphology(loaded_backend: SearchBackend) -> None:
    def ids(q: str) -> set[str]:
        return set(all_pages(loaded_backend, SearchQuery(q=q)))

    assert "tr-kz" in ids("Kazakistan")  # "Kazakistan'ımıza", "Kazakistan'a"
    assert {"tr-kz", "tr-izmir-caps"} <= ids("ihracat")  # "ihracatçılarımız", "İHRACAT"
    assert ids("İzmir") == ids("izmir") == ids("IZMIR")
    assert {"tr-izmir-caps", "en-chambers", "tr-kz"} <= ids("izmir")
    assert "en-de" in ids("chambers")  # "chamber"
    assert "tr-kz" in ids("ihracatçı")


@pytest.mark.parametrize("query", QUERIES[::2], ids=QUERY_IDS[::2])
def test_facet_counts_match_oracle(loaded_backend: SearchBackend, query: SearchQuery) -> None:
    size = 6
    result = loaded_backend.search(query.model_copy(update={"facets": list(FACETS), "facet_size": size, "size": 0}))
    matched = oracle_ids(DOCS, query)
    for facet in FACETS:
        counts = Counter(value for i in matched for value in facet_values(BY_ID[i])[facet])
        expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:size]
        assert [(f.value, f.count) for f in result.facets[facet]] == expected, facet


def oracle_histogram(query: SearchQuery, interval: Interval, split_by: str | None, field: str) -> list[HistogramBucket]:
    counts: Counter[tuple[str, str | None]] = Counter()
    for doc_id in oracle_ids(DOCS, query):
        doc = BY_ID[doc_id]
        if field == "published":
            periods = {period_label(doc.published, interval)} if doc.published else set()
        else:
            periods = {period_label(date.fromisoformat(event_bounds(e)[0]), interval) for e in doc.event_dates}
        splits: list[str | None] = list(facet_values(doc)[split_by]) if split_by else [None]
        for period in periods:
            for split in splits:
                counts[(period, split)] += 1
    ordered = sorted(counts.items(), key=lambda item: (item[0][0], -item[1], item[0][1] or ""))
    buckets: list[HistogramBucket] = []
    per_period: Counter[str] = Counter()
    for (period, split), count in ordered:
        per_period[period] += 1
        if per_period[period] <= query.facet_size:
            buckets.append(HistogramBucket(period=period, split=split, count=count))
    return buckets


@pytest.mark.parametrize("field", ["published", "event"])
@pytest.mark.parametrize(
    ("interval", "split_by"), [(Interval.MONTH, None), (Interval.QUARTER, "country"), (Interval.YEAR, "program")]
)
def test_histograms_match_oracle(
    loaded_backend: SearchBackend, interval: Interval, split_by: str | None, field: str
) -> None:
    query = SearchQuery(q="heyet", facet_size=3)
    buckets = loaded_backend.histogram(query, interval, split_by=split_by, field=field)
    assert buckets == oracle_histogram(query, interval, split_by, field)
    assert buckets, "the corpus has dated documents about delegations"


@pytest.mark.parametrize(
    ("facet", "prefix"), [("city", "iz"), ("organization", "IZMIR"), ("country", ""), ("city", "dü")]
)
def test_suggest_folds_case_and_accents(loaded_backend: SearchBackend, facet: str, prefix: str) -> None:
    suggestions = loaded_backend.suggest(facet, prefix, size=5)
    counts = Counter(value for doc in DOCS for value in facet_values(doc)[facet])
    key = analysis.fold_key(prefix)
    expected = sorted(
        ((value, count) for value, count in counts.items() if analysis.fold_key(value).startswith(key)),
        key=lambda item: (-item[1], analysis.fold_key(item[0]), item[0]),
    )[:5]
    assert [(s.value, s.count) for s in suggestions] == expected
    assert suggestions


def test_suggest_prefix_is_text_not_a_pattern(loaded_backend: SearchBackend) -> None:
    assert loaded_backend.suggest("organization", "İzmir (.*") == []
    assert loaded_backend.suggest("organization", ".*") == []
    assert loaded_backend.suggest("city", "Düsseldorf|") == [
        FacetCount(value="Düsseldorf|DE", count=1 + sum("Düsseldorf|DE" in doc.city for doc in DOCS[4:]))
    ]


def test_organization_suggest_meets_dotted_and_dotless_spellings(loaded_backend: SearchBackend) -> None:
    values = {s.value for s in loaded_backend.suggest("organization", "izmir", size=10)}
    assert {"İzmir Ticaret Odası", "Izmir Chamber of Industry"} <= values


def test_highlights_are_plain_text_with_match_offsets(loaded_backend: SearchBackend) -> None:
    result = loaded_backend.search(SearchQuery(q="ihracat Kazakistan", filters={"project": ["izto-tekstil"]}))
    assert [hit.id for hit in result.hits] == ["tr-kz"]
    (fragment,) = result.hits[0].highlights
    marked = [fragment.text[span.start : span.end] for span in fragment.matches]
    assert marked == ["Kazakistan'ımıza", "ihracatçılarımız"]
    assert "<script>x</script>" in fragment.text  # text, not HTML: the page escapes it
    no_highlight = loaded_backend.search(
        SearchQuery(q="ihracat", filters={"project": ["izto-tekstil"]}, highlight=False)
    )
    assert no_highlight.hits[0].highlights == []


def test_hits_carry_document_fields(loaded_backend: SearchBackend) -> None:
    hit = loaded_backend.search(SearchQuery(filters={"project": ["izto-tekstil"]})).hits[0]
    source = BY_ID["tr-kz"]
    assert (hit.url, hit.source, hit.title, hit.language, hit.published) == (
        source.url,
        source.source,
        source.title,
        source.language,
        source.published,
    )
    assert (hit.country, hit.sector, hit.program, hit.activity) == (["KZ"], ["C13"], ["UR-GE"], ["trade_delegation"])
    assert (hit.city, hit.project, hit.organization) == (source.city, ["izto-tekstil"], ["İzmir Ticaret Odası"])
    assert hit.event_dates == source.event_dates


def test_unknown_facet_and_foreign_cursor_are_refused(loaded_backend: SearchBackend) -> None:
    with pytest.raises(InvalidQuery, match="colour"):
        loaded_backend.search(SearchQuery(filters={"colour": ["red"]}))
    with pytest.raises(InvalidQuery, match="cursor"):
        loaded_backend.search(SearchQuery(cursor="bm90IGEgY3Vyc29y"))
    with pytest.raises(InvalidQuery, match="histogram field"):
        loaded_backend.histogram(SearchQuery(), Interval.YEAR, field="fetched")


def ids(backend: SearchBackend, q: str) -> set[str]:
    return set(all_pages(backend, SearchQuery(q=q)))


@pytest.mark.parametrize(("one", "other"), MORPHOLOGY_PAIRS, ids=[f"{a}={b}" for a, b in MORPHOLOGY_PAIRS])
def test_morphology_pairs_find_the_same_documents(loaded_backend: SearchBackend, one: str, other: str) -> None:
    found = ids(loaded_backend, one)
    assert found, one
    assert found == ids(loaded_backend, other)


@pytest.mark.parametrize(("one", "other"), ENTITY_PAIRS, ids=[f"{a}={b}" for a, b in ENTITY_PAIRS])
def test_entities_named_in_either_language_or_by_acronym(loaded_backend: SearchBackend, one: str, other: str) -> None:
    found = ids(loaded_backend, one)
    assert found, one
    assert found == ids(loaded_backend, other)


def test_a_hit_says_which_entity_the_query_named(loaded_backend: SearchBackend) -> None:
    hits = {hit.id: hit for hit in loaded_backend.search(SearchQuery(q="OASO", size=20)).hits}
    assert set(hits) == {"tr-oaso-heyet", "en-oaso-kazakhstan"}
    assert [m.model_dump() for m in hits["en-oaso-kazakhstan"].matched] == [
        {"facet": "organization", "value": OASO, "named_as": "OASO"}
    ]
    english = loaded_backend.search(SearchQuery(q="Kazakhstan", filters={"project": ["izto-tekstil"]})).hits
    assert [(hit.id, [(m.facet, m.value) for m in hit.matched]) for hit in english] == [("tr-kz", [("country", "KZ")])]


@pytest.mark.parametrize(
    ("q", "position", "says"),
    [
        ('"', 0, "unclosed quote"),
        ("(((((", 4, "never closed"),
        (",.;", 0, "no words"),
        ("-", 0, "no words"),
        ("()", 0, "nothing to search for"),
        ("heyet AND", 6, "after it"),
        ("OR heyet", 0, "before it"),
        ("heyet)", 5, "unexpected"),
        ("colour:red", 0, "unknown field"),
        ("title:", 6, "nothing after"),
        ("heyet^2", 5, "not supported"),
        ("date:[2023 TO", 5, "range"),
        ("date:[2024 TO 2023]", 5, "starts after"),
        ("date:yesterday", 5, "not a date"),
        ("date:{9999-12-31 TO *}", 5, "calendar"),
        ("ka*ak", 2, "end of a word"),
        ('"ticaret hey*"', 0, "inside a phrase"),
        ("a*", 0, "at least"),
        ("country:Atlantis", 8, "the index holds"),
    ],
)
def test_a_malformed_query_says_where_it_broke(loaded_backend: SearchBackend, q: str, position: int, says: str) -> None:
    with pytest.raises(QuerySyntaxError, match=says) as raised:
        loaded_backend.search(SearchQuery(q=q))
    assert raised.value.position == position


def test_indexed_values_are_what_the_documents_hold(loaded_backend: SearchBackend) -> None:
    assert loaded_backend.indexed_values() == oracle_values(DOCS)


def test_filter_values_resolve_by_case_and_label_or_list_what_exists(loaded_backend: SearchBackend) -> None:
    vocabulary = loaded_backend.vocabulary()
    given = {
        "country": ["kz", "Kazakhstan", "almanya", "CL"],
        "city": ["kayseri", "iğdır|tr"],
        "program": ["ur-ge", "KOBİ Kümelenme"],
        "organization": ["oaso", "central anatolia chamber of industry"],
        "activity": ["Trade Delegation"],
        "language": ["TR"],
    }
    resolved = vocabulary.resolve_filters(SearchQuery(filters=given)).filters
    assert resolved == {
        "country": ["KZ", "DE", "CL"],  # any ISO code is a country, held or not
        "city": ["Kayseri|TR", "Iğdır|TR"],
        "program": ["UR-GE", "KOBI-KUMELENME"],
        "organization": [OASO],
        "activity": ["trade_delegation"],
        "language": ["tr"],
    }
    with pytest.raises(UnknownFilterValue) as raised:
        vocabulary.resolve_filters(SearchQuery(filters={"program": ["turkuality"]}))
    assert raised.value.known[0] == "TURQUALITY" and set(raised.value.known) == {
        value for doc in DOCS for value in doc.program
    }
    with pytest.raises(UnknownFilterValue) as raised:
        vocabulary.resolve_filters(SearchQuery(filters={"city": ["Kayseriye"]}))
    assert "Kayseri|TR" in raised.value.known


def test_count_and_ping(loaded_backend: SearchBackend) -> None:
    loaded_backend.ping()
    assert loaded_backend.count() == len(DOCS)


def test_upsert_replaces_and_delete_removes(empty_backend: SearchBackend) -> None:
    docs = corpus()[:4]
    assert empty_backend.bulk_upsert(docs) == 4
    changed = docs[1].model_copy(update={"body": "A textile fair in Lyon.", "country": ["FR"]})
    assert empty_backend.bulk_upsert([changed]) == 1
    assert empty_backend.count() == 4
    assert [h.id for h in empty_backend.search(SearchQuery(q="textile")).hits] == ["en-de"]
    assert empty_backend.search(SearchQuery(q="machinery")).total == 0
    assert [h.id for h in empty_backend.search(SearchQuery(filters={"country": ["FR"]})).hits] == ["en-de"]
    assert empty_backend.search(SearchQuery(filters={"country": ["DE"]})).total == 0
    assert empty_backend.delete(["en-de", "never-indexed"]) == 1
    assert empty_backend.count() == 3
    assert empty_backend.suggest("country", "f") == []


def test_rebuild_replaces_everything_and_readers_see_the_old_index_until_the_switch(
    empty_backend: SearchBackend, request: pytest.FixtureRequest, tmp_path: object
) -> None:
    old = corpus()[:4]
    empty_backend.bulk_upsert(old)
    seen_during_rebuild: list[int] = []

    def new_documents():  # type: ignore[no-untyped-def]
        for number, doc in enumerate(corpus()[4:60]):
            if number == 30:
                seen_during_rebuild.append(empty_backend.search(SearchQuery(size=0)).total)
            yield doc

    assert empty_backend.rebuild(new_documents()) == 56
    assert seen_during_rebuild == [4]
    assert empty_backend.count() == 56
    assert empty_backend.search(SearchQuery(filters={"project": ["izto-tekstil"]})).total == 0


@pytest.mark.parametrize("server", [backend for backend in BACKENDS if backend != "embedded"])
def test_backends_agree(server: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> None:
    """Embedded and a search server, side by side: same totals, hit sets, date orders, facets, histograms, suggest."""
    embedded = open_test_backend("embedded", request, tmp_path_factory.mktemp("agree"))
    elastic = open_test_backend(server, request, tmp_path_factory.mktemp(f"agree-{server}"))
    try:
        for backend in (embedded, elastic):
            backend.rebuild(corpus())
        assert embedded.indexed_values() == elastic.indexed_values()
        typed = SearchQuery(filters={"country": ["kz", "Germany"], "program": ["ur ge"], "organization": ["oaso"]})
        assert embedded.vocabulary().resolve_filters(typed) == elastic.vocabulary().resolve_filters(typed)
        pairs = [SearchQuery(q=q) for pair in MORPHOLOGY_PAIRS + ENTITY_PAIRS for q in pair]
        for query in QUERIES + pairs:
            faceted = query.model_copy(update={"facets": list(FACETS), "size": 10})
            left, right = embedded.search(faceted), elastic.search(faceted)
            assert left.total == right.total, query.q
            assert left.facets == right.facets
            assert set(all_pages(embedded, query)) == set(all_pages(elastic, query))
            dated = query.model_copy(update={"sort": Sort.DATE_DESC})
            assert all_pages(embedded, dated, size=17) == all_pages(elastic, dated, size=17)
            date_page = embedded.search(dated), elastic.search(dated)
            assert [(h.highlights, h.matched) for h in date_page[0].hits] == [
                (h.highlights, h.matched) for h in date_page[1].hits
            ]
            for field in ("published", "event"):
                assert embedded.histogram(query, Interval.QUARTER, "sector", field) == elastic.histogram(
                    query, Interval.QUARTER, "sector", field
                )
        for facet in FACETS:
            assert embedded.suggest(facet, "a") == elastic.suggest(facet, "a")
        for q in ("country:Atlantis", '"', "heyet AND"):
            with pytest.raises(QuerySyntaxError) as left_error:
                embedded.search(SearchQuery(q=q))
            with pytest.raises(QuerySyntaxError) as right_error:
                elastic.search(SearchQuery(q=q))
            assert str(left_error.value) == str(right_error.value)
    finally:
        embedded.close()
        elastic.close()
