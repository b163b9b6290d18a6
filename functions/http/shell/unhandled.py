"""The last resort for an exception no handler took: a problem+json 500 with the correlation id.

Starlette hands an `Exception` handler's response to the client and then re-raises, so under the
Functions host (AsgiMiddleware) the invocation fails and the host answers an empty text/plain
500 instead. This middleware sits inside the correlation middleware and answers itself without
re-raising; the trace goes to the log with the correlation id, never to the caller.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from functions.http.shell.problems import problem

log = logging.getLogger(__name__)

DETAIL = "Something went wrong on our side. Quote the correlation id if you report it."
# this answer leaves outside the transport middleware (functions/http/shell/transport.py), so it carries
# the same hygiene headers itself
HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


class UnhandledErrors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error("unhandled error on %s %s", scope.get("method"), scope.get("path"), exc_info=exc)
            if started:  # part of a response is out: nothing sound can follow it
                return
            answer = problem(Request(scope), 500, "Internal error", DETAIL, headers=HEADERS)
            await answer(scope, receive, send)
