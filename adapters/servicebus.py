"""Service Bus: publish integration events to the domain-events topic, and parse the inbound
`sis-sync-completed` message.

azure.servicebus is imported inside the functions that need it: it costs ~150 ms to import
and Flex Consumption gives app start 30 s for everything.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import azure.functions as func
from pydantic import ValidationError

from domain.events import IntegrationEvent, SisSyncCompleted

if TYPE_CHECKING:
    from azure.servicebus import ServiceBusMessage, ServiceBusSender

    from settings import ServiceBusConnection

log = logging.getLogger(__name__)

SenderFactory = Callable[[], AbstractContextManager["ServiceBusSender"]]


def to_message(event: IntegrationEvent) -> ServiceBusMessage:
    """The Service Bus message for `event`. message_id is the event id, so the topic's
    duplicate detection drops a re-send from the at-least-once relay."""
    from azure.servicebus import ServiceBusMessage

    properties: dict[str | bytes, Any] = {"tenantId": event.tenant_id,
                                          "schemaVersion": event.schema_version}
    if event.school_id is not None:  # AMQP properties have no use for null; leave it out
        properties["schoolId"] = event.school_id
    return ServiceBusMessage(
        body=event.to_json(), message_id=event.id, subject=event.type,
        correlation_id=event.correlation_id, content_type="application/json",
        application_properties=properties)


class ServiceBusPublisher:
    """EventPublisher for a Service Bus topic: one sender per call, messages in as few
    batches as fit."""

    def __init__(self, sender_factory: SenderFactory) -> None:
        self._sender_factory = sender_factory

    def publish(self, events: Sequence[IntegrationEvent]) -> None:
        if not events:
            return
        from azure.servicebus.exceptions import MessageSizeExceededError

        sends = 0
        with self._sender_factory() as sender:
            batch = sender.create_message_batch()
            for event in events:
                message = to_message(event)
                try:
                    batch.add_message(message)
                except MessageSizeExceededError:
                    if len(batch) == 0:
                        raise ValueError(f"event {event.id} ({event.type}) is too large for "
                                         "one Service Bus message") from None
                    sender.send_messages(batch)
                    sends += 1
                    batch = sender.create_message_batch()
                    batch.add_message(message)  # fits: a lone message fits an empty batch
            sender.send_messages(batch)
            sends += 1
        log.info("published %d events in %d sends", len(events), sends)


def topic_sender_factory(conn: ServiceBusConnection, topic: str) -> SenderFactory:
    """A factory of senders for `topic`. The ServiceBusClient is built on the first call,
    not here, and then reused: it holds the AMQP connection, senders are cheap links."""
    from adapters.clients import service_bus_client

    lock = threading.Lock()
    client: list[Any] = []

    def sender() -> AbstractContextManager[ServiceBusSender]:
        with lock:
            if not client:
                client.append(service_bus_client(conn))
        return client[0].get_topic_sender(topic_name=topic)  # type: ignore[no-any-return]

    return sender


class InvalidMessage(ValueError):
    """An inbound message that does not match its schema; `field` names the culprit."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


def parse_sis_sync_message(msg: func.ServiceBusMessage) -> SisSyncCompleted:
    """The `sis-sync-completed` body as a model. The message's correlation_id is used when
    the body carries none. Raises InvalidMessage (a ValueError) naming the bad field."""
    try:
        body = json.loads(msg.get_body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidMessage("sis-sync-completed: body is not JSON") from exc
    if not isinstance(body, dict):
        raise InvalidMessage("sis-sync-completed: body is not a JSON object")
    if not body.get("correlationId") and msg.correlation_id:
        body["correlationId"] = msg.correlation_id
    try:
        return SisSyncCompleted.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        # The message, not the input value: the body may carry personal data.
        raise InvalidMessage(f"sis-sync-completed: field {field!r}: {first['msg']}",
                             field=field) from None
