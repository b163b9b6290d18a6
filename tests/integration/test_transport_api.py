"""Transport hygiene through the in-process app on Azurite: `X-Content-Type-Options: nosniff` on
every answer and `Cache-Control: no-store` on every /api answer but health and the docs; a body
over its route's cap is a 413 problem+json, refused on its Content-Length before a byte is read,
or, sent chunked, as soon as the count passes the cap (the rest is never read); the large-body
routes take their own, larger caps; one caller's requests past the allowance get 429 with
Retry-After while other callers go on."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

import bootstrap
import function_app
from services.platform.rate_limits import CallerLimiter
from tests.roster_payloads import SCHOOL_BODY, payload, student

pytestmark = pytest.mark.integration

KIB = 1024


@pytest.fixture
def small_caps(settings, app_container) -> Iterator[bootstrap.Composition]:  # type: ignore[no-untyped-def]
    """A container whose caps are small: 4 KiB for most routes, 64 KiB for marks and roster."""
    container = bootstrap.Composition(settings.model_copy(update={
        "max_body_bytes": 4 * KIB, "max_marks_body_bytes": 64 * KIB, "max_roster_body_bytes": 64 * KIB}))
    bootstrap.use_composition(container)
    yield container
    bootstrap.use_composition(app_container)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["x-correlation-id"] == response.json()["correlationId"]
    return response.json()  # type: ignore[no-any-return]


def test_every_answer_is_nosniff_and_personal_data_is_never_cached(client, admin):  # type: ignore[no-untyped-def]
    answers = {
        "me": client.get("/api/me", headers=admin),
        "school": client.put("/api/schools/s1", json=SCHOOL_BODY, headers=admin),
        "students": client.get("/api/students", params={"schoolId": "s1"}, headers=admin),
        "anonymous": client.get("/api/me"),
        "unknown": client.get("/api/no-such-route", headers=admin),
    }
    for name, answer in answers.items():
        assert answer.headers["x-content-type-options"] == "nosniff", name
        assert answer.headers["cache-control"] == "no-store", name
    assert answers["me"].status_code == 200 and answers["anonymous"].status_code == 401
    for public in ("/api/health", "/api/openapi.json", "/api/docs"):
        answer = client.get(public)
        assert answer.status_code == 200, public
        assert answer.headers["x-content-type-options"] == "nosniff", public
        assert "no-store" not in answer.headers.get("cache-control", ""), public


def test_a_body_over_the_cap_is_a_413_problem_and_large_body_routes_have_their_own(  # type: ignore[no-untyped-def]
        client, admin, small_caps):
    padded = {**SCHOOL_BODY, "name": "x" * 200}
    assert client.put("/api/schools/s1", json=padded, headers=admin).status_code == 201
    too_big = client.put("/api/schools/s1", json={**SCHOOL_BODY, "name": "x" * (5 * KIB)}, headers=admin)

    problem = assert_problem(too_big, 413)
    assert "4,096 bytes" in problem["detail"]
    assert too_big.headers["x-content-type-options"] == "nosniff"
    assert client.get("/api/schools/s1", headers=admin).json()["name"] == "x" * 200  # nothing written
    # about 40 KiB of roster with contacts: over the default cap, under the roster route's
    count = 1
    while len(body := json.dumps(payload(*(student(f"st{i}") for i in range(count)))).encode()) < 40 * KIB:
        count += 1
    imported = client.post("/api/roster/import", params={"schoolId": "s1"}, content=body,
                           headers={**admin, "content-type": "application/json"})
    assert imported.status_code == 200 and imported.json()["accepted"] == count, imported.text
    huge = client.post("/api/roster/import", params={"schoolId": "s1"}, content=body * 2,
                       headers={**admin, "content-type": "application/json"})
    assert "65,536 bytes" in assert_problem(huge, 413)["detail"]
    marks = client.post("/api/attendance/marks", params={"schoolId": "s1"}, content=b" " * (65 * KIB),
                        headers={**admin, "content-type": "application/json"})
    assert_problem(marks, 413)


def call(method: str, path: str, headers: dict[str, str], chunks: Iterator[bytes]) -> tuple[int, int]:
    """The app called as the Functions host or uvicorn would, the body arriving in `chunks`.
    Returns the status and how many chunks the app read."""
    read = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"schoolId=s1",
             "root_path": "", "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(function_app.api(scope, receive, send))
    [start] = [m for m in sent if m["type"] == "http.response.start"]
    return start["status"], read


def endless(size: int) -> Iterator[bytes]:
    while True:
        yield b" " * size


def test_the_roster_route_refuses_60_mb_without_reading_it(client, admin, app_container):  # type: ignore[no-untyped-def]
    headers = {**admin, "content-type": "application/json"}
    cap = app_container.platform.settings.max_roster_body_bytes

    declared, read = call("POST", "/api/roster/import", {**headers, "content-length": str(60 * 1024 * KIB)},
                          endless(64 * KIB))
    assert (declared, read) == (413, 0)  # refused on its Content-Length: nothing read

    chunked, read = call("POST", "/api/roster/import", {**headers, "transfer-encoding": "chunked"},
                         endless(64 * KIB))
    assert chunked == 413
    assert read == cap // (64 * KIB) + 1  # stopped at the first chunk past the cap, of an endless body


def test_one_caller_past_its_allowance_gets_429_with_retry_after(  # type: ignore[no-untyped-def]
        client, mint, tenant, app_container):
    now = [1_000_000]
    # a burst of 5, 1 a second
    app_container.platform.rate_limiter = CallerLimiter(60, 5, now_ms=lambda: now[0])
    try:
        teacher, other = mint("Teacher", tenant, ["s1"]), mint("Teacher", tenant, ["s1"], subject="teacher-2")
        assert [client.get("/api/me", headers=teacher).status_code for _ in range(5)] == [200] * 5

        refused = client.get("/api/me", headers=teacher)

        problem = assert_problem(refused, 429)
        assert refused.headers["retry-after"] == "1" and "60 requests a minute" in problem["detail"]
        assert refused.headers["cache-control"] == "no-store"
        assert client.get("/api/me", headers=other).status_code == 200  # another caller is not slowed
        assert client.get("/api/me").status_code == 401  # no token: no bucket spent or consulted
        now[0] += 1000
        assert client.get("/api/me", headers=teacher).status_code == 200  # a token came back
        assert client.get("/api/me", headers=teacher).status_code == 429
    finally:
        del app_container.platform.rate_limiter  # the session's generous one is rebuilt on next use
