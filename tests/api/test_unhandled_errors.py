"""An unhandled error answers problem+json with the correlation id, through the Functions host's
ASGI bridge too (where a re-raised exception became the host's empty text/plain 500)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import azure.functions as func
import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

import function_app  # noqa: F401 - logging as the app configures it (records carry the id)
from functions.http.shell.api import create_api

SECRET = "secret internals at /srv/app.py line 42"


def _failing_api() -> Any:
    """The real app shell (a fresh one, so these routes reach no other test) with routes that fail."""
    api = create_api()

    def broken_dependency() -> None:
        raise KeyError(SECRET)

    @api.get("/api/_test/sync")
    def sync_route() -> None:
        raise RuntimeError(SECRET)

    @api.post("/api/_test/async")
    async def async_route(body: dict[str, Any]) -> None:
        raise ValueError(SECRET)

    @api.get("/api/_test/dependency")
    def dependency_route(_: None = Depends(broken_dependency)) -> None:
        return None

    return api


def _host_call(api: Any, method: str, url: str, headers: dict[str, str],
               body: bytes = b"") -> func.HttpResponse:
    """The request as the Functions host hands it to the app's one HTTP function."""
    app = func.AsgiFunctionApp(app=api, http_auth_level=func.AuthLevel.ANONYMOUS)
    http_function = next(f for f in app.get_functions()
                         if f.get_function_name() == "http_app_func").get_user_function()
    request = func.HttpRequest(method, f"http://localhost{url}", headers=headers, body=body)
    return asyncio.run(http_function(request, None))


def _assert_problem(status: int, content_type: str, correlation_header: str | None, text: str,
                    expected_id: str) -> None:
    assert status == 500
    assert content_type.startswith("application/problem+json")
    assert correlation_header == expected_id
    assert SECRET not in text and "Traceback" not in text and "KeyError" not in text


@pytest.mark.parametrize(("method", "url", "body"), [
    ("GET", "/api/_test/sync", b""),
    ("POST", "/api/_test/async", b'{"a": 1}'),
    ("GET", "/api/_test/dependency", b""),
])
def test_through_the_functions_host_an_unhandled_error_is_a_problem_with_the_id(method, url, body, caplog):  # type: ignore[no-untyped-def]
    headers = {"x-correlation-id": "corr-host-500", "content-type": "application/json"}
    with caplog.at_level(logging.ERROR):
        response = _host_call(_failing_api(), method, url, headers, body)
    text = response.get_body().decode()
    _assert_problem(response.status_code, response.headers["content-type"],
                    response.headers.get("x-correlation-id"), text, "corr-host-500")
    problem = json.loads(text)
    assert (problem["status"], problem["correlationId"], problem["instance"]) == (500, "corr-host-500", url)
    assert "correlation id" in problem["detail"]
    # the trace is logged, bound to the id the caller was given
    logged = [r for r in caplog.records
              if r.exc_info and getattr(r, "correlation_id", None) == "corr-host-500"]
    assert logged and SECRET in str(logged[0].exc_info[1])


def test_an_unhandled_error_is_answered_not_re_raised_and_a_new_id_is_minted():
    # raise_server_exceptions=True: the test client raises whatever escapes the app
    with TestClient(_failing_api(), raise_server_exceptions=True) as client:
        response = client.get("/api/_test/sync")
    minted = response.headers["x-correlation-id"]
    _assert_problem(response.status_code, response.headers["content-type"], minted, response.text, minted)
    assert response.json()["correlationId"] == minted and len(minted) == 32
    # the hygiene headers of every other answer (functions/http/shell/transport.py)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
