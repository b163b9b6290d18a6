"""A size cap on every request body: 413 problem+json, without reading more than the cap.

A declared `Content-Length` over the cap is refused before a byte is read; a body without one
(chunked) is counted as it arrives and refused as soon as it passes the cap. What is under the
cap is handed to the app as it was received. The caps are settings (MAX_BODY_BYTES, and larger
ones for the two routes that take large bodies: marks batches and the roster import).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import bootstrap
from functions.http.shell import problems

# routes that legitimately take large bodies -> the settings field holding their cap
LARGE_BODIES = {("POST", "/api/attendance/marks"): "max_marks_body_bytes",
                ("POST", "/api/roster/import"): "max_roster_body_bytes"}


def limit_for(method: str, path: str) -> int:
    # read per request: a test or devhost may install another composition with other caps
    settings = bootstrap.composition().platform.settings
    field = LARGE_BODIES.get((method, path.rstrip("/") or "/"))
    return int(getattr(settings, field)) if field else settings.max_body_bytes


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["method"], scope["path"])
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _too_large(scope, receive, send, limit)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await _too_large(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: disconnect notices

        await self.app(scope, replay, send)


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    request = Request(scope, receive)
    response = problems.problem(request, 413, "Content too large",
                                f"the request body is over {limit:,} bytes, this route's limit",
                                slug="content-too-large", headers={"Connection": "close"})
    await response(scope, receive, send)
