"""The error half of the OpenAPI document, derived from what each route depends on.

FastAPI documents a route's success and a 422 of its own shape. The API answers more, always as
problem+json (functions/http/shell/problems.py), so each operation gets the answers it can give:

| answer | when |
|---|---|
| 401, 403 | the route declares an access check (`security.require`) |
| 404 | an id in the path, or a school named by `schoolId` (unknown, or outside the caller's scope) |
| 409 | a write (exists already, a state that does not allow it, another run holds it) |
| 412 | the route reads `If-Match` |
| 413 | a write: the body is over the size cap |
| 422 | the route takes parameters or a body |
| 428 | `If-Match` is required (`preconditions.if_match_required`); the header is then required |
| 429, 500 | every route: the per-caller rate limit (with `Retry-After`), an unexpected error |

A route adds others in its decorator (`responses={409: {"description": ...}}` on a read that
checks stored bytes); they get the problem+json content too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from functions.http.shell.correlation import HEADER as CORRELATION_HEADER
from functions.http.shell.preconditions import IF_MATCH
from functions.http.shell.problems import MEDIA_TYPE

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

ANSWERS: dict[int, tuple[str, str]] = {
    401: ("Unauthorized", "No valid bearer token (`WWW-Authenticate: Bearer`)."),
    403: ("Forbidden", "The caller's role or school scope does not allow this."),
    404: ("NotFound", "No such item, or it lies outside the caller's schools."),
    409: ("Conflict", "The current state does not allow it: it exists already, the item moved on, "
                      "another run holds it, or stored bytes do not match their recorded hash."),
    412: ("PreconditionFailed", "`If-Match` is not the current ETag: someone changed it first. "
                                "Read it again and retry."),
    413: ("PayloadTooLarge", "The body is larger than this route takes."),
    422: ("ValidationFailed", "Bad input: `errors[].field` names each offending field."),
    428: ("PreconditionRequired", "`If-Match` is required: send the ETag the item was read with."),
    429: ("TooManyRequests", "Too many requests from this caller: wait `Retry-After` seconds."),
    500: ("InternalError", "Something failed on our side: quote `correlationId` when reporting it."),
}
PROBLEM = "#/components/schemas/Problem"

PROBLEM_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "title": "Problem",
        "description": "RFC 9457 problem details, the body of every error answer.",
        "required": ["type", "title", "status", "instance", "correlationId"],
        "properties": {
            "type": {"type": "string", "format": "uri", "description": "Identifies the kind of problem"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string", "description": "The request path"},
            "correlationId": {"type": "string",
                              "description": "Also in the `x-correlation-id` header; quote it"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemField"}},
        },
    },
    "ProblemField": {
        "type": "object",
        "title": "ProblemField",
        "required": ["field", "message"],
        "properties": {
            "field": {"type": "string",
                      "description": "The offending field: `schoolId`, `terms[1].end`, `If-Match`"},
            "in": {"anyOf": [{"type": "string"}, {"type": "null"}],
                   "description": "Where it was: body, query, path or header"},
            "message": {"type": "string"},
        },
    },
}

HEADERS: dict[str, Any] = {
    "CorrelationId": {"description": "The request's correlation id (also `correlationId` in the body)",
                      "schema": {"type": "string"}},
    "RetryAfter": {"description": "Seconds to wait before the next request", "required": True,
                   "schema": {"type": "integer", "minimum": 0}},
    "WWWAuthenticate": {"description": "`Bearer`", "schema": {"type": "string"}}
}
_EXTRA_HEADERS = {401: {"WWW-Authenticate": "WWWAuthenticate"}, 429: {"Retry-After": "RetryAfter"}}


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for inner in dependant.dependencies:
        yield inner
        yield from _dependencies(inner)


def _marked(route: APIRoute, attribute: str) -> list[Any]:
    return [d.call for d in _dependencies(route.dependant) if hasattr(d.call, attribute)]


def answers(route: APIRoute, method: str) -> set[int]:
    """The error statuses `route` can answer, from its dependencies and parameters."""
    found = {429, 500}
    access = _marked(route, "permission")
    if access:
        found |= {401, 403}
    if route.dependant.path_params or any(getattr(a, "school_scoped", False) for a in access):
        found.add(404)
    flat = [route.dependant, *_dependencies(route.dependant)]
    params = [p for d in flat for p in (*d.path_params, *d.query_params, *d.header_params, *d.body_params)]
    if params or route.body_field is not None or any(getattr(a, "school_scoped", False) for a in access):
        found.add(422)
    if any(p.alias == IF_MATCH for d in flat for p in d.header_params):
        found.add(412)
    if _marked(route, "precondition_required"):
        found.add(428)
    if method in WRITES:
        found |= {409, 413}
    return found


def _response(status: int, description: str | None) -> dict[str, Any]:
    name, default = ANSWERS.get(status, ("Problem", "The request failed."))
    headers = {CORRELATION_HEADER: {"$ref": "#/components/headers/CorrelationId"}}
    extra = _EXTRA_HEADERS.get(status, {})
    headers |= {h: {"$ref": f"#/components/headers/{ref}"} for h, ref in extra.items()}
    return {"description": description or default, "headers": headers,
            "content": {MEDIA_TYPE: {"schema": {"$ref": PROBLEM}}}}


def complete(doc: dict[str, Any], routes: list[APIRoute]) -> dict[str, Any]:
    """Add every operation's error answers (in place) and the Problem schema."""
    for route in routes:
        for method in (route.methods or set()) - {"HEAD", "OPTIONS"}:
            operation = doc["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:  # include_in_schema=False
                continue
            responses = operation.setdefault("responses", {})
            declared = {int(s) for s in responses if s.isdigit() and int(s) >= 400}
            for status in sorted(answers(route, method) | declared):
                given = responses.get(str(status), {}).get("description")
                # FastAPI's own 422 describes its own body shape, not ours
                keep = given if given and status in declared and given != "Validation Error" else None
                responses[str(status)] = _response(status, keep)
            if _marked(route, "precondition_required"):
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "header" and parameter["name"] == IF_MATCH:
                        parameter.update(required=True, schema={"type": "string", "title": IF_MATCH},
                                         description="The ETag the item was read with: 428 without "
                                                     "it, 412 when it changed since")
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas.update(PROBLEM_SCHEMAS)
    components["headers"] = HEADERS
    return doc


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        elif isinstance(route, APIRoute):
            yield route


def install(api: FastAPI) -> None:
    generate: Callable[[], dict[str, Any]] = api.openapi

    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            api.openapi_schema = complete(generate(), list(_routes(api.routes)))
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
