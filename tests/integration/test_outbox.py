"""services/platform/outbox.py and the outbox relay functions against Azurite: atomic staging, relay,
sweep, the base64 nudge, and the registered triggers end to end."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from azure.data.tables import TableServiceClient
from azure.functions.queue import QueueMessage
from azure.functions.timer import TimerRequest
from azure.storage.queue import QueueClient, QueueServiceClient

import bootstrap
from adapters.storage.local_events import TABLE as LOCAL_EVENTS_TABLE
from adapters.storage.queues import QueueSender
from adapters.storage.tables import Table, Tables
from bootstrap import Composition
from domain.platform.errors import AlreadyExists
from domain.platform.events import IntegrationEvent, event_id
from services.platform.context import correlation
from services.platform.outbox import DISPATCH_QUEUE, ROW_PREFIX, Outbox, Relay, stage
from services.platform.ports import FixedClock
from settings import ServiceBusConnection, Settings
from tests.fakes import InMemoryPublisher

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 4, 22, 15, 30, tzinfo=UTC)


@pytest.fixture
def service(connection_string: str) -> TableServiceClient:
    return TableServiceClient.from_connection_string(connection_string)


@pytest.fixture
def table(service: TableServiceClient, unique: str) -> Iterator[Table]:
    table = Tables(service)(f"ob{unique}")
    table.create_if_missing()
    yield table
    service.delete_table(table.name)


@pytest.fixture
def queue(connection_string: str, unique: str) -> Iterator[QueueClient]:
    """A private dispatch queue, read raw (no decode policy): the wire text as stored."""
    client = QueueClient.from_connection_string(connection_string, f"dispatch-{unique}")
    client.create_queue()
    yield client
    client.delete_queue()


@pytest.fixture
def outbox(connection_string: str, queue: QueueClient) -> Outbox:
    sender = QueueSender(QueueServiceClient.from_connection_string(connection_string))
    return Outbox(FixedClock(NOW), partial(sender.send, queue.queue_name))


def make_event(tenant: str, n: int, type_: str = "intervention.escalated") -> IntegrationEvent:
    return IntegrationEvent(
        id=event_id(type_, tenant, str(n)), type=type_, tenant_id=tenant, school_id="s1",
        occurred_at=NOW, correlation_id="corr-1", data={"studentId": f"st{n}", "stage": 2})


def state_row(partition: str, row: str = "student|st1") -> dict[str, Any]:
    return {"PartitionKey": partition, "RowKey": row, "stage": 2}


def outbox_rows(table: Table, partition: str) -> list[dict[str, Any]]:
    return list(table.query("PartitionKey eq @pk and RowKey ge @lo",
                            parameters={"pk": partition, "lo": ROW_PREFIX}))


def raw_messages(queue: QueueClient) -> list[str]:
    """Message bodies as stored, not decoded: what the Functions host will read."""
    return [m.content for m in queue.receive_messages(max_messages=32)]


# --- commit --------------------------------------------------------------------------------------

def test_state_and_events_commit_in_one_transaction(table: Table, outbox: Outbox) -> None:
    events = [make_event("t1", 1), make_event("t1", 2)]

    outbox.commit(table, [("upsert", state_row("t1|s1"))], events, "t1|s1")

    assert table.counter.by_kind["transaction"] == 1
    assert table.get("t1|s1", "student|st1")["stage"] == 2
    rows = outbox_rows(table, "t1|s1")
    assert sorted(r["RowKey"] for r in rows) == sorted(ROW_PREFIX + e.id for e in events)
    assert all(r["outbox"] is True and r["eventType"] == "intervention.escalated" for r in rows)
    assert all(r["createdAt"] == NOW.isoformat() for r in rows)
    stored = sorted((IntegrationEvent.from_json(r["eventJson"]) for r in rows), key=lambda e: e.id)
    assert stored == sorted(events, key=lambda e: e.id)


def test_outbox_rows_sort_after_state_rows(table: Table, outbox: Outbox) -> None:
    outbox.commit(table, [("upsert", state_row("p", "zz|last-letter")),
                          ("upsert", state_row("p", "%7Cescaped"))], [make_event("t1", 1)], "p")

    keys = [r["RowKey"] for r in table.partition("p")]

    assert keys[-1].startswith(ROW_PREFIX)
    assert keys[:-1] == ["%7Cescaped", "zz|last-letter"]


def test_a_refused_transaction_leaves_no_outbox_row(table: Table, outbox: Outbox,
                                                    queue: QueueClient) -> None:
    table.insert(state_row("t1|s1"))

    with pytest.raises(AlreadyExists):
        outbox.commit(table, [("create", state_row("t1|s1"))],
                      [make_event("t1", 1), make_event("t1", 2)], "t1|s1")

    assert outbox_rows(table, "t1|s1") == []
    assert raw_messages(queue) == []  # no nudge for a commit that did not happen


def test_a_commit_over_a_hundred_operations_is_refused_before_writing(
        table: Table, outbox: Outbox) -> None:
    state = [("upsert", state_row("p", f"r{i:03d}")) for i in range(99)]

    with pytest.raises(ValueError, match="101 operations"):
        outbox.commit(table, state, [make_event("t1", 1), make_event("t1", 2)], "p")

    assert list(table.partition("p")) == []


def test_a_commit_touching_another_partition_is_refused(table: Table, outbox: Outbox) -> None:
    with pytest.raises(ValueError, match="other"):
        outbox.commit(table, [("upsert", state_row("other"))], [make_event("t1", 1)], "p")

    assert list(table.query("PartitionKey ge ''")) == []


def test_a_rerun_restages_the_same_event_without_failing(table: Table, outbox: Outbox) -> None:
    event = make_event("t1", 1)
    outbox.commit(table, [("upsert", state_row("p"))], [event], "p")

    outbox.commit(table, [("upsert", state_row("p"))], [event], "p")

    assert [r["RowKey"] for r in outbox_rows(table, "p")] == [ROW_PREFIX + event.id]


# --- nudge ---------------------------------------------------------------------------------------

def test_the_nudge_lands_on_the_queue_base64_encoded(table: Table, outbox: Outbox,
                                                     queue: QueueClient) -> None:
    with correlation("corr-nudge"):
        outbox.commit(table, [("upsert", state_row("t1|s1"))], [make_event("t1", 1)], "t1|s1")

    [raw] = raw_messages(queue)
    assert json.loads(base64.b64decode(raw, validate=True)) == {
        "table": table.name, "partitionKey": "t1|s1", "correlationId": "corr-nudge"}


def test_a_failed_nudge_is_logged_and_the_commit_stands(
        table: Table, connection_string: str, unique: str,
        caplog: pytest.LogCaptureFixture) -> None:
    sender = QueueSender(QueueServiceClient.from_connection_string(connection_string))
    outbox = Outbox(FixedClock(NOW), partial(sender.send, f"missing-{unique}"))

    with caplog.at_level(logging.WARNING, logger="services.platform.outbox"):
        outbox.commit(table, [("upsert", state_row("p"))], [make_event("t1", 1)], "p")

    assert len(outbox_rows(table, "p")) == 1
    assert "sweep will relay 1 events" in caplog.text
    assert "studentId" not in caplog.text  # event data never reaches the log


def test_a_commit_without_events_sends_no_nudge(table: Table, outbox: Outbox,
                                                queue: QueueClient) -> None:
    outbox.commit(table, [("upsert", state_row("p"))], [], "p")

    assert raw_messages(queue) == []


# --- relay ---------------------------------------------------------------------------------------

def test_relay_publishes_the_partition_and_deletes_its_rows(table: Table, outbox: Outbox) -> None:
    events = [make_event("t1", n) for n in range(3)]
    outbox.commit(table, [("upsert", state_row("p"))], events, "p")
    outbox.commit(table, [("upsert", state_row("q"))], [make_event("t2", 9)], "q")
    publisher = InMemoryPublisher()

    sent = Relay(publisher).relay_partition(table, "p")

    assert sent == 3
    assert len(publisher.calls) == 1
    assert {e.id for e in publisher.events} == {e.id for e in events}
    assert outbox_rows(table, "p") == []
    assert table.get("p", "student|st1")["stage"] == 2  # the state row stays
    assert len(outbox_rows(table, "q")) == 1  # another partition is not touched
    assert Relay(publisher).relay_partition(table, "p") == 0


def test_a_failing_publisher_loses_nothing(table: Table, outbox: Outbox) -> None:
    events = [make_event("t1", 1), make_event("t1", 2)]
    outbox.commit(table, [("upsert", state_row("p"))], events, "p")
    publisher = InMemoryPublisher()
    publisher.fail_next = 1

    with pytest.raises(ConnectionError):
        Relay(publisher).relay_partition(table, "p")
    assert len(outbox_rows(table, "p")) == 2

    assert Relay(publisher).relay_partition(table, "p") == 2
    assert {e.id for e in publisher.events} == {e.id for e in events}
    assert outbox_rows(table, "p") == []


def test_relay_works_through_more_rows_than_one_transaction(table: Table) -> None:
    table.submit([stage(make_event("t1", n), "p") for n in range(130)])
    publisher = InMemoryPublisher()

    assert Relay(publisher).relay_partition(table, "p") == 130

    assert [len(call) for call in publisher.calls] == [100, 30]
    assert outbox_rows(table, "p") == []


def test_a_corrupt_outbox_row_is_left_and_does_not_block_the_others(
        table: Table, caplog: pytest.LogCaptureFixture) -> None:
    good = make_event("t1", 1)
    table.submit([stage(good, "p"),
                  ("upsert", {"PartitionKey": "p", "RowKey": ROW_PREFIX + "broken", "outbox": True,
                              "eventJson": "{not json"})])
    publisher = InMemoryPublisher()

    assert Relay(publisher).relay_partition(table, "p") == 1

    assert publisher.events == [good]
    assert [r["RowKey"] for r in outbox_rows(table, "p")] == [ROW_PREFIX + "broken"]
    assert "broken" in caplog.text


def test_sweep_finds_outbox_rows_in_every_partition_and_table(
        table: Table, service: TableServiceClient, unique: str) -> None:
    second = Tables(service)(f"oc{unique}")
    second.create_if_missing()
    try:
        table.submit([stage(make_event("t1", 1), "a"), stage(make_event("t1", 2), "b"),
                      ("upsert", state_row("c"))])
        second.submit([stage(make_event("t2", 3), "x")])
        publisher = InMemoryPublisher()

        sent = Relay(publisher).sweep([table, second])

        assert sent == 3
        assert sorted(e.tenant_id for e in publisher.events) == ["t1", "t1", "t2"]
        assert list(table.query("outbox eq true")) == []
        assert list(second.query("outbox eq true")) == []
        assert table.get("c", "student|st1")["stage"] == 2
    finally:
        service.delete_table(second.name)


def test_sweep_relays_the_other_partitions_when_one_fails_then_raises(table: Table) -> None:
    table.submit([stage(make_event("t1", 1), "a"), stage(make_event("t1", 2), "b")])
    publisher = InMemoryPublisher()
    publisher.fail_next = 1  # the first partition's publish fails

    with pytest.raises(ConnectionError):
        Relay(publisher).sweep([table])

    assert len(publisher.events) == 1
    assert len(list(table.query("outbox eq true"))) == 1  # the failed one waits for next time


class RacingPublisher(InMemoryPublisher):
    """Publishes, while a concurrent relay of the same partition deletes a row first."""

    def __init__(self, table: Table, partition: str, row_key: str) -> None:
        super().__init__()
        self._race = (table, partition, row_key)

    def publish(self, events: Any) -> None:
        table, partition, row_key = self._race
        table.delete(partition, row_key)
        super().publish(events)


def test_a_row_deleted_by_a_concurrent_relay_does_not_fail_the_relay(table: Table) -> None:
    events = [make_event("t1", 1), make_event("t1", 2)]
    table.submit([stage(e, "p") for e in events])
    publisher = RacingPublisher(table, "p", ROW_PREFIX + events[0].id)

    assert Relay(publisher).relay_partition(table, "p") == 2

    assert outbox_rows(table, "p") == []


def test_sweep_of_no_tables_publishes_nothing() -> None:
    publisher = InMemoryPublisher()

    assert Relay(publisher).sweep([]) == 0
    assert publisher.calls == []


# --- the registered functions, end to end ---------------------------------------------------------

@pytest.fixture
def app_container(connection_string: str, table: Table) -> Iterator[Composition]:
    settings = Settings(storage=connection_string, service_bus=ServiceBusConnection())
    built = Composition(settings, clock=FixedClock(NOW))
    built.ensure_storage()
    built.platform.outbox_tables = [built.platform.tables(table.name)]
    before = bootstrap.composition()
    bootstrap.use_composition(built)
    yield built
    bootstrap.use_composition(before)


def registered(name: str) -> Any:
    import function_app

    # get_functions() remembers names from earlier calls and then refuses them as duplicates
    # (azure-functions 1.26); clear that memo, as the worker indexes a fresh app object.
    function_app.app.functions_bindings = None
    [fn] = [f for f in function_app.app.get_functions() if f.get_function_name() == name]
    return fn


def published(built: Composition, tenant: str) -> set[str]:
    rows = built.platform.tables(LOCAL_EVENTS_TABLE).partition(tenant)
    return {r["RowKey"] for r in rows}


def test_the_relay_functions_are_registered_with_their_bindings() -> None:
    dispatch = json.loads(registered("outbox_dispatch").get_function_json())["bindings"][0]
    sweep = json.loads(registered("outbox_sweep").get_function_json())["bindings"][0]

    assert (dispatch["type"], dispatch["queueName"], dispatch["connection"]) == (
        "queueTrigger", DISPATCH_QUEUE, "AzureWebJobsStorage")
    assert (sweep["type"], sweep["schedule"]) == ("timerTrigger", "%OUTBOX_RELAY_SCHEDULE%")


def test_ensure_storage_creates_the_dispatch_queue_and_its_poison_twin(
        app_container: Composition) -> None:
    for name in (DISPATCH_QUEUE, f"{DISPATCH_QUEUE}-poison"):
        assert app_container.platform.queue_service.get_queue_client(name).get_queue_properties()


def test_a_nudge_relays_through_the_outbox_dispatch_function(
        app_container: Composition, table: Table, unique: str) -> None:
    tenant = f"ten{unique}"
    events = [make_event(tenant, 1), make_event(tenant, 2)]
    app_container.platform.outbox.commit(app_container.platform.tables(table.name),
                                         [("upsert", state_row(tenant))], events, tenant)
    queue = app_container.platform.queue_service.get_queue_client(DISPATCH_QUEUE)
    ours = [m for m in queue.receive_messages(max_messages=32)
            if tenant in base64.b64decode(m.content).decode()]
    assert len(ours) == 1

    registered("outbox_dispatch").get_user_function()(
        QueueMessage(id=ours[0].id, body=base64.b64decode(ours[0].content), dequeue_count=1))

    assert published(app_container, tenant) == {e.id for e in events}
    assert outbox_rows(table, tenant) == []


def test_a_nudge_without_a_partition_is_refused(app_container: Composition) -> None:
    with pytest.raises(ValueError, match="partitionKey"):
        registered("outbox_dispatch").get_user_function()(
            QueueMessage(id="1", body=b'{"table": "x"}', dequeue_count=1))


def test_the_sweep_function_relays_and_records_its_run_once_per_minute(
        app_container: Composition, table: Table, unique: str) -> None:
    tenant = f"ten{unique}"
    table.submit([stage(make_event(tenant, n), f"{tenant}|{n}") for n in range(3)])
    sweep = registered("outbox_sweep").get_user_function()

    sweep(TimerRequest(past_due=False))

    assert len(published(app_container, tenant)) == 3
    assert list(table.query("outbox eq true")) == []
    runs, _ = app_container.platform.jobs.list("_system", kind="outbox-sweep")
    [run] = [r for r in runs if r.scope == "2025-03-04T22:15"]
    assert (run.status.value, run.counters) == ("SUCCEEDED", {"events": 3})

    # A replay of the same occurrence (lost timer lease) is skipped; the next minute is not.
    table.submit([stage(make_event(tenant, 7), f"{tenant}|7")])
    sweep(TimerRequest(past_due=True))
    assert len(published(app_container, tenant)) == 3
    app_container.platform.clock.at = datetime(2025, 3, 4, 22, 20, tzinfo=UTC)  # type: ignore[attr-defined]
    sweep(TimerRequest(past_due=False))
    assert len(published(app_container, tenant)) == 4
