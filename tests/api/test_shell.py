"""The API shell: health, OpenAPI, problem+json, correlation ids, authentication."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from functions.http.shell.api import create_api


def test_health_answers_without_a_token(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_openapi_lists_routes_and_bearer_scheme(client):
    doc = client.get("/api/openapi.json").json()
    assert {"/api/health", "/api/me", "/api/audit", "/api/jobs"} <= set(doc["paths"])
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_unknown_route_is_problem_json(client):
    r = client.get("/api/nope")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 404


def test_validation_error_names_the_field(client, mint):
    r = client.get("/api/audit", params={"limit": "lots"}, headers=mint("DistrictAdmin", "t-val"))
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert body["errors"][0]["field"] == "limit"
    assert "limit" in body["detail"]


def test_correlation_id_is_echoed_or_taken_from_traceparent(client):
    r = client.get("/api/health", headers={"x-correlation-id": "abc12345-req"})
    assert r.headers["x-correlation-id"] == "abc12345-req"
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    r = client.get("/api/health", headers={"traceparent": f"00-{trace}-00f067aa0ba902b7-01"})
    assert r.headers["x-correlation-id"] == trace
    r = client.get("/api/health", headers={"x-correlation-id": "bad id\nwith newline"})
    assert r.headers["x-correlation-id"] != "bad id\nwith newline"
    assert len(r.headers["x-correlation-id"]) == 32


def test_unexpected_error_leaks_no_trace_and_logs_correlation(caplog):
    api = create_api()  # a fresh app with the real handlers, so the route does not leak

    @api.get("/api/_boom")
    def boom() -> None:
        raise RuntimeError("secret internals at /srv/app.py line 42")

    with TestClient(api, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        r = client.get("/api/_boom", headers={"x-correlation-id": "corr-boom-1"})
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "secret" not in r.text and "Traceback" not in r.text
    assert r.json()["correlationId"] == "corr-boom-1"
    assert any(getattr(rec, "correlation_id", None) == "corr-boom-1" for rec in caplog.records)


def test_missing_bad_and_expired_tokens_are_401(client, mint, settings):
    assert client.get("/api/me").status_code == 401
    r = client.get("/api/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    past = datetime.now(UTC) - timedelta(days=1)
    expired = mint("Teacher", "t1", ["s1"], now=past, ttl=timedelta(hours=1))
    assert client.get("/api/me", headers=expired).status_code == 401


def test_token_for_another_audience_or_issuer_is_401(client, mint):
    assert client.get("/api/me", headers=mint("Teacher", "t1", extra={"aud": "other"})).status_code == 401
    assert client.get("/api/me", headers=mint("Teacher", "t1", extra={"iss": "evil"})).status_code == 401


def test_token_signed_by_another_key_is_401(client, settings, tmp_path):
    from adapters.identity import mint_dev_token

    other = settings.model_copy(update={"auth_dev_key_dir": str(tmp_path)})
    token = mint_dev_token(other, role="DistrictAdmin", tenant_id="t1")
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_me_reports_the_principal(client, mint):
    r = client.get("/api/me", headers=mint("SchoolAdmin", "t1", ["s1", "s2"]))
    assert r.status_code == 200
    body = r.json()
    assert body["tenantId"] == "t1" and body["roles"] == ["SchoolAdmin"]
    assert body["schoolIds"] == ["s1", "s2"] and "audit:read" in body["permissions"]
