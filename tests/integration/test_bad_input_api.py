"""Bad input through HTTP on Azurite answers a 422 problem naming the field, never a 500: tampered
continuation tokens on every paged route, JSON nested too deep on every route with a body, and
digits of other scripts in the free-form Wonde bodies (one bad value rejects its record only)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.api.route_table import collect_routes
from tests.integration.test_attendance_api import MON, TUE, add_school, mark
from tests.roster_payloads import contact, payload, student

pytestmark = pytest.mark.integration

PAGED = [("/api/audit", {}), ("/api/jobs", {}), ("/api/meetings", {"schoolId": "s1"}),
         ("/api/students", {"schoolId": "s1"}), ("/api/letters/artifacts", {"schoolId": "s1"})]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


TOKENS = {
    "not-base64": "not a token!",
    "truncated": _b64(json.dumps({"PartitionKey": "a", "RowKey": "b"}).encode())[:-3],
    "not-json": _b64(b"\xff\xfe{"),
    "json-list": _b64(b"[1, 2]"),
    "wrong-keys": _b64(b'{"next": "x"}'),
    "wrong-types": _b64(b'{"PartitionKey": 1, "RowKey": {"a": 1}}'),
    "deep": _b64(b"[" * 5000 + b"]" * 5000),
    "both-empty": _b64(b'{"PartitionKey": null, "RowKey": ""}'),
}
# The SDK's shape with keys of our making: a token is not signed, so this resumes somewhere in the
# caller's own partition (every query filters on it) or is refused, but is never a 500.
FORGED = _b64(json.dumps({"PartitionKey": "\u0000\u0001 '", "RowKey": "\ud7ff|'"}).encode())


def problem_field(response: Any) -> str:
    assert response.status_code == 422, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["correlationId"] == response.headers["x-correlation-id"]
    return response.json()["errors"][0]["field"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(TOKENS))
def test_every_paged_route_refuses_a_token_it_did_not_issue_naming_it(client, admin, name):  # type: ignore[no-untyped-def]
    assert client.put("/api/schools/s1", json={"name": "A", "jurisdiction": "ENG"},
                      headers=admin).status_code == 201
    for path, params in PAGED:
        first = client.get(path, params=params, headers=admin)
        assert first.status_code == 200, (path, first.text)
        answer = client.get(path, params={**params, "continuationToken": TOKENS[name]}, headers=admin)
        assert problem_field(answer) == "continuationToken", path


def test_a_forged_token_of_the_right_shape_is_no_server_error(client, admin):  # type: ignore[no-untyped-def]
    assert client.put("/api/schools/s1", json={"name": "A", "jurisdiction": "ENG"},
                      headers=admin).status_code == 201
    for path, params in PAGED:
        answer = client.get(path, params={**params, "continuationToken": FORGED}, headers=admin)
        assert answer.status_code in (200, 422), (path, answer.text)


def test_the_token_a_page_returns_still_reads_the_next_page(client, admin):  # type: ignore[no-untyped-def]
    add_school(client, admin, "s1", 3)
    first = client.get("/api/students", params={"schoolId": "s1", "limit": 2}, headers=admin).json()
    rest = client.get("/api/students", params={"schoolId": "s1", "limit": 2,
                                               "continuationToken": first["continuationToken"]},
                      headers=admin).json()
    assert len(first["items"]) == 2 and len(rest["items"]) == 1


def _nested(depth: int) -> str:
    objects, lists = depth // 2, depth - depth // 2
    return '{"a": ' * objects + "[" * lists + "]" * lists + "}" * objects


BODY_ROUTES = [r for r in collect_routes().values() if r.method in ("POST", "PUT", "PATCH")]


@pytest.mark.parametrize("route", BODY_ROUTES, ids=[f"{r.method} {r.path}" for r in BODY_ROUTES])
def test_json_nested_a_thousand_deep_is_a_422_on_every_route_with_a_body(client, mint, tenant, route):  # type: ignore[no-untyped-def]
    if route.seed:
        route.seed(tenant, "s1")
    headers = {**mint("DistrictAdmin", tenant), "content-type": "application/json"}
    params = {**route.params, "schoolId": "s1"}
    deep = "[" * 1000 + "]" * 1000  # the 2 KB body of the report
    inside = json.dumps({"data": [{"x": "__deep__"}], "name": "__deep__"}).replace('"__deep__"', _nested(80))
    for body in (deep, _nested(1000), inside, "[" * 100_000):
        answer = client.request(route.method, route.url, params=params, content=body, headers=headers)
        assert problem_field(answer) == "body", route.path
        assert "nested deeper than 64" in answer.json()["detail"]


def test_a_body_within_the_depth_limit_reaches_the_route(client, admin, sis):  # type: ignore[no-untyped-def]
    add_school(client, admin, "s1", 1)
    # 60 levels inside a mark's comment: the route judges the record, not the shell
    record = json.dumps(mark("s1-st0", MON, "AM", "/", comment="__deep__")).replace('"__deep__"', _nested(60))
    answer = client.post("/api/attendance/marks", params={"schoolId": "s1"},
                         content=f'{{"data": [{record}]}}',
                         headers={**sis, "content-type": "application/json"})
    assert answer.status_code == 200, answer.text
    assert [r["field"] for r in answer.json()["rejected"]] == ["comment"]
    # strings holding brackets are text, not nesting
    brackets = mark("s1-st0", MON, "PM", "/", comment="[" * 500 + "{" * 500)
    answer = client.post("/api/attendance/marks", params={"schoolId": "s1"}, json=[brackets], headers=sis)
    assert answer.status_code == 200 and answer.json()["accepted"] == 1, answer.text


@pytest.fixture
def sis(mint, tenant):  # type: ignore[no-untyped-def]
    return mint("Integration", tenant, ["s1"])


@pytest.mark.parametrize("late", ["²", "١٢", "１０", "5\u0664", "1e3", "-1", "10.5", "99999999999999999999",
                                  1e300])
def test_a_digit_of_another_script_in_minutes_late_rejects_that_mark_only(client, admin, sis, late):  # type: ignore[no-untyped-def]
    st0, st1, st2 = add_school(client, admin, "s1", 3)
    records = [mark(st0, MON, "AM", "L", minutes_late="12"), mark(st1, MON, "AM", "L", minutes_late=late),
               mark(st2, MON, "AM", "L", minutes_late=7), mark(st0, TUE, "AM", "/")]
    answer = client.post("/api/attendance/marks", params={"schoolId": "s1"}, json={"data": records},
                         headers=sis)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    rejected = [(r["index"], r["field"]) for r in body["rejected"]]
    assert (body["accepted"], rejected) == (3, [(1, "minutes_late")])


@pytest.mark.parametrize("priority", ["²", "١", "３", "1e9", 2**40, -3, 1.5])
def test_a_digit_of_another_script_in_a_contact_priority_drops_that_value_only(client, admin, priority):  # type: ignore[no-untyped-def]
    assert client.put("/api/schools/s1", json={"name": "A", "jurisdiction": "ENG"},
                      headers=admin).status_code == 201
    odd = student("st-odd", contacts=0)
    odd["contacts"] = {"data": [contact("c-odd")]}
    odd["contacts"]["data"][0]["relationship"]["priority"] = priority
    answer = client.post("/api/roster/import", params={"schoolId": "s1"},
                         json=payload(student("st-1"), odd, student("st-2")), headers=admin)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["accepted"], body["rejected"]) == (3, [])
    assert [(w["index"], w["field"]) for w in body["warnings"]] == [
        (1, "contacts.data[0].relationship.priority")]
    stored = client.get("/api/students/st-odd", params={"schoolId": "s1"}, headers=admin).json()
    assert [g["priority"] for g in stored["guardians"]] == [99]  # the documented default
