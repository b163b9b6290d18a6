"""A nesting limit on JSON request bodies, checked before any route parses one.

Python's parser recurses once per level and raises RecursionError near 1,000 levels (fewer on a
deep stack), and model validation, rule walking and serialisation recurse too. No body the API
takes nests past a dozen levels (a Wonde contact's address is the deepest), so anything past
MAX_DEPTH is refused as a whole: a 422 problem naming `body`, on every route alike.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from functions.http.shell.problems import problem

MAX_DEPTH = 64
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_INNERMOST = re.compile(rb"\[\]|\{\}")
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def nests_deeper_than(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text's arrays and objects nest deeper than `limit`, or its brackets do
    not pair up (the parser would recurse into those before failing).

    Strings are dropped, then each pass removes the innermost empty pairs, one level of the
    whole document at a time in C: text that is empty after `limit` passes nested no deeper."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", raw))
    for _ in range(limit):
        if not brackets:
            return False
        brackets = _INNERMOST.sub(b"", brackets)
    return bool(brackets)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-type":
            media = value.split(b";")[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return True  # routes read a body without a content type as JSON


class JsonDepthLimit:
    """Reads a write's JSON body once, refuses it when too deep, else replays it to the app."""

    def __init__(self, app: ASGIApp, max_depth: int = MAX_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WRITES or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        if nests_deeper_than(body, self.max_depth):
            response = problem(Request(scope), 422, "Validation failed",
                               f"body: JSON nested deeper than {self.max_depth} levels, or brackets "
                               "that do not pair up",
                               errors=[{"field": "body", "in": "body",
                                        "message": f"nested deeper than {self.max_depth} levels"}])
            await response(scope, receive, send)
            return
        pending = iter(messages)

        async def replay() -> Message:
            return next(pending, None) or await receive()

        await self.app(scope, replay, send)
