"""Service Bus triggers, on demand: no emulator runs here, so `send-sb` builds the message the
worker would pass (`func.ServiceBusMessage`) from a JSON body and calls the function directly."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from azure.functions.servicebus import ServiceBusMessage

from devhost.invoke import correlation_id_in


def service_bus_message(body: bytes, *, now: datetime) -> ServiceBusMessage:
    """A first delivery of `body`; its `correlationId` field (if any) becomes the message's
    correlation id, as a sender on the platform would set it."""
    try:
        json.loads(body)
        content_type: str | None = "application/json"
    except (ValueError, UnicodeDecodeError):
        content_type = None
    return ServiceBusMessage(
        body=body, message_id=uuid.uuid4().hex, correlation_id=correlation_id_in(body),
        content_type=content_type, delivery_count=1, enqueued_time_utc=now, sequence_number=1,
        application_properties={}, user_properties={})
