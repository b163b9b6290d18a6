"""Correlation ids for HTTP: from x-correlation-id, else the traceparent's trace id, else new."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.platform.context import correlation, new_correlation_id

HEADER = "x-correlation-id"
_SAFE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


def incoming_correlation_id(headers: dict[str, str]) -> str:
    given = headers.get(HEADER, "").strip()
    if _SAFE.match(given):
        return given
    match = _TRACEPARENT.match(headers.get("traceparent", "").strip().lower())
    if match and match.group(1) != "0" * 32:
        return match.group(1)
    return new_correlation_id()


def request_correlation_id(request: Request) -> str:
    state: dict[str, Any] = request.scope.setdefault("state", {})
    if "correlation_id" not in state:
        state["correlation_id"] = incoming_correlation_id(dict(request.headers))
    return str(state["correlation_id"])


class CorrelationMiddleware:
    """Binds the id for logging during the request and echoes it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = request_correlation_id(Request(scope))

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != HEADER.encode()]
                headers.append((HEADER.encode(), correlation_id.encode()))
                message["headers"] = headers
            await send(message)

        with correlation(correlation_id):
            await self.app(scope, receive, send_with_header)
