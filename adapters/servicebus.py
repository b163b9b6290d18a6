"""Service Bus: publish integration events to the domain-events topic (the inbound
`sis-sync-completed` message is parsed at its trigger, functions/sis_sync.py).

azure.servicebus is imported inside the functions that need it: it costs ~150 ms to import
and Flex Consumption gives app start 30 s for everything.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from domain.platform.events import IntegrationEvent

if TYPE_CHECKING:
    from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusSender

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
    from adapters.storage.clients import service_bus_client

    lock = threading.Lock()
    client: list[ServiceBusClient] = []

    def sender() -> AbstractContextManager[ServiceBusSender]:
        with lock:
            if not client:
                client.append(service_bus_client(conn))
        return client[0].get_topic_sender(topic_name=topic)

    return sender
