"""A local HTTP server speaking Wonde's documented shapes, for tests and the local run.

    with WondeServer(wonde_district(generate_district(42)), page_size=20) as server:
        WondeClient(base_url=server.url).students(SisConnection(school_id, token))

Routes: `/v1.0/schools/{id}` and, under it, `students`, `contacts`, `employees`, `classes`,
`attendance-codes`, `attendance/session` and `deletions`; `/v1.0/attendance-codes` (the
client-level list). Each school answers only its own token (Bearer, or Basic with the token as the
user name). Lists take `include`, `updated_after`/`updated_before` (`YYYY-MM-DD[ HH:MM:SS]`,
UTC), `per_page` and `page`; marks take `date_after`/`date_before` (exclusive), deletions
`type`. Pagination follows Wonde: `meta.pagination` {next, previous, more, per_page,
current_page}, left out when everything fits on one page and no `per_page` was asked for.

Faults are injected with `inject(Fault(...))`: a status (429 with `Retry-After`, a 5xx, or 0 to
drop the connection unanswered) for the next `times` requests matching a path fragment and page.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from devhost.azurite import free_port
from devhost.wonde_data import SchoolData, WondeData, wonde_datetime
from devhost.wonde_views import LISTS, Fault, kept, school_object, shape
from domain.platform.errors import ValidationFailed


class WondeServer:
    def __init__(self, data: WondeData, *, page_size: int = 50, max_per_page: int = 200,
                 port: int | None = None) -> None:
        self.data, self.page_size, self.max_per_page = data, page_size, max_per_page
        self.port = port or free_port()
        self.faults: list[Fault] = []
        self.seen: list[tuple[str, dict[str, str]]] = []  # (path, query) of every request
        self._lock = threading.Lock()
        self._http: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1.0"

    @property
    def requests(self) -> int:
        return len(self.seen)

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def start(self) -> WondeServer:
        self._http = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
        self._http.daemon_threads = True
        self._http.wonde = self  # type: ignore[attr-defined]
        # a short poll keeps stop() quick: shutdown waits for the loop's next look
        threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.05},
                         name="wonde-server", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    def __enter__(self) -> WondeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def answer(self, path: str, query: dict[str, str], authorization: str,
               ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """(status, headers, body) for a GET."""
        try:
            return self._answer(path, query, authorization)
        except (ValueError, ValidationFailed) as exc:  # BadParameter, or a page that is not a number
            return 422, {}, {"error": "validation_failed", "error_description": str(exc)}

    def _answer(self, path: str, query: dict[str, str], authorization: str,
                ) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self._lock:
            self.seen.append((path, dict(query)))
            fault = self._take_fault(path, int(query.get("page") or 1))
        parts = [p for p in path.split("/") if p]
        if parts[:1] != ["v1.0"]:
            return 404, {}, {"error": "not found"}
        if parts[1:] == ["attendance-codes"]:
            school = next((s for s in self.data.schools.values() if self._authorised(authorization, s)), None)
            return self._serve(school, fault, lambda s: self._list(s, "attendance-codes", query, path))
        if len(parts) < 3 or parts[1] != "schools" or parts[2] not in self.data.schools:
            return 404, {}, {"error": "not found"}
        school, resource = self.data.schools[parts[2]], "/".join(parts[3:])
        if not self._authorised(authorization, school):
            return 401, {}, {"error": "invalid_token", "error_description": "The access token is invalid"}
        if resource == "":
            return self._serve(school, fault, school_object)
        if resource not in LISTS:
            return 404, {}, {"error": "not found"}
        return self._serve(school, fault, lambda s: self._list(s, resource, query, path))

    def _take_fault(self, path: str, page: int) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.path in path and fault.page in (None, page):
                fault.times -= 1
                return fault
        return None

    @staticmethod
    def _authorised(authorization: str, school: SchoolData) -> bool:
        scheme, _, value = authorization.partition(" ")
        token = value.strip()
        if scheme.lower() == "basic":
            try:
                token = base64.b64decode(token).decode().partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                return False
        elif scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(token.encode(), school.token.encode())

    @staticmethod
    def _serve(school: SchoolData | None, fault: Fault | None, build: Any,
               ) -> tuple[int, dict[str, str], dict[str, Any]]:
        if school is None:
            return 401, {}, {"error": "invalid_token"}
        if fault is not None:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return fault.status, headers, {"error": f"injected fault {fault.status}"}
        return 200, {}, build(school)

    def _list(self, school: SchoolData, resource: str, query: dict[str, str], path: str) -> dict[str, Any]:
        rows = school.deletions if resource == "deletions" else school.rows(resource)
        rows = [r for r in rows if kept(r, resource, query)]
        includes = {i for i in (query.get("include") or "").split(",") if i}
        codes = {r.record["id"]: r.record for r in school.rows("attendance-codes")}
        records = [shape(resource, r.record, includes, codes) for r in rows]
        return self._page(records, query, includes, path)

    def _page(self, records: list[dict[str, Any]], query: dict[str, str], includes: set[str],
              path: str) -> dict[str, Any]:
        asked = query.get("per_page")
        per_page = min(int(asked), self.max_per_page) if asked else self.page_size
        page = max(1, int(query.get("page") or 1))
        chunk = records[(page - 1) * per_page:page * per_page]
        meta: dict[str, Any] = {"includes": sorted(includes)}
        if asked or len(records) > per_page:
            more = page * per_page < len(records)
            meta["pagination"] = {"next": self._link(path, query, page + 1) if more else None,
                                  "previous": self._link(path, query, page - 1) if page > 1 else None,
                                  "more": more, "per_page": str(per_page), "current_page": page}
        return {"data": chunk, "meta": meta}

    def _link(self, path: str, query: dict[str, str], page: int) -> str:
        return f"http://127.0.0.1:{self.port}{path}?{urlencode(query | {'page': str(page)})}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        server: WondeServer = self.server.wonde  # type: ignore[attr-defined]
        status, headers, body = server.answer(parts.path, query, self.headers.get("Authorization", ""))
        if status == 0:  # the injected dropped connection
            self.close_connection = True
            return
        payload = json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
        pass  # quiet: a request line is all it would print


__all__ = ["Fault", "WondeServer", "wonde_datetime"]
