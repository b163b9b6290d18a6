"""The OpenAPI document is the whole contract (issue 11 item 7): every error answer an operation can
give is declared, as problem+json with the Problem schema and the correlation id header, and the
`If-Match` header is declared required where the API answers 428 without it.

Expectations come from the hand-written role table (tests/api/route_table.py) and the list below,
never from functions/http/shell/contract.py. The fuzz run (tests/integration/test_fuzz_api.py) checks the
other half: what the app really answers is what the document says.
"""

from __future__ import annotations

from typing import Any

import pytest

from functions.http.shell.api import create_api
from tests.api.route_table import collect_routes

DOC = create_api().openapi()
OPERATIONS = [(method.upper(), path, op) for path, item in DOC["paths"].items()
              for method, op in item.items()]
PUBLIC = {("GET", "/api/health")}
# the versioned writes: without If-Match, 428; with a stale one, 412 (written from docs/api.md)
IF_MATCH_REQUIRED = {
    ("PUT", "/api/tasks/{taskId}"),
    ("PUT", "/api/meetings/{meetingId}"),
    ("PUT", "/api/interventions/rules/{id}"),
    ("PUT", "/api/letters/templates/{key}"),
}
ROLES = collect_routes()


def _statuses(op: dict[str, Any]) -> set[int]:
    return {int(s) for s in op["responses"] if s.isdigit()}


def _ids(operations: list[tuple[str, str, dict[str, Any]]]) -> list[str]:
    return [f"{m} {p}" for m, p, _ in operations]


def test_the_document_lists_every_route_of_the_role_table():
    assert {(m, p) for m, p, _ in OPERATIONS} >= set(ROLES)


@pytest.mark.parametrize(("method", "path", "op"), OPERATIONS, ids=_ids(OPERATIONS))
def test_every_error_answer_is_problem_json_with_the_correlation_id(method, path, op):
    errors = {s: r for s, r in op["responses"].items() if s.isdigit() and int(s) >= 400}
    assert {"429", "500"} <= set(errors), "every route can be rate-limited or fail"
    for status, answer in errors.items():
        assert answer["content"] == {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/Problem"}}}, status
        assert "x-correlation-id" in answer["headers"], status
        assert answer["description"] and answer["description"] != "Validation Error", status
    assert "Retry-After" in errors["429"]["headers"]


@pytest.mark.parametrize(("method", "path", "op"), OPERATIONS, ids=_ids(OPERATIONS))
def test_what_each_operation_can_answer_is_declared(method, path, op):
    statuses = _statuses(op)
    if (method, path) not in PUBLIC and (method, path) in ROLES:
        assert {401, 403} <= statuses, "a protected route answers 401 and 403"
        assert op["responses"]["401"]["headers"]["WWW-Authenticate"] == {
            "$ref": "#/components/headers/WWWAuthenticate"}
        if ROLES[(method, path)].school_scoped:
            assert {404, 422} <= statuses, "a school named by schoolId can be unknown or missing"
    if "{" in path:
        assert 404 in statuses, "an id in the path can name nothing"
    if method in {"POST", "PUT", "DELETE"}:
        assert {409, 413} <= statuses, "a write can conflict, and its body is capped"
    if op.get("parameters") or op.get("requestBody"):
        assert 422 in statuses


@pytest.mark.parametrize(("method", "path"), sorted(IF_MATCH_REQUIRED))
def test_if_match_is_a_required_header_where_428_is_answered(method, path):
    op = DOC["paths"][path][method.lower()]
    header = [p for p in op["parameters"] if p["in"] == "header" and p["name"] == "If-Match"]
    assert header and header[0]["required"] is True
    assert header[0]["schema"]["type"] == "string"
    assert {412, 428} <= _statuses(op)


def test_no_other_operation_claims_428():
    claiming = {(m, p) for m, p, op in OPERATIONS if 428 in _statuses(op)}
    assert claiming == IF_MATCH_REQUIRED


def test_the_problem_schema_is_rfc_9457_with_our_fields():
    schemas = DOC["components"]["schemas"]
    problem = schemas["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "instance", "correlationId"}
    assert problem["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/ProblemField"}
    assert {"field", "message"} <= set(schemas["ProblemField"]["required"])
    # FastAPI's own error shapes are gone: no answer uses them
    assert "HTTPValidationError" not in schemas
