"""Storage faults on demand, for tests/integration/test_storage_faults.py: an Azurite of the
test's own (data in a folder, fixed ports) that can be stopped and started again, and a hook in
the SDK's HTTP transport that stops it at the Nth storage request a chosen function makes.

Counting only the watched function's own requests (on its thread, while it runs) keeps the kill
point reproducible: the local host's polling between invocations depends on timing, the
function's requests do not. Azurite is stopped with SIGTERM, which makes it save its database
first: a SIGKILL would lose the writes of its last autosave interval (5 s), writes already
acknowledged, a failure Azure Storage does not have, so the test would be about Azurite.

Two ways to fail at request N: `refused` stops Azurite before sending it (the request never
arrives), `lost` sends it, lets Azurite apply it, stops Azurite and loses the answer (the caller
cannot tell whether it happened: the SDK retries a write that was already made). Either way
Azurite stays down for the rest of the invocation, so the SDK's own retries run out (their
backoff sleeps are skipped while it is down, to keep the test fast) and the function fails; it
comes back up when the invocation has ended, before the host releases the message, and the
queue's redelivery does the rest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from azure.core.exceptions import ServiceResponseError
from azure.core.pipeline.transport import HttpTransport, RequestsTransport

from devhost import azurite
from devhost.host import DevHost

Mode = Literal["refused", "lost"]


@dataclass
class Storage:
    """Azurite keeping its data in `location`, on the same three ports every time it starts."""

    location: Path
    ports: tuple[int, int, int] = field(
        default_factory=lambda: (azurite.free_port(), azurite.free_port(), azurite.free_port()))
    server: azurite.Azurite | None = None
    restarts: int = 0

    @property
    def connection_string(self) -> str:
        blob, queue, table = self.ports
        return azurite.Azurite(blob, queue, table).connection_string

    @property
    def up(self) -> bool:
        return self.server is not None

    def start(self) -> None:
        self.server = azurite.start(location=self.location, ports=self.ports,
                                    log=self.location.parent / f"{self.location.name}.log")

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def restart(self) -> None:
        self.start()
        self.restarts += 1


@dataclass
class Fault:
    function: str  # the function whose Nth storage request fails
    request: int  # N, from 1
    mode: Mode


class Faults:
    """Install with `install(monkeypatch, host)`. `arm(fault)` makes the next invocation of
    `fault.function` stop Azurite at its Nth storage request; `counts[name]` is how many storage
    requests the last invocation of each watched function made (an undisturbed run measures
    them), `deliveries[name]` the most times one message reached it."""

    def __init__(self, storage: Storage, watched: tuple[str, ...]) -> None:
        self.storage, self.watched = storage, watched
        self.counts: dict[str, int] = {}
        self.deliveries: dict[str, int] = {}  # the highest dequeue count each watched function saw
        self.armed: Fault | None = None
        self.tripped: list[Fault] = []
        self._local = threading.local()

    def install(self, monkeypatch: Any, host: DevHost) -> None:
        send, sleep = RequestsTransport.send, HttpTransport.sleep
        faults = self

        def counted_send(transport: RequestsTransport, request: Any, **kwargs: Any) -> Any:
            return faults._send(send, transport, request, **kwargs)

        def quick_sleep(transport: HttpTransport, duration: float) -> None:
            if faults.storage.up:  # backoff against a running service is kept as it is
                sleep(transport, duration)

        monkeypatch.setattr(RequestsTransport, "send", counted_send)
        # on the base class: the storage SDKs sleep through a wrapper around the requests transport
        monkeypatch.setattr(HttpTransport, "sleep", quick_sleep)
        call = host.invoker.call

        def watched_call(fn: Any, value: Any, delivery: Any = None) -> Any:
            if fn.name not in faults.watched:
                return call(fn, value, delivery)
            faults._local.name, faults.counts[fn.name] = fn.name, 0
            attempt = delivery.attempt if delivery is not None else 1
            faults.deliveries[fn.name] = max(faults.deliveries.get(fn.name, 0), attempt)
            try:
                return call(fn, value, delivery)
            finally:
                faults._local.name = None
                if not faults.storage.up:  # the outage ends once the failed invocation has
                    faults.storage.restart()

        monkeypatch.setattr(host.invoker, "call", watched_call)

    def arm(self, fault: Fault) -> None:
        self.armed = fault

    def _send(self, send: Callable[..., Any], transport: RequestsTransport, request: Any,
              **kwargs: Any) -> Any:
        name = getattr(self._local, "name", None)
        fault = self.armed
        if name is None:
            return send(transport, request, **kwargs)
        self.counts[name] += 1
        hit = fault is not None and fault.function == name and fault.request == self.counts[name]
        if hit and fault is not None and fault.mode == "refused":
            self._trip(fault)
        response = send(transport, request, **kwargs)
        if hit and fault is not None and fault.mode == "lost":
            self._trip(fault)
            raise ServiceResponseError("connection lost before the answer came (storage fault test)")
        return response

    def _trip(self, fault: Fault) -> None:
        self.armed = None
        self.tripped.append(fault)
        self.storage.stop()
