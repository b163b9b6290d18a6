"""DevHost: run the functions a FunctionApp registers, locally, the way the Functions host would.

HTTP through uvicorn, timers on their schedules, queue and blob triggers by polling Azurite,
timers and Service Bus functions on demand. The pieces live in sibling modules; this class
wires them to one app, one Settings and one host.json.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import cached_property
from typing import Any

import azure.functions as func
import uvicorn
from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableServiceClient
from azure.functions.timer import TimerRequest
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import QueueServiceClient

import bootstrap
from adapters.storage import clients
from devhost.blobs import BlobOptions, BlobPoller
from devhost.discovery import HostFunction, discover
from devhost.hostconfig import HostConfig
from devhost.http import HttpGateway
from devhost.invoke import Delivery, Invoker
from devhost.queues import QueueOptions, QueuePoller
from devhost.servicebus import service_bus_message
from devhost.timers import Schedule, TimerScheduler, utc_now
from services.platform.ports import FixedClock
from settings import Settings

log = logging.getLogger("devhost")

DEFAULT_APP = "function_app:app"


def load_app(spec: str = DEFAULT_APP) -> func.FunctionRegister:
    """Import `module:attribute` (default: `function_app:app`, the object the worker indexes)."""
    module, _, attribute = spec.partition(":")
    app = getattr(importlib.import_module(module), attribute or "app")
    if not isinstance(app, func.FunctionRegister):
        raise TypeError(f"{spec} is a {type(app).__name__}, not a FunctionApp")
    return app


def _with_schedule_checked(fn: HostFunction) -> HostFunction:
    """A timer whose schedule does not parse is not run (the host refuses it at indexing)."""
    if fn.kind != "timerTrigger" or fn.problems:
        return fn
    try:
        Schedule(fn.setting("schedule"))
    except ValueError as exc:
        return dataclasses.replace(fn, problems=(str(exc),))
    return fn


class DevHost:
    def __init__(self, settings: Settings, app: func.FunctionRegister | None = None, *,
                 config: HostConfig | None = None, queue_options: QueueOptions | None = None,
                 blob_options: BlobOptions | None = None, poll_interval: float = 1.0) -> None:
        self.settings = settings
        self.app = app if app is not None else load_app()
        self.config = config or HostConfig.load()
        self.functions = [_with_schedule_checked(fn) for fn in discover(self.app, settings.app_settings)]
        self.queue_options = queue_options or QueueOptions(
            max_dequeue_count=self.config.max_dequeue_count,
            batch_size=min(self.config.batch_size, 32),  # the service returns at most 32
            retry_delay=round(self.config.retry_delay),
            lease=max(1, round(self.config.function_timeout)),
            encoding=self.config.message_encoding)
        self.blob_options = blob_options or BlobOptions(retry_delay=self.config.retry_delay)
        self.poll_interval = poll_interval
        self.invoker = Invoker()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        for fn in self.functions:
            if fn.problems:
                log.warning("function %s will not run: %s", fn.name, "; ".join(fn.problems))

    # -- discovery ---------------------------------------------------------------------------

    def function(self, name: str) -> HostFunction:
        for fn in self.functions:
            if fn.name == name:
                return fn
        known = ", ".join(f.name for f in self.functions)
        raise KeyError(f"no function named {name!r} (known: {known})")

    def expect(self, name: str, kind: str) -> HostFunction:
        """The function `name`, which must have a `kind` trigger and be runnable."""
        fn = self.function(name)
        if fn.kind != kind:
            raise ValueError(f"{name} is a {fn.kind} function, not a {kind} one")
        if fn.problems:
            raise ValueError(f"{name} cannot run under devhost: {'; '.join(fn.problems)}")
        return fn

    def runnable(self, kind: str) -> list[HostFunction]:
        return [fn for fn in self.functions if fn.kind == kind and fn.runnable]

    def describe(self) -> list[str]:
        return [fn.describe() for fn in self.functions]

    # -- storage -----------------------------------------------------------------------------

    @cached_property
    def queue_service(self) -> QueueServiceClient:
        return clients.queue_service(self.settings.storage)

    @cached_property
    def blob_service(self) -> BlobServiceClient:
        return clients.blob_service(self.settings.storage)

    @cached_property
    def table_service(self) -> TableServiceClient:
        return clients.table_service(self.settings.storage)

    @cached_property
    def queues(self) -> QueuePoller:
        return QueuePoller(self.queue_service, self.runnable("queueTrigger"), self.invoker,
                           self.queue_options)

    @cached_property
    def blobs(self) -> BlobPoller:
        return BlobPoller(self.blob_service, self.table_service, self._send_to_queue,
                          self.runnable("blobTrigger"), self.invoker, self.blob_options)

    def _send_to_queue(self, queue: str, text: str) -> None:
        client = self.queue_service.get_queue_client(queue)
        with contextlib.suppress(ResourceExistsError):
            client.create_queue()
        client.send_message(text)

    # -- on demand ---------------------------------------------------------------------------

    def fire(self, name: str, *, on: date | None = None, past_due: bool = False) -> Any:
        """Run a timer function now. With `on`, the app's clock is fixed at the schedule's first
        occurrence that day (02:00 for `0 0 2 * * *`) while it runs, so jobs compute "today"
        as they would have on that date."""
        fn = self.expect(name, "timerTrigger")
        with self.clock_fixed_at(self.fire_time(name, on) if on else None):
            return self.invoker.call(fn, TimerRequest(past_due=past_due))

    def fire_time(self, name: str, on: date) -> datetime:
        """When the timer `name` would have run on `on` (UTC)."""
        return Schedule(self.expect(name, "timerTrigger").setting("schedule")).first_on(on)

    def send_service_bus(self, name: str, body: bytes) -> Any:
        """Deliver one message to a Service Bus function (there is no emulator to poll)."""
        fn = self.expect(name, "serviceBusTrigger")
        message = service_bus_message(body, now=utc_now())
        return self.invoker.call(fn, message, Delivery(correlation_id=message.correlation_id))

    @contextlib.contextmanager
    def clock_fixed_at(self, at: datetime | None) -> Iterator[None]:
        """Install a container whose clock stands at `at` (nothing when None), then put back
        the one that was there."""
        if at is None:
            yield
            return
        previous = bootstrap.composition()
        bootstrap.use_composition(bootstrap.Composition(self.settings, clock=FixedClock(at)))
        try:
            yield
        finally:
            bootstrap.use_composition(previous)

    # -- pollers -----------------------------------------------------------------------------

    def run_queues_once(self) -> int:
        return self.queues.run_once() if self.queues.queue_names() else 0

    def run_blobs_once(self) -> int:
        return self.blobs.run_once() if self.runnable("blobTrigger") else 0

    def pending(self) -> int:
        """Queue messages not yet done (visible or waiting for a retry) and blobs awaiting a retry."""
        queued = self.queues.pending() if self.queues.queue_names() else 0
        return queued + self.blobs.pending()

    def drain(self, timeout: float = 300.0, on_poll: Callable[[Counter[str]], None] | None = None) -> int:
        """Process queue and blob triggers until nothing is pending for two polls in a row (work
        that fans out more work is followed to the end). Returns how many queue messages and
        blob versions were handled (run, retried or poisoned); raises TimeoutError if work is
        still pending after `timeout` seconds. `on_poll`, after each poll that handled something,
        gets the counts so far by function name (a progress bar's: counted in memory)."""
        deadline = time.monotonic() + timeout
        total = quiet = 0
        so_far: Counter[str] = Counter()
        while True:
            handled = self.run_queues_once() + self.run_blobs_once()
            total += handled
            if handled and on_poll is not None:
                so_far.update(self.queues.last_handled)
                so_far.update(self.blobs.last_handled)
                on_poll(so_far)
            quiet = quiet + 1 if handled == 0 and self.pending() == 0 else 0
            if quiet >= 2:
                return total
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.pending()} messages or blobs still pending after {timeout:g} s")
            if handled == 0:
                time.sleep(self.poll_interval)

    # -- serving -----------------------------------------------------------------------------

    def http_app(self) -> HttpGateway:
        return HttpGateway(self.runnable("httpTrigger"), self.config.route_prefix, self.invoker,
                           on_shutdown=[self._shut_down_asgi_app])

    def http_server(self, host: str = "127.0.0.1", port: int = 7071) -> uvicorn.Server:
        # log_config=None: uvicorn logs through the app's JSON handlers. No access log: paths and
        # query strings can carry ids of students; the invocation log line is enough.
        config = uvicorn.Config(self.http_app(), host=host, port=port, lifespan="on",
                                log_config=None, access_log=False)
        return uvicorn.Server(config)

    @contextlib.contextmanager
    def serving(self, port: int, *, host: str = "127.0.0.1", timeout: float = 15.0) -> Iterator[str]:
        """Serve HTTP in a background thread for the block; yields the base URL (tests)."""
        server = self.http_server(host, port)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        try:
            yield f"http://{host}:{port}"
        finally:
            server.should_exit = True
            thread.join(10)

    def start(self, *, timers: bool = True, queues: bool = True, blobs: bool = True) -> None:
        """Start timer and poller threads (stopped by `stop`)."""
        self._stop.clear()
        if timers:
            scheduler = TimerScheduler(
                lambda fn, past_due: self.invoker.call(fn, TimerRequest(past_due=past_due)))
            self._threads += scheduler.start(self.runnable("timerTrigger"), self._stop)
        if queues or blobs:
            poller = threading.Thread(target=self._poll, args=(queues, blobs), name="devhost-poller",
                                      daemon=True)
            poller.start()
            self._threads.append(poller)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the threads, letting a running invocation finish (within `timeout`)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def serve(self, host: str = "127.0.0.1", port: int = 7071, *, timers: bool = True,
              queues: bool = True, blobs: bool = True) -> None:
        """Serve HTTP and run the background triggers until Ctrl-C."""
        server = self.http_server(host, port)
        self.start(timers=timers, queues=queues, blobs=blobs)
        try:
            server.run()
        finally:
            self.stop()

    def _poll(self, queues: bool, blobs: bool) -> None:
        while not self._stop.is_set():
            try:
                handled = (self.run_queues_once() if queues else 0) + (self.run_blobs_once() if blobs else 0)
            except Exception:
                # Storage unreachable or similar: say so and keep trying, as the host's listeners do.
                log.exception("polling storage failed; retrying in %g s", self.poll_interval)
                handled = 0
            if handled == 0:
                self._stop.wait(self.poll_interval)

    async def _shut_down_asgi_app(self) -> None:
        """End the ASGI lifespan an AsgiFunctionApp started on the first request, on the loop it
        started on. Left to the app's __del__, it would run on a new loop at exit and fail. The
        lifespan primitives are reset so a later server (a new loop) can start it again."""
        middleware = getattr(self.app, "middleware", None)
        if not getattr(self.app, "startup_task_done", False) or middleware is None:
            return
        await middleware.notify_shutdown()
        self.app.startup_task_done = False  # type: ignore[attr-defined]
        middleware.lifespan_receive_queue = None
        middleware.lifespan_startup_event = None
        middleware.lifespan_shutdown_event = None
