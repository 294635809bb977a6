"""Property-based requests generated from the OpenAPI schema, checked by every check schemathesis has.

No input may produce a server error, and every answer must be what the schema says: status codes,
content types, headers and bodies (422s and the others are `{"detail": str}`), invalid input
refused, valid input accepted. Write endpoints are exercised without the key (so no generated URL
is ever fetched); the read endpoints run over the annotated corpus on the embedded backend.
"""

from __future__ import annotations

import os
import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation.modes import GenerationMode

from kume.store import Store
from search_api.contract import FACETS, QuerySyntaxError
from search_api.query import plan
from tests.api.conftest import Served

# Cases per operation and mode (about 2,000 in all, some twenty seconds), the same ones on every run;
# KUME_SCHEMATHESIS_EXAMPLES=N runs N random ones instead (a probe, not a gate: at some 20,000 cases
# schemathesis can flag a negative case that its serialisation made valid).
EXAMPLES = int(os.environ.get("KUME_SCHEMATHESIS_EXAMPLES", "100"))
DERANDOMIZE = "KUME_SCHEMATHESIS_EXAMPLES" not in os.environ


def _schema_valid(
    case: schemathesis.Case, known: dict[str, list[str]], held: dict[str, list[str]]
) -> schemathesis.Case:
    """A valid case as a client sends one: no schema can state that a cursor is one the server returned
    (it is opaque, from a previous page), that a range's start is not after its end, that a filter value
    names something the index holds (values are resolved against it, or refused listing what exists) or,
    for the scoreboard, something events hold (`held`), that counting events goes with facets events have
    and no text query, or that a query parses (its syntax is a language of its own, tested in tests/search_api)."""
    query = dict(case.query or {})
    query.pop("cursor", None)
    if case.path == "/v1/scoreboard":
        known = held
    if query.get("count") == "events":
        for name in ("q", "date_from", "date_to", *(f for f in FACETS if f not in Store.EVENT_FACETS)):
            query.pop(name, None)
        if query.get("split_by") not in Store.EVENT_FACETS:
            query.pop("split_by", None)
        if "facet" in query and query["facet"] not in Store.EVENT_FACETS:
            query["facet"] = "country"
    for facet, values in known.items():
        given = query.pop(facet, None)
        if given is not None and values:
            given = given if isinstance(given, list) else [given]
            query[facet] = [values[sum(map(ord, str(value))) % len(values)] for value in given]
            if case.path == "/v1/scoreboard":
                query[facet] = query[facet][0]  # one value per filter
    if isinstance(query.get("q"), str):
        try:
            plan(query["q"], None)
        except QuerySyntaxError:
            query["q"] = ""
    for low, high in (("date_from", "date_to"), ("event_from", "event_to")):
        if isinstance(query.get(low), str) and isinstance(query.get(high), str) and query[low] > query[high]:
            query[low], query[high] = query[high], query[low]
    case.query = query
    return case


# Schemathesis' own pytest plugin does not load under this pytest, so each operation's strategy is
# driven with Hypothesis directly: the same generation and the same checks, one bounded run per operation.
def test_the_service_does_what_its_schema_says(embedded: Served) -> None:
    from api.app import create_app
    from search_api.backends import open_backend

    load_all_checks()
    checks = list(CHECKS.get_all())
    # An app of its own: schemathesis runs the app's lifespan, whose end closes the app's store and backend.
    settings_ = embedded.settings
    app = create_app(settings_, backend=open_backend(settings_), store=Store(settings_.store_path))
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    counted = embedded.client.get("/v1/search", params={"facets": list(FACETS), "size": 0, "facet_size": 200})
    known = {facet: [c["value"] for c in counted.json()["facets"].get(facet, [])] for facet in FACETS}
    held = {name: sorted(embedded.store.event_values(name)) for name in ("program", "country", "sector", "province")}
    held["activity"] = sorted(embedded.store.event_values("activity"))
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 12
    cases = 0
    unnegatable: list[str] = []

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)
            if mode is GenerationMode.POSITIVE:
                strategy = strategy.map(lambda case: _schema_valid(case, known, held))

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES,
                derandomize=DERANDOMIZE,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
            )
            def conforms(case: schemathesis.Case) -> None:
                nonlocal cases
                cases += 1
                case.call_and_validate(checks=checks)

            try:
                conforms()
            except Unsatisfiable:
                # Only where no invalid input exists: no parameters, or only free-text ones (the API key header).
                assert mode is GenerationMode.NEGATIVE, operation.label
                unnegatable.append(operation.label)
    assert len(unnegatable) <= 5, unnegatable  # /healthz, /readyz, /v1/projects, /v1/sources, /v1/searches
    print(f"schemathesis: {cases} cases, {len(checks)} checks, {len(operations)} operations")


def test_openapi_documents_every_facet_and_examples(embedded: Served) -> None:
    document = embedded.client.get("/openapi.json").json()
    search_parameters = {p["name"]: p for p in document["paths"]["/v1/search"]["get"]["parameters"]}
    for name in ("q", "country", "city", "sector", "program", "project", "organization", "activity", "language"):
        assert name in search_parameters, name
    for name in ("source", "date_from", "date_to", "event_from", "event_to", "size", "cursor", "sort", "facets"):
        assert name in search_parameters, name
    assert search_parameters["size"]["schema"]["maximum"] == 100
    assert search_parameters["country"]["schema"]["examples"] or search_parameters["country"].get("examples")


def test_errors_are_documented_as_they_are_sent(embedded: Served) -> None:
    document = embedded.client.get("/openapi.json").json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Message"}, (method, path, status)
    ingest = document["paths"]["/v1/ingest"]["post"]
    assert {"401", "403", "413", "422", "429"} <= set(ingest["responses"]) and ingest["security"]
    assert "429" in document["paths"]["/v1/search"]["get"]["responses"]


def test_dates_are_iso_dates_and_nothing_else(embedded: Served) -> None:
    for value in ("0", "1700000000", "2024-1-5", "20240105", "yesterday"):
        response = embedded.client.get("/v1/search", params={"event_to": value})
        assert response.status_code == 422, (value, response.text)
        assert "event_to" in response.json()["detail"]
    assert embedded.client.get("/v1/search", params={"event_to": "2024-01-05"}).status_code == 200


def test_the_interactive_docs_load_everything_from_the_service_itself(embedded: Served) -> None:
    page = embedded.client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(asset.startswith("/") for asset in assets), assets
    for asset in assets:
        assert embedded.client.get(asset).status_code == 200, asset
