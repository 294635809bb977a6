"""Property-based requests generated from the OpenAPI schema: no input may produce a server error.

Write endpoints are exercised without the key (so no generated URL is ever
fetched); the read endpoints run over the annotated corpus on the embedded backend.
"""

from __future__ import annotations

import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import Served


# Schemathesis' own pytest plugin does not load under this pytest, so each operation's strategy is
# driven with Hypothesis directly: the same generation and the same check, one bounded run per operation.
def test_no_input_makes_a_server_error(embedded: Served) -> None:
    api = schemathesis.openapi.from_asgi("/openapi.json", embedded.app)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 12

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
        )
        def no_server_error(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        no_server_error()


def test_openapi_documents_every_facet_and_examples(embedded: Served) -> None:
    document = embedded.client.get("/openapi.json").json()
    search_parameters = {p["name"]: p for p in document["paths"]["/v1/search"]["get"]["parameters"]}
    for name in ("q", "country", "city", "sector", "program", "project", "organization", "activity", "language"):
        assert name in search_parameters, name
    for name in ("source", "date_from", "date_to", "event_from", "event_to", "size", "cursor", "sort", "facets"):
        assert name in search_parameters, name
    assert search_parameters["size"]["schema"]["maximum"] == 100
    assert search_parameters["country"]["schema"]["examples"] or search_parameters["country"].get("examples")


def test_the_interactive_docs_load_everything_from_the_service_itself(embedded: Served) -> None:
    page = embedded.client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(asset.startswith("/") for asset in assets), assets
    for asset in assets:
        assert embedded.client.get(asset).status_code == 200, asset
