"""Read the parts of host.json that change how triggers behave (route prefix, queue retries)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
HOST_JSON = ROOT / "host.json"

# Defaults are the Functions host's own, used when host.json leaves a setting out.
_DEFAULT_ROUTE_PREFIX = "api"
_DEFAULT_MAX_DEQUEUE_COUNT = 5
_DEFAULT_BATCH_SIZE = 16
_DEFAULT_FUNCTION_TIMEOUT = 30 * 60.0

_TIMESPAN = re.compile(r"^(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2}(?:\.\d+)?)$")


def parse_timespan(value: str) -> float:
    """Seconds in a .NET TimeSpan string such as `00:00:10` or `1.02:00:00`."""
    match = _TIMESPAN.match(value.strip())
    if not match:
        raise ValueError(f"not a TimeSpan (hh:mm:ss): {value!r}")
    days = int(match["days"] or 0)
    return days * 86400 + int(match["h"]) * 3600 + int(match["m"]) * 60 + float(match["s"])


@dataclass(frozen=True)
class HostConfig:
    route_prefix: str = _DEFAULT_ROUTE_PREFIX
    max_dequeue_count: int = _DEFAULT_MAX_DEQUEUE_COUNT
    batch_size: int = _DEFAULT_BATCH_SIZE
    # host.json `queues.visibilityTimeout`: how long a failed message stays hidden before a retry.
    retry_delay: float = 0.0
    message_encoding: Literal["base64", "none"] = "base64"
    function_timeout: float = _DEFAULT_FUNCTION_TIMEOUT

    @classmethod
    def load(cls, path: Path = HOST_JSON) -> HostConfig:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HostConfig:
        extensions = data.get("extensions", {})
        http = extensions.get("http", {})
        queues = extensions.get("queues", {})
        encoding = str(queues.get("messageEncoding", "base64")).lower()
        if encoding not in ("base64", "none"):
            raise ValueError(f"host.json queues.messageEncoding must be base64 or none, not {encoding!r}")
        timeout = data.get("functionTimeout")
        return cls(
            route_prefix=str(http.get("routePrefix", _DEFAULT_ROUTE_PREFIX)).strip("/"),
            max_dequeue_count=int(queues.get("maxDequeueCount", _DEFAULT_MAX_DEQUEUE_COUNT)),
            batch_size=int(queues.get("batchSize", _DEFAULT_BATCH_SIZE)),
            retry_delay=parse_timespan(queues["visibilityTimeout"]) if "visibilityTimeout" in queues else 0.0,
            message_encoding="none" if encoding == "none" else "base64",
            function_timeout=parse_timespan(timeout) if timeout else _DEFAULT_FUNCTION_TIMEOUT,
        )
