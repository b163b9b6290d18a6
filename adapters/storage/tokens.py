"""Continuation tokens of paged table queries: the SDK's token inside an opaque, URL-safe one.

A token this service did not issue is refused naming the query parameter (InvalidToken, 422),
never taken as a fresh start: anything but the SDK's {"PartitionKey", "RowKey"} shape would
restart the query silently.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from domain.platform.errors import ValidationFailed


class InvalidToken(ValidationFailed):
    """A continuation token this service did not issue: 422 naming the query parameter, on every
    paged route alike (each pages through `Table.query_page`)."""

    def __init__(self) -> None:
        super().__init__("is not a continuation token of this list; pass back the one the "
                         "previous page returned, unchanged", field="continuationToken")


def encode_token(token: Any) -> str | None:
    if not token:
        return None
    return base64.urlsafe_b64encode(json.dumps(token, sort_keys=True).encode()).decode()


def decode_token(token: str | None) -> Any:
    """The SDK token inside an opaque one; InvalidToken for anything else."""
    if not token:
        return None
    try:
        # validate=True: the lenient decoder skips stray characters, so a tampered token decoded
        value = json.loads(base64.b64decode(token.encode(), altchars=b"-_", validate=True))
    except (ValueError, TypeError, RecursionError):
        raise InvalidToken() from None
    if (not isinstance(value, dict) or set(value) != {"PartitionKey", "RowKey"}
            or not all(v is None or isinstance(v, str) for v in value.values())
            or not any(value.values())):
        raise InvalidToken()
    return value
