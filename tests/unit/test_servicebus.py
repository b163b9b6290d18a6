"""Service Bus adapter at the SDK boundary: real ServiceBusMessage and ServiceBusMessageBatch,
a fake sender in place of the network (there is no Service Bus emulator here)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import azure.functions as func
import pytest
from azure.servicebus import ServiceBusMessage, ServiceBusMessageBatch
from azure.servicebus.amqp import AmqpMessageBodyType

from adapters.servicebus import ServiceBusPublisher
from domain.platform.events import IntegrationEvent, SisSyncCompleted, event_id
from functions.sis_sync import InvalidMessage, parse_sis_sync_message

WHEN = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


class RecordingBatch(ServiceBusMessageBatch):
    """The SDK batch, size limits and all, remembering what was added to it."""

    def __init__(self, max_size_in_bytes: int) -> None:
        super().__init__(max_size_in_bytes=max_size_in_bytes)
        self.added: list[ServiceBusMessage] = []

    def add_message(self, message: Any) -> None:
        super().add_message(message)
        self.added.append(message)


class FakeSender:
    """Behaves like ServiceBusSender for what the publisher uses; records every send."""

    def __init__(self, max_batch_bytes: int = 256 * 1024) -> None:
        self.max_batch_bytes = max_batch_bytes
        self.sends: list[list[ServiceBusMessage]] = []
        self.open = False
        self.opened = 0

    def __enter__(self) -> FakeSender:
        self.open = True
        self.opened += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.open = False

    def create_message_batch(self) -> RecordingBatch:
        return RecordingBatch(self.max_batch_bytes)

    def send_messages(self, message: Any) -> None:
        assert self.open, "sent outside the sender's context"
        if isinstance(message, RecordingBatch):
            self.sends.append(list(message.added))
        elif isinstance(message, ServiceBusMessage):
            self.sends.append([message])
        else:
            self.sends.append(list(message))

    @property
    def messages(self) -> list[ServiceBusMessage]:
        return [m for send in self.sends for m in send]


def make_event(n: int = 1, **overrides: Any) -> IntegrationEvent:
    values: dict[str, Any] = dict(
        id=event_id("attendance.normalized", "t1", "s1", str(n)), type="attendance.normalized",
        tenant_id="t1", school_id="s1", occurred_at=WHEN, correlation_id=f"corr-{n}",
        data={"students": n, "day": "2025-03-04"})
    values.update(overrides)
    return IntegrationEvent(**values)


def body_text(message: ServiceBusMessage) -> str:
    # A data-body message yields its body as a sequence of byte sections.
    assert message.body_type == AmqpMessageBodyType.DATA
    return b"".join(message.body).decode()


def test_a_message_carries_the_event_id_type_correlation_and_tenant() -> None:
    sender = FakeSender()
    event = make_event()

    ServiceBusPublisher(lambda: sender).publish([event])

    [message] = sender.messages
    assert message.message_id == event.id
    assert message.subject == "attendance.normalized"
    assert message.correlation_id == "corr-1"
    assert message.content_type == "application/json"
    assert message.application_properties == {
        "tenantId": "t1", "schoolId": "s1", "schemaVersion": 1}
    assert IntegrationEvent.from_json(body_text(message)) == event
    assert json.loads(body_text(message))["tenantId"] == "t1"  # camelCase on the wire


def test_an_event_without_a_school_has_no_school_property() -> None:
    sender = FakeSender()

    ServiceBusPublisher(lambda: sender).publish([make_event(school_id=None, correlation_id=None)])

    [message] = sender.messages
    assert message.application_properties == {"tenantId": "t1", "schemaVersion": 1}
    assert message.correlation_id is None


def test_many_events_go_out_in_one_send_when_they_fit() -> None:
    sender = FakeSender()
    events = [make_event(n) for n in range(50)]

    ServiceBusPublisher(lambda: sender).publish(events)

    assert len(sender.sends) == 1
    assert [m.message_id for m in sender.messages] == [e.id for e in events]
    assert sender.opened == 1


def test_a_full_batch_is_sent_and_a_new_one_started() -> None:
    # ~500-byte messages in 4 KiB batches: several sends, each batch filled before the next.
    sender = FakeSender(max_batch_bytes=4096)
    events = [make_event(n) for n in range(40)]

    ServiceBusPublisher(lambda: sender).publish(events)

    sizes = [len(send) for send in sender.sends]
    assert len(sizes) > 1
    assert all(size == sizes[0] for size in sizes[:-1])
    assert sizes[-1] <= sizes[0]
    assert [m.message_id for m in sender.messages] == [e.id for e in events]


def test_an_event_too_large_for_any_batch_is_refused_by_name() -> None:
    sender = FakeSender(max_batch_bytes=512)
    big = make_event(data={"note": "x" * 2000})

    with pytest.raises(ValueError, match=big.id):
        ServiceBusPublisher(lambda: sender).publish([big])
    assert sender.sends == []


def test_publishing_nothing_opens_no_sender() -> None:
    sender = FakeSender()

    ServiceBusPublisher(lambda: sender).publish([])

    assert sender.opened == 0


def sis_message(body: Any, correlation_id: str | None = None) -> func.ServiceBusMessage:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return func.ServiceBusMessage(body=raw, content_type="application/json",
                                  correlation_id=correlation_id)


SIS_BODY = {"tenantId": "t1", "schoolId": "s1", "syncId": "sync-9",
            "completedAt": "2025-03-04T05:06:07Z", "correlationId": "c-body"}


def test_an_inbound_sis_sync_message_parses() -> None:
    parsed = parse_sis_sync_message(sis_message(SIS_BODY))

    assert parsed == SisSyncCompleted(tenant_id="t1", school_id="s1", sync_id="sync-9",
                                      completed_at=WHEN, correlation_id="c-body")


def test_the_message_correlation_id_is_used_when_the_body_has_none() -> None:
    body = {k: v for k, v in SIS_BODY.items() if k != "correlationId"} | {"newField": 1}

    parsed = parse_sis_sync_message(sis_message(body, correlation_id="c-msg"))

    assert parsed.correlation_id == "c-msg"


@pytest.mark.parametrize(("change", "field"), [
    ({"schoolId": None}, "schoolId"),
    ({"syncId": ""}, "syncId"),
    ({"completedAt": "yesterday"}, "completedAt"),
    ({"completedAt": "2025-03-04T05:06:07"}, "completedAt"),  # no time zone
])
def test_a_bad_inbound_message_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidMessage, match=field) as caught:
        parse_sis_sync_message(sis_message(SIS_BODY | change))

    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


def test_a_missing_field_is_named() -> None:
    body = {k: v for k, v in SIS_BODY.items() if k != "tenantId"}

    with pytest.raises(ValueError, match="'tenantId'"):
        parse_sis_sync_message(sis_message(body))


def test_a_body_that_is_not_json_is_refused() -> None:
    with pytest.raises(ValueError, match="not JSON"):
        parse_sis_sync_message(sis_message(b"\x00not json"))


def test_the_event_envelope_is_strict() -> None:
    with pytest.raises(ValueError, match="id"):
        make_event(id="not-a-uuid")
    with pytest.raises(ValueError, match="type"):
        make_event(type="Attendance Normalized")
    with pytest.raises(ValueError, match="occurredAt|occurred_at"):
        make_event(occurred_at=datetime(2025, 3, 4))  # naive
    with pytest.raises(ValueError, match="extra"):
        IntegrationEvent.model_validate(json.loads(make_event().to_json()) | {"extra": 1})


def test_event_ids_are_deterministic() -> None:
    assert event_id("a.b", "x", "y") == event_id("a.b", "x", "y")
    assert event_id("a.b", "x", "y") != event_id("a.b", "x|y")
