"""Transport hygiene for every response, and where the transport middleware goes in the app.

- `X-Content-Type-Options: nosniff` on every response: a browser never guesses a type (a PDF or
  CSV of a letter, a problem+json) into something it would run.
- `Cache-Control: no-store` on every /api response except the public ones (health, the OpenAPI
  document, the docs pages): the rest carry pupils' and families' data, which no browser or proxy
  cache may keep.

The body cap (body_limit.py) and the per-caller rate limit (rate_limit.py) are installed here too.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from functions.http.shell import rate_limit
from functions.http.shell.body_limit import BodyLimitMiddleware

PUBLIC = frozenset({"/api/health", "/api/openapi.json", "/api/docs", "/api/docs/oauth2-redirect"})


def carries_personal_data(path: str) -> bool:
    return path.startswith("/api/") and path.rstrip("/") not in PUBLIC


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = carries_personal_data(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                replaced = {b"x-content-type-options"} | ({b"cache-control"} if no_store else set())
                headers = [h for h in message.get("headers", []) if h[0].lower() not in replaced]
                headers.append((b"x-content-type-options", b"nosniff"))
                if no_store:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def install(api: FastAPI) -> None:
    """Call before the correlation middleware is added, so it wraps these: a 413 carries the
    request's correlation id like any other answer. The headers wrap the body cap, so its 413
    gets them too; middleware added before this call sits inside the cap."""
    api.add_middleware(BodyLimitMiddleware)
    api.add_middleware(SecurityHeadersMiddleware)
    rate_limit.install(api)
