"""`If-Match` on versioned writes: required (428 without it) or optional, declared one way so the
OpenAPI contract (functions/http/shell/contract.py) can tell which routes need it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header

from functions.http.rules.models import PreconditionRequired

IF_MATCH = "If-Match"
_DESCRIPTION = "The ETag the resource was read with; 412 when it changed since"

IfMatchOptional = Annotated[str | None, Header(alias=IF_MATCH, description=_DESCRIPTION)]


def if_match_required(what: str) -> Callable[..., str]:
    """A dependency answering 428 (field If-Match) when the header is missing; `what` names the
    ETag to send, e.g. "the task's ETag"."""
    def dependency(if_match: IfMatchOptional = None) -> str:
        if not if_match:
            raise PreconditionRequired(f"send If-Match with {what}", field=IF_MATCH)
        return if_match
    marked: Any = dependency
    marked.precondition_required = True
    return dependency
