"""Calling the API from a dashboard on another origin: CORS off by default, on for the origins configured."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app

PREFLIGHT = {
    "Origin": "https://dash.example.org",
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "X-API-Key",
}


def test_cors_is_off_unless_origins_are_configured(make_settings) -> None:
    with TestClient(create_app(make_settings())) as closed:
        answer = closed.get("/v1/search", headers={"Origin": "https://dash.example.org"})
        assert answer.status_code == 200
        assert "access-control-allow-origin" not in answer.headers
    with TestClient(create_app(make_settings(cors_origins=["https://dash.example.org"]))) as open_:
        preflight = open_.options("/v1/search", headers=PREFLIGHT)
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://dash.example.org"
        assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
        answer = open_.get("/v1/search", headers={"Origin": "https://dash.example.org"})
        assert answer.headers["access-control-allow-origin"] == "https://dash.example.org"
        other = open_.get("/v1/search", headers={"Origin": "https://elsewhere.example.org"})
        assert "access-control-allow-origin" not in other.headers
