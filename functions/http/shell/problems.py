"""RFC 9457 problem+json for every error; validation problems name the offending fields."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.platform.errors import DomainError
from functions.http.shell.correlation import HEADER, request_correlation_id
from services.platform.context import correlation

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://attendance-orchestrator.dev/problems/"


def problem(request: Request, status: int, title: str, detail: str | None = None, *,
            slug: str | None = None, errors: list[dict[str, Any]] | None = None,
            headers: Mapping[str, str] | None = None) -> JSONResponse:
    correlation_id = request_correlation_id(request)
    body: dict[str, Any] = {
        "type": TYPE_BASE + (slug or title.lower().replace(" ", "-")),
        "title": title, "status": status, "instance": request.url.path,
        "correlationId": correlation_id,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    all_headers = {HEADER: correlation_id, **(headers or {})}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=all_headers)


def _field(loc: tuple[Any, ...]) -> str:
    """('query', 'schoolId') -> 'schoolId'; ('body', 'marks', 3, 'date') -> 'marks[3].date'."""
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or ".".join(str(p) for p in loc)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(tuple(e["loc"])), "in": e["loc"][0] if e["loc"] else None,
               "message": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:10])
    return problem(request, 422, "Validation failed", detail, errors=errors)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem(request, exc.status, exc.title, exc.detail, errors=errors, headers=headers)


# FastAPI's answer to a body it cannot decode at all (not UTF-8, a form it cannot read); malformed
# JSON it already answers as a validation error
_UNPARSEABLE_BODY = "There was an error parsing the body"


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _UNPARSEABLE_BODY:
        message = "is not a JSON document in UTF-8"
        return problem(request, 422, "Validation failed", f"body: {message}",
                       errors=[{"field": "body", "in": "body", "message": message}])
    titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized"}
    title = titles.get(exc.status_code, "Request failed")
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem(request, exc.status_code, title, detail, headers=exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # the trace goes to the log (with the correlation id), never to the caller; this handler
    # runs outside the middleware, so bind the id again
    with correlation(request_correlation_id(request)):
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(request, 500, "Internal error",
                   "Something went wrong on our side. Quote the correlation id if you report it.")


def install(api: FastAPI) -> None:
    api.add_exception_handler(RequestValidationError, _validation)
    api.add_exception_handler(DomainError, _domain)
    api.add_exception_handler(StarletteHTTPException, _http)
    api.add_exception_handler(Exception, _unexpected)
