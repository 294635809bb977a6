"""The read endpoints over the annotated corpus, against every backend."""

from __future__ import annotations

import csv
import io
import json

import pytest

from search_api.contract import IndexDocument
from tests.api.conftest import Served, extra_documents
from tests.api.corpus import ARTICLES, CARPETS, CHEMICALS, RAIL, facet_truth
from tests.search_api.test_cursors import CRAFTED


def ids_for(served: Served, predicate) -> set[str]:
    return {doc_id for doc_id, article in served.articles.items() if predicate(article)}


def search(served: Served, **params) -> dict:
    response = served.client.get("/v1/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_inflected_turkish_query_finds_documents_and_highlights_the_terms(served: Served) -> None:
    result = search(served, q="Kazakistan")
    expected = ids_for(served, lambda a: "Kazakistan" in a.text)
    assert {hit["id"] for hit in result["hits"]} == expected
    assert result["total"] == len(expected)
    fragments = [h for hit in result["hits"] for h in hit["highlights"]]
    marked = [f["text"][m["start"] : m["end"]] for f in fragments for m in f["matches"]]
    assert fragments and all(fragment["matches"] for fragment in fragments)
    assert any(word.startswith("Kazakistan") for word in marked)


def test_facet_filters_or_within_and_across_facets(served: Served) -> None:
    both = search(served, country=["KZ", "RU"], size=50)
    assert {h["id"] for h in both["hits"]} == ids_for(served, lambda a: {"KZ", "RU"} & a.countries.keys())
    chemicals_in_kz = search(served, country="KZ", sector="C20")
    assert {h["id"] for h in chemicals_in_kz["hits"]} == ids_for(
        served, lambda a: "KZ" in a.countries and "C20" in a.sectors
    )


def test_filter_values_as_people_type_them_or_a_422_listing_what_exists(served: Served) -> None:
    kazakhstan = {h["id"] for h in search(served, country="KZ", size=50)["hits"]}
    assert kazakhstan
    for typed in ("kz", "Kazakhstan", "kazakistan"):
        assert {h["id"] for h in search(served, country=typed, size=50)["hits"]} == kazakhstan, typed
    urge = {h["id"] for h in search(served, program="UR-GE", size=50)["hits"]}
    assert urge and {h["id"] for h in search(served, program="ur-ge", size=50)["hits"]} == urge
    for path, extra in (
        ("/v1/search", {}),
        ("/v1/stats/top", {"facet": "country"}),
        ("/v1/stats/timeseries", {}),
        ("/v1/export", {}),
    ):
        refused = served.client.get(path, params={"program": "no-such-programme", **extra})
        assert refused.status_code == 422, (path, refused.text)
        assert "program" in refused.json()["detail"] and "UR-GE" in refused.json()["detail"], refused.text


@pytest.mark.parametrize("facet", ["country", "sector", "program", "activity", "source", "language"])
def test_facet_counts_match_the_annotations(served: Served, facet: str) -> None:
    result = search(served, facets=facet, size=0, facet_size=50)
    counted = {c["value"]: c["count"] for c in result["facets"][facet]}
    assert counted == dict(facet_truth(ARTICLES, facet))
    assert result["total"] == len(ARTICLES)


def test_cursor_pagination_walks_every_hit_once(served: Served) -> None:
    seen: list[str] = []
    params: dict = {"size": 3, "sort": "date_desc"}
    while True:
        page = search(served, **params)
        seen.extend(h["id"] for h in page["hits"])
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert len(seen) == len(set(seen)) == len(ARTICLES)


def test_sort_by_publication_date(served: Served) -> None:
    newest_first = [h["published"] for h in search(served, sort="date_desc", size=50)["hits"] if h["published"]]
    assert newest_first == sorted(newest_first, reverse=True)
    oldest_first = [h["published"] for h in search(served, sort="date_asc", size=50)["hits"] if h["published"]]
    assert oldest_first == sorted(oldest_first)


def test_publication_and_event_date_ranges(served: Served) -> None:
    published_2023 = search(served, date_from="2023-01-01", date_to="2023-12-31", size=50)
    assert {h["id"] for h in published_2023["hits"]} == ids_for(
        served, lambda a: a.published is not None and a.published.year == 2023
    )
    events_2024 = search(served, event_from="2024-01-01", event_to="2024-12-31", size=50)
    assert {h["id"] for h in events_2024["hits"]} == ids_for(
        served, lambda a: any(start.startswith("2024") for start, _, _ in a.event_dates)
    )


def test_query_language_and_where_a_malformed_query_broke(served: Served) -> None:
    answer = search(served, q='title:"Kazakistan" AND (halı OR kimya*) -Rusya', size=50)
    assert {h["id"] for h in answer["hits"]} == ids_for(
        served,
        lambda a: (
            "Kazakistan" in a.title
            and "Rusya" not in a.text
            and ("halı" in a.text.lower() or "kimya" in a.text.lower())
        ),
    )
    assert search(served, q="*:*")["total"] == search(served, q="")["total"] == len(ARTICLES)
    for q, where in [('"unbalanced', 1), ("(((((", 5), ("heyet^2", 6), ("colour:red", 1)]:
        for path, extra in (("/v1/search", {}), ("/v1/stats/top", {"facet": "country"}), ("/v1/export", {})):
            response = served.client.get(path, params={"q": q, **extra})
            assert response.status_code == 422, (path, q, response.text)
            assert f"at character {where}" in response.json()["detail"], response.text
    # Punctuation alone is no query: refused, never every document.
    assert served.client.get("/v1/search", params={"q": '"'}).status_code == 422
    assert served.client.get("/v1/search", params={"q": ",.;"}).status_code == 422


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"size": 1000}, "size"),
        ({"size": -1}, "size"),
        ({"facets": "colour"}, "facets"),
        ({"sort": "random"}, "sort"),
        ({"date_from": "last tuesday"}, "date_from"),
        ({"date_from": "2024-01-01", "date_to": "2023-01-01"}, "date_from"),
        ({"colour": "red"}, "colour"),
        ({"country": ""}, "country"),
    ],
)
def test_bad_parameters_get_a_422_naming_them(served: Served, params: dict, named: str) -> None:
    response = served.client.get("/v1/search", params=params)
    assert response.status_code == 422
    assert named in response.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/v1/projects", "/v1/sources", "/v1/stats/top?facet=country", "/v1/suggest?kind=country", "/healthz"]
)
def test_every_endpoint_refuses_parameters_it_does_not_take(served: Served, path: str) -> None:
    refused = served.client.get(path, params={"colour": "red"} | dict(p.split("=") for p in path.split("?")[1:]))
    assert refused.status_code == 422, refused.text
    assert "colour" in refused.json()["detail"]


def test_forged_cursor_is_a_client_error(served: Served) -> None:
    response = served.client.get("/v1/search", params={"cursor": "not-a-cursor"})
    assert response.status_code == 422
    assert "cursor" in response.json()["detail"]
    for params in ({"q": "heyet"}, {"sort": "date_desc"}, {"sort": "date_asc", "program": "UR-GE"}):
        for cursor in ["", *CRAFTED]:
            forged = served.client.get("/v1/search", params={**params, "cursor": cursor})
            assert forged.status_code == 422, (params, cursor, forged.text)
            assert "cursor" in forged.json()["detail"] and "sqlite3" not in forged.text


def test_document_facts_point_into_its_text(served: Served) -> None:
    doc_id = next(i for i, a in served.articles.items() if a.project is CARPETS and a.event_dates)
    response = served.client.get(f"/v1/documents/{doc_id}")
    assert response.status_code == 200
    doc = response.json()
    spans = [
        m for facts in doc["extraction"].values() if isinstance(facts, list) for fact in facts for m in fact["mentions"]
    ]
    assert len(spans) >= 8
    for span in spans:
        assert doc["text"][span["start"] : span["end"]] == span["text"]
    assert doc["extraction"]["projects"][0]["code"] == "21.UR-GE.016"
    assert served.client.get("/v1/documents/0000000000000000").status_code == 404


def test_project_list_and_dossier(served: Served) -> None:
    listed = {p["id"]: p for p in served.client.get("/v1/projects").json()}
    assert set(listed) == {CARPETS.id, CHEMICALS.id, RAIL.id}
    assert listed[RAIL.id]["document_count"] == 2

    dossier = served.client.get(f"/v1/projects/{CARPETS.id}").json()
    assert (dossier["code"], dossier["program"], dossier["coordinator"]) == (
        "21.UR-GE.016",
        "UR-GE",
        "Demirci Ticaret ve Sanayi Odası",
    )
    assert dossier["sector_label"] == {"tr": "Tekstil ürünlerinin imalatı", "en": "Manufacture of textiles"}
    assert dossier["program_label"]["en"].startswith("UR-GE")
    # The documents naming it, oldest first; its events are those the event linker kept (tests/api/test_dossier.py).
    published = [link["published"] for link in dossier["documents"]]
    assert len(published) == sum(a.project is CARPETS for a in ARTICLES) and published == sorted(published)
    assert served.client.get("/v1/projects/no-such-project").status_code == 404


def test_timeseries_by_year_split_by_country(served: Served) -> None:
    response = served.client.get("/v1/stats/timeseries", params={"interval": "year", "split_by": "country"})
    assert response.status_code == 200
    buckets = response.json()["buckets"]
    per_year_kz = {b["period"]: b["count"] for b in buckets if b["split"] == "KZ"}
    assert per_year_kz == {"2022": 1, "2023": 1, "2024": 1}
    by_quarter = served.client.get(
        "/v1/stats/timeseries", params={"interval": "quarter", "date_field": "event", "program": "EU-FUNDED"}
    ).json()["buckets"]
    # Every quarter from the first to the last is there, the empty ones as 0.
    assert [(b["period"], b["count"]) for b in by_quarter] == [
        ("2022-Q2", 1),
        ("2022-Q3", 0),
        ("2022-Q4", 0),
        ("2023-Q1", 0),
        ("2023-Q2", 0),
        ("2023-Q3", 1),
    ]


def test_top_values_of_a_facet(served: Served) -> None:
    response = served.client.get("/v1/stats/top", params={"facet": "country", "size": 2})
    assert response.status_code == 200
    top = response.json()
    assert top["total"] == len(ARTICLES)
    truth = facet_truth(ARTICLES, "country")
    assert [v["count"] for v in top["values"]] == sorted(truth.values(), reverse=True)[:2]
    assert served.client.get("/v1/stats/top", params={"facet": "nope"}).status_code == 422


def test_suggestions_for_each_kind(served: Served) -> None:
    def labels(kind: str, prefix: str) -> list[str]:
        response = served.client.get("/v1/suggest", params={"kind": kind, "prefix": prefix})
        assert response.status_code == 200, response.text
        return [s["label"] for s in response.json()]

    assert "Demirci Ticaret ve Sanayi Odası" in labels("organization", "demir")
    assert any(CHEMICALS.name in label for label in labels("project", "kim"))
    assert any("21.UR-GE.016" in label for label in labels("project", "21.ur"))
    assert labels("country", "kaz") == ["Kazakistan"]
    assert labels("country", "KZ") == ["Kazakistan"]
    english = served.client.get("/v1/suggest", params={"kind": "country", "prefix": "germ", "lang": "en"}).json()
    assert [(s["value"], s["label"]) for s in english] == [("DE", "Germany")]
    # Sectors are completed by code and shown by their NACE Rev. 2 names.
    sectors = served.client.get("/v1/suggest", params={"kind": "sector", "prefix": "C3", "lang": "en"}).json()
    assert {(s["value"], s["label"]) for s in sectors} == {
        ("C30", "Manufacture of other transport equipment"),
        ("C31", "Manufacture of furniture"),
    }


def test_export_streams_the_whole_result_set(served: Served) -> None:
    ndjson = served.client.get("/v1/export", params={"format": "ndjson", "program": "UR-GE"})
    assert ndjson.status_code == 200
    assert ndjson.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in ndjson.text.splitlines()]
    assert {r["id"] for r in rows} == ids_for(served, lambda a: "UR-GE" in a.programs)

    as_csv = served.client.get("/v1/export", params={"format": "csv", "limit": 3})
    records = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(records) == 3
    assert all(r["url"].startswith("https://") for r in records)
    assert served.client.get("/v1/export", params={"limit": 10_000_000}).status_code == 422

    # UTF-8 with a byte order mark (Excel then opens Turkish letters as written), and the facts as columns.
    everything = served.client.get("/v1/export", params={"format": "csv", "limit": 100})
    assert everything.content.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(everything.content.decode("utf-8-sig"))))
    assert {"city", "project", "organization", "event_dates"} <= set(table[0])
    by_id = {row["id"]: row for row in table}
    for doc_id, article in served.articles.items():
        row = by_id[doc_id]
        assert set(filter(None, row["organization"].split("; "))) == set(article.organizations), doc_id
        assert set(filter(None, row["country"].split("; "))) == set(article.countries), doc_id


def test_csv_export_neutralises_formulas(served: Served) -> None:
    titles = [
        '=HYPERLINK("http://kotu.example","tıkla")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\tsekme",
        "\rsatır",
        "Düz başlık",
    ]
    hostile = [
        IndexDocument(id=f"formula-{i}", url=f"https://kotu.example/{i}", source="kotu", title=title, body="zqxformul")
        for i, title in enumerate(titles)
    ]
    with extra_documents(served, hostile):
        exported = served.client.get("/v1/export", params={"format": "csv", "q": "zqxformul"})
    # The export opens with a byte order mark (for Excel), which utf-8-sig reads past.
    cells = {row["id"]: row["title"] for row in csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))}
    assert [cells[f"formula-{i}"] for i in range(len(titles))] == [*("'" + title for title in titles[:-1]), titles[-1]]


def test_health_and_readiness(served: Served) -> None:
    assert served.client.get("/healthz").json() == {"status": "ok"}
    ready = served.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["ready"] is True


def test_web_page_is_served(served: Served) -> None:
    page = served.client.get("/")
    assert page.status_code == 200
    assert "chart.umd.min.js" in page.text
    assert served.client.get("/vendor/chartjs/LICENSE.md").status_code == 200
