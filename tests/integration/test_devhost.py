"""devhost against Azurite: discovery, queue retries and poison, blob receipts, timers, HTTP."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import azure.functions as func
import httpx
import pytest
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import QueueClient, TextBase64EncodePolicy

import bootstrap
from devhost import demo_office
from devhost.__main__ import main
from devhost.azurite import free_port
from devhost.blobs import POISON_QUEUE, BlobOptions
from devhost.host import DevHost
from devhost.hostconfig import HostConfig
from devhost.queues import QueueOptions
from services.platform.context import current_correlation_id
from services.platform.ports import FixedClock
from settings import Settings

pytestmark = pytest.mark.integration


@dataclass
class Recorder:
    """What the test functions saw; queue batches run on several threads, hence the lock."""

    calls: list[tuple[str, Any, str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, value: Any) -> None:
        with self.lock:
            self.calls.append((name, value, current_correlation_id()))

    def of(self, name: str) -> list[Any]:
        with self.lock:
            return [value for n, value, _ in self.calls if n == name]

    def correlation_ids(self, name: str) -> list[str | None]:
        with self.lock:
            return [cid for n, _, cid in self.calls if n == name]


def make_app(record: Recorder, container: str, send: Callable[[dict[str, Any]], None]) -> func.FunctionApp:
    """One function per trigger kind, bound through the same app settings the real app uses."""
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.timer_trigger(arg_name="timer", schedule="%NIGHTLY_SCHEDULE%")
    def nightly(timer: func.TimerRequest) -> None:
        record.add("nightly", (timer, bootstrap.composition().platform.clock.now()))

    @app.queue_trigger(arg_name="msg", queue_name="%SIS_SYNC_QUEUE%", connection="AzureWebJobsStorage")
    def work(msg: func.QueueMessage) -> None:
        body = json.loads(msg.get_body())
        record.add("work", (body, msg.dequeue_count))
        if body.get("fail"):
            raise RuntimeError("this message always fails")
        for child in range(body.get("fanOut", 0)):
            send({"child": child})

    @app.blob_trigger(arg_name="blob", path=f"{container}/{{name}}.pdf", connection="AzureWebJobsStorage",
                      source=func.BlobSource.EVENT_GRID)
    def deliver(blob: func.InputStream) -> None:
        data = blob.read()
        record.add("deliver", (blob.name, data, blob.length, blob.uri))
        if data == b"fail":
            raise RuntimeError("this blob always fails")

    @app.service_bus_queue_trigger(arg_name="message", connection="ServiceBusConnection",
                                   queue_name="%SIS_SYNC_QUEUE%")
    def sis_synced(message: func.ServiceBusMessage) -> None:
        record.add("sis_synced", message)

    # Registered first: routing precedence, not registration order, must put it last.
    @app.route(route="{*rest}", methods=["GET"])
    def fallback(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse("fallback:" + req.route_params.get("rest", ""))

    @app.route(route="hello/{who}", methods=["GET", "POST"])
    def hello(req: func.HttpRequest) -> func.HttpResponse:
        echo = {"who": req.route_params["who"], "lang": req.params.get("lang"), "url": req.url,
                "header": req.headers.get("x-test"), "body": req.get_body().decode(),
                "correlationId": current_correlation_id()}
        response = func.HttpResponse(json.dumps(echo), status_code=201, mimetype="application/json")
        response.headers.add_header("Set-Cookie", "a=1")
        response.headers.add_header("Set-Cookie", "b=2")
        return response

    @app.route(route="twice/{n:int}", methods=["GET"])
    async def twice(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse(str(2 * int(req.route_params["n"])))

    return app


@dataclass
class Rig:
    host: DevHost
    record: Recorder
    queue: QueueClient
    poison: QueueClient
    blobs: BlobServiceClient
    container: str
    restart: Callable[[], DevHost]


@pytest.fixture
def rig(connection_string: str, unique: str) -> Iterator[Rig]:
    record = Recorder()
    container = f"letters-{unique}"
    settings = Settings(storage=connection_string, sis_sync_queue=f"work-{unique}",
                        nightly_schedule="0 30 2 * * *")
    queue = QueueClient.from_connection_string(connection_string, settings.sis_sync_queue,
                                               message_encode_policy=TextBase64EncodePolicy())
    poison = QueueClient.from_connection_string(connection_string, f"{settings.sis_sync_queue}-poison")

    def send(body: dict[str, Any]) -> None:
        queue.send_message(json.dumps(body))

    def build() -> DevHost:
        # Short delays so five attempts take milliseconds; the rest as in host.json.
        return DevHost(settings, make_app(record, container, send),
                       queue_options=QueueOptions(max_dequeue_count=5, batch_size=8, retry_delay=0, lease=30),
                       blob_options=BlobOptions(retry_delay=0, receipts_table=f"receipts{unique}"),
                       poll_interval=0.05)

    host = build()
    host.queues.ensure_queues()
    yield Rig(host, record, queue, poison, BlobServiceClient.from_connection_string(connection_string),
              container, build)
    host.stop()


def decoded(client: QueueClient) -> list[str]:
    return [m.content for m in client.peek_messages(max_messages=32)]


# --- discovery -----------------------------------------------------------------------------------

def test_list_shows_every_function_with_app_settings_resolved(rig: Rig, unique: str) -> None:
    lines = {line.split()[0]: line for line in rig.host.describe()}

    assert set(lines) == {"nightly", "work", "deliver", "sis_synced", "hello", "twice", "fallback"}
    assert "timerTrigger" in lines["nightly"]
    assert "'0 30 2 * * *' from %NIGHTLY_SCHEDULE%" in lines["nightly"]
    assert f"queue 'work-{unique}'" in lines["work"]
    assert "%SIS_SYNC_QUEUE%" in lines["work"]
    assert f"path 'letters-{unique}/{{name}}.pdf' source EventGrid" in lines["deliver"]
    assert "GET,POST /hello/{who}" in lines["hello"]
    assert rig.host.function("work").setting("queueName") == f"work-{unique}"
    assert all(fn.runnable for fn in rig.host.functions)


def test_a_timer_with_an_unresolved_or_invalid_schedule_is_not_run(connection_string: str) -> None:
    app = func.FunctionApp()

    @app.timer_trigger(arg_name="timer", schedule="%NO_SUCH_SCHEDULE%")
    def orphan(timer: func.TimerRequest) -> None:
        raise AssertionError("must not run")

    @app.timer_trigger(arg_name="timer", schedule="0 0 2 * *")
    def five_fields(timer: func.TimerRequest) -> None:
        raise AssertionError("must not run")

    host = DevHost(Settings(storage=connection_string), app)

    assert host.function("orphan").problems == ("app setting %NO_SUCH_SCHEDULE% has no value",)
    assert host.function("five_fields").problems == (
        "not an NCRONTAB schedule (6 fields, seconds first): '0 0 2 * *'",)
    assert host.runnable("timerTrigger") == []
    with pytest.raises(ValueError, match="NO_SUCH_SCHEDULE"):
        host.fire("orphan")


def test_the_cli_lists_the_real_app(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0

    listed = capsys.readouterr().out
    assert "http_app_func" in listed
    assert "httpTrigger" in listed
    assert "/{*route}" in listed


# --- queues --------------------------------------------------------------------------------------

def test_a_base64_message_is_processed_once_and_deleted(rig: Rig) -> None:
    rig.queue.send_message(json.dumps({"n": 1, "correlationId": "corr-7"}))

    handled = rig.host.run_queues_once()

    assert handled == 1
    assert rig.record.of("work") == [({"n": 1, "correlationId": "corr-7"}, 1)]
    assert rig.record.correlation_ids("work") == ["corr-7"]
    assert rig.host.pending() == 0
    assert decoded(rig.poison) == []
    assert rig.host.run_queues_once() == 0


def test_a_message_that_always_fails_is_poisoned_after_exactly_five_attempts(rig: Rig) -> None:
    rig.queue.send_message(json.dumps({"fail": True}))

    for _ in range(4):
        rig.host.run_queues_once()
    assert decoded(rig.poison) == []
    rig.host.run_queues_once()  # the fifth failure moves it at once, without a sixth receive

    assert [count for _, count in rig.record.of("work")] == [1, 2, 3, 4, 5]
    assert [json.loads(base64.b64decode(text)) for text in decoded(rig.poison)] == [{"fail": True}]
    assert rig.host.pending() == 0


def test_a_body_that_is_not_base64_goes_to_poison_without_running(rig: Rig, connection_string: str) -> None:
    plain = QueueClient.from_connection_string(connection_string, rig.queue.queue_name)
    plain.send_message("plain text, not base64")

    assert rig.host.run_queues_once() == 1

    assert rig.record.of("work") == []
    assert decoded(rig.poison) == ["plain text, not base64"]


def test_drain_follows_fanned_out_work_until_the_queue_stays_empty(rig: Rig) -> None:
    rig.queue.send_message(json.dumps({"fanOut": 3}))
    rig.queue.send_message(json.dumps({"n": 2}))

    assert rig.host.drain(timeout=30) == 5

    assert sorted(json.dumps(body) for body, _ in rig.record.of("work")) == sorted(
        json.dumps(b) for b in [{"fanOut": 3}, {"n": 2}, {"child": 0}, {"child": 1}, {"child": 2}])
    assert rig.host.pending() == 0


def test_drain_tells_what_it_has_handled_so_far_by_function(rig: Rig) -> None:
    rig.host.run_blobs_once()  # creates the container
    rig.blobs.get_container_client(rig.container).upload_blob("L-1.pdf", b"letter")
    rig.queue.send_message(json.dumps({"fanOut": 2}))
    seen: list[dict[str, int]] = []

    assert rig.host.drain(timeout=30, on_poll=lambda done: seen.append(dict(done))) == 4

    assert seen[-1] == {"work": 3, "deliver": 1}
    totals = [sum(s.values()) for s in seen]
    assert totals == sorted(totals) and totals[0] > 0


def test_the_office_bar_counts_functions_the_real_app_has(connection_string: str) -> None:
    import function_app

    host = DevHost(Settings(storage=connection_string), function_app.app)

    assert [(f.name, f.kind) for f in host.runnable("queueTrigger") + host.runnable("blobTrigger")
            if f.name in (demo_office.RENDER, demo_office.DELIVER)] == [
        (demo_office.RENDER, "queueTrigger"), (demo_office.DELIVER, "blobTrigger")]


def test_drain_waits_for_a_message_hidden_until_its_retry(rig: Rig) -> None:
    rig.host.queue_options = QueueOptions(max_dequeue_count=5, retry_delay=60, lease=30)
    del rig.host.queues  # rebuilt with the slow retry
    rig.queue.send_message(json.dumps({"fail": True}))

    with pytest.raises(TimeoutError, match="1 messages or blobs still pending"):
        rig.host.drain(timeout=1)

    assert len(rig.record.of("work")) == 1


# --- blobs ---------------------------------------------------------------------------------------

def test_a_blob_fires_once_survives_a_restart_and_fires_again_when_changed(rig: Rig) -> None:
    container = rig.blobs.get_container_client(rig.container)
    rig.host.run_blobs_once()  # creates the container, as a fresh Azurite has none
    container.upload_blob("L-1.pdf", b"first", metadata={"correlationId": "corr-blob"})
    container.upload_blob("notes.txt", b"not a letter")

    assert rig.host.run_blobs_once() == 1
    assert rig.host.run_blobs_once() == 0
    assert rig.restart().run_blobs_once() == 0
    container.upload_blob("L-1.pdf", b"second", overwrite=True)
    assert rig.restart().run_blobs_once() == 1

    calls = rig.record.of("deliver")
    assert [(name, data, length) for name, data, length, _ in calls] == [
        (f"{rig.container}/L-1.pdf", b"first", 5), (f"{rig.container}/L-1.pdf", b"second", 6)]
    assert calls[0][3].endswith(f"/{rig.container}/L-1.pdf")
    assert rig.record.correlation_ids("deliver")[0] == "corr-blob"


def test_a_blob_that_always_fails_is_poisoned_after_five_attempts(rig: Rig, connection_string: str) -> None:
    container = rig.blobs.get_container_client(rig.container)
    rig.host.run_blobs_once()
    container.upload_blob("L-bad.pdf", b"fail")

    rounds = [rig.host.run_blobs_once() for _ in range(7)]

    assert rounds == [1, 1, 1, 1, 1, 0, 0]
    assert rig.host.pending() == 0
    poison = QueueClient.from_connection_string(connection_string, POISON_QUEUE)
    messages = [json.loads(base64.b64decode(m.content)) for m in poison.peek_messages(max_messages=32)]
    mine = [m for m in messages if m["ContainerName"] == rig.container]
    assert mine == [{"Type": "BlobTrigger", "FunctionId": "Host.Functions.deliver", "BlobType": "BlockBlob",
                     "ContainerName": rig.container, "BlobName": "L-bad.pdf",
                     "ETag": mine[0]["ETag"]}]


# --- timers and service bus ----------------------------------------------------------------------

def test_fire_calls_the_timer_with_a_timer_request(rig: Rig) -> None:
    rig.host.fire("nightly")

    [(timer, _)] = rig.record.of("nightly")
    assert isinstance(timer, func.TimerRequest)
    assert timer.past_due is False


def test_fire_on_a_date_fixes_the_clock_at_the_scheduled_time_that_day(rig: Rig) -> None:
    before = bootstrap.composition()

    rig.host.fire("nightly", on=date(2025, 3, 14))

    [(_, now)] = rig.record.of("nightly")
    assert now == datetime(2025, 3, 14, 2, 30, tzinfo=UTC)
    assert bootstrap.composition() is before
    assert not isinstance(before.platform.clock, FixedClock)


def test_timers_fire_on_their_schedule_in_the_background(connection_string: str) -> None:
    record = Recorder()
    settings = Settings(storage=connection_string, nightly_schedule="* * * * * *")
    host = DevHost(settings, make_app(record, "unused", lambda body: None))

    host.start(timers=True, queues=False, blobs=False)
    deadline = time.monotonic() + 5
    while len(record.of("nightly")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    host.stop()

    assert len(record.of("nightly")) >= 2
    assert all(isinstance(timer, func.TimerRequest) for timer, _ in record.of("nightly"))


def test_send_service_bus_delivers_a_service_bus_message(rig: Rig) -> None:
    rig.host.send_service_bus("sis_synced", b'{"correlationId": "corr-sb", "schoolId": "S1"}')

    [message] = rig.record.of("sis_synced")
    assert isinstance(message, func.ServiceBusMessage)
    assert json.loads(message.get_body()) == {"correlationId": "corr-sb", "schoolId": "S1"}
    assert message.correlation_id == "corr-sb"
    assert message.delivery_count == 1
    assert rig.record.correlation_ids("sis_synced") == ["corr-sb"]


class LogLines(logging.Handler):
    """Log messages with the correlation id bound when each was logged."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str | None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.getMessage(), current_correlation_id()))


# --- http ----------------------------------------------------------------------------------------

def serving(host: DevHost):  # type: ignore[no-untyped-def]
    return host.serving(free_port())


def test_http_functions_get_the_request_and_return_their_response(rig: Rig) -> None:
    with serving(rig.host) as base:
        got = httpx.post(f"{base}/hello/ada?lang=en", content=b"payload",
                         headers={"x-test": "yes", "x-correlation-id": "corr-http"})
        twice = httpx.get(f"{base}/twice/21")
        not_int = httpx.get(f"{base}/twice/abc")
        wrong_method = httpx.delete(f"{base}/hello/ada")

    assert got.status_code == 201
    assert got.headers["content-type"].startswith("application/json")
    assert got.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert got.json() == {"who": "ada", "lang": "en", "url": f"{base}/hello/ada?lang=en",
                          "header": "yes", "body": "payload", "correlationId": "corr-http"}
    assert (twice.status_code, twice.text) == (200, "42")
    # `{n:int}` does not match, so the catch-all route takes it, as routing precedence says.
    assert (not_int.status_code, not_int.text) == (200, "fallback:twice/abc")
    assert wrong_method.status_code == 404


def test_routes_sit_under_the_host_json_route_prefix(rig: Rig) -> None:
    """host.json sets routePrefix "" (FastAPI owns /api/...); the host's default is "api"."""
    assert rig.host.config.route_prefix == ""
    prefixed = DevHost(rig.host.settings, make_app(Recorder(), "unused", lambda body: None),
                       config=HostConfig(route_prefix="api")).http_app()

    found = prefixed.match("GET", "/api/hello/ada")

    assert found is not None
    assert found[0].function.name == "hello"
    assert found[1] == {"who": "ada"}
    assert prefixed.match("GET", "/hello/ada") is None


def test_the_real_app_serves_health_and_openapi_through_its_http_function(connection_string: str) -> None:
    import function_app

    host = DevHost(Settings(storage=connection_string), function_app.app)
    lines = LogLines()
    logging.getLogger("devhost").addHandler(lines)

    try:
        with serving(host) as base:
            health = httpx.get(f"{base}/api/health")
            openapi = httpx.get(f"{base}/api/openapi.json")
    finally:
        logging.getLogger("devhost").removeHandler(lines)

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    # The invocation line is logged under the id the app answered with.
    assert ("function http_app_func (httpTrigger) returned 200", health.headers["x-correlation-id"]) in [
        (message.split(" in ")[0], cid) for message, cid in lines.seen]
    assert openapi.status_code == 200
    assert openapi.json()["openapi"].startswith("3.")
    # The ASGI lifespan started on the first request was ended on the server's loop.
    assert function_app.app.startup_task_done is False
