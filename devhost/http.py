"""HTTP triggers: an ASGI app (served by uvicorn) that routes each request to a registered HTTP
function the way the host does, passing a `func.HttpRequest` and returning its `HttpResponse`.

For an AsgiFunctionApp that function is the library's `http_app_func`, so requests go through
the same AsgiMiddleware translation as in Azure (one buffered body each way, no streaming).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import azure.functions as func

from devhost.discovery import HostFunction
from devhost.invoke import Delivery, Invoker, Outcome

log = logging.getLogger("devhost")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# Route constraints the host (ASP.NET routing) knows; others only need a non-empty segment.
_CONSTRAINTS = {"int": r"-?\d+", "long": r"-?\d+", "alpha": r"[A-Za-z]+", "bool": r"(?i:true|false)",
                "guid": r"[0-9A-Fa-f]{8}-?(?:[0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}",
                "decimal": r"-?\d+(?:\.\d+)?", "double": r"-?\d+(?:\.\d+)?", "float": r"-?\d+(?:\.\d+)?"}
_PARAM = re.compile(r"\{(?P<star>\*)?(?P<name>\w+)(?::(?P<constraint>\w+)[^}?]*)?(?P<optional>\?)?\}")
CORRELATION_HEADER = "x-correlation-id"
# Hop-by-hop or length headers are recomputed for the body actually sent.
_DROPPED_HEADERS = {"content-length", "transfer-encoding", "connection"}


@dataclass(frozen=True)
class Route:
    function: HostFunction
    template: str
    regex: re.Pattern[str]
    methods: frozenset[str] | None

    @property
    def precedence(self) -> tuple[bool, int, int]:
        """Sort key: literal routes before parameters, catch-alls last (ASP.NET route order)."""
        segments = self.template.split("/")
        literals = sum(1 for s in segments if s and not _PARAM.search(s))
        return ("{*" in self.template, -literals, -len(segments))


def route_regex(template: str) -> re.Pattern[str]:
    """Compile a Functions route template (`orders/{id:int}/{*rest}`) into a path regex."""
    pattern = ""
    for segment in template.strip("/").split("/"):
        whole = _PARAM.fullmatch(segment)
        if whole and whole["star"]:
            pattern += f"(?:/(?P<{whole['name']}>.*))?"
        elif whole and whole["optional"]:
            pattern += f"(?:/(?P<{whole['name']}>{_segment_regex(whole)}))?"
        elif segment:
            pattern += "/" + _segment_pattern(segment)
    # Routing ignores case in literal segments, as in the host.
    return re.compile(pattern or "/?", re.IGNORECASE)


def _segment_pattern(segment: str) -> str:
    out, last = "", 0
    for match in _PARAM.finditer(segment):
        out += re.escape(segment[last:match.start()]) + f"(?P<{match['name']}>{_segment_regex(match)})"
        last = match.end()
    return out + re.escape(segment[last:])


def _segment_regex(match: re.Match[str]) -> str:
    return _CONSTRAINTS.get((match["constraint"] or "").lower(), "[^/]+")


def build_routes(functions: list[HostFunction], route_prefix: str) -> list[Route]:
    routes = []
    for fn in functions:
        template = "/".join(p for p in (route_prefix.strip("/"),
                                        str(fn.trigger.get("route") or fn.name).strip("/")) if p)
        methods = fn.trigger.get("methods")
        routes.append(Route(fn, template, route_regex(template),
                            frozenset(m.upper() for m in methods) if methods else None))
    return sorted(routes, key=lambda r: r.precedence)


class HttpGateway:
    """The ASGI app uvicorn serves. Lifespan shutdown runs `on_shutdown` hooks on the server's
    own event loop (the AsgiFunctionApp started its ASGI lifespan there on the first request)."""

    def __init__(self, functions: list[HostFunction], route_prefix: str, invoker: Invoker,
                 on_shutdown: list[Callable[[], Awaitable[None]]] | None = None) -> None:
        self.routes = build_routes(functions, route_prefix)
        self._invoker = invoker
        self._on_shutdown = on_shutdown or []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for hook in self._on_shutdown:
                    await hook()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        method = scope["method"].upper()
        found = self.match(method, scope["path"])
        if found is None:
            await _respond(send, 404, [(b"content-type", b"text/plain; charset=utf-8")], b"Not Found")
            return
        route, route_params = found
        headers = _headers(scope)
        request = func.HttpRequest(method, _url(scope, headers), headers=headers,
                                   params=dict(parse_qsl(scope["query_string"].decode("latin-1"),
                                                         keep_blank_values=True)),
                                   route_params=route_params, body=body)
        delivery = Delivery(correlation_id=headers.get(CORRELATION_HEADER),
                            trace_parent=headers.get("traceparent", ""),
                            trace_state=headers.get("tracestate", ""))
        try:
            result = await self._invoker.call_async(route.function, request, delivery, describe=_status_text)
        except Exception:
            result = func.HttpResponse(status_code=500)  # the invoker logged it; the host answers 500 too
        await _respond(send, *to_asgi_response(result))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.methods is not None and method not in route.methods:
                continue
            found = route.regex.fullmatch(path)
            if found:
                return route, {k: v for k, v in found.groupdict().items() if v is not None}
        return None


def to_asgi_response(result: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers (repeated names kept, e.g. several Set-Cookie) and body of a return value."""
    if isinstance(result, func.HttpResponse):
        pairs = [(k, v) for k, v in result.headers.items() if k.lower() not in _DROPPED_HEADERS]
        if not any(k.lower() == "content-type" for k, _ in pairs):
            mimetype = result.mimetype
            text = mimetype.startswith("text/") or mimetype in ("application/json", "application/xml")
            pairs.append(("Content-Type", f"{mimetype}; charset={result.charset}" if text else mimetype))
        return (int(result.status_code), [(k.encode("latin-1"), v.encode("latin-1")) for k, v in pairs],
                result.get_body())
    if isinstance(result, str | bytes):
        body = result.encode("utf-8") if isinstance(result, str) else result
        return 200, [(b"content-type", b"text/plain; charset=utf-8")], body
    if result is None:
        return 204, [], b""
    log.error("HTTP function returned %s, not an HttpResponse", type(result).__name__)
    return 500, [], b""


def _status_text(result: Any) -> Outcome:
    if not isinstance(result, func.HttpResponse):
        return Outcome()
    # Log under the id the app answered with, so a client's x-correlation-id finds this line.
    return Outcome(f"returned {result.status_code}", result.headers.get(CORRELATION_HEADER))


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _headers(scope: Scope) -> dict[str, str]:
    # func.HttpRequest holds one value per name; repeated request headers are joined, as in HTTP.
    merged: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


def _url(scope: Scope, headers: dict[str, str]) -> str:
    host = headers.get("host")
    if not host and scope.get("server"):
        server_host, server_port = scope["server"]
        host = f"{server_host}:{server_port}"
    path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host or 'localhost'}{path}" + (f"?{query}" if query else "")


async def _respond(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
