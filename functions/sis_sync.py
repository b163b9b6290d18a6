"""The inbound `sis-sync-completed` Service Bus message, parsed at the trigger."""

from __future__ import annotations

import json

import azure.functions as func
from pydantic import ValidationError

from domain.platform.events import SisSyncCompleted


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
