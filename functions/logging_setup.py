"""Structured logs: one JSON object per line, with the correlation id of the work in hand."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from services.platform.context import current_correlation_id

_base_factory = logging.getLogRecordFactory()


def _record_with_correlation(*args: object, **kwargs: object) -> logging.LogRecord:
    # a record factory rather than a handler filter: every handler sees the id, including
    # the ones the Functions worker and pytest install
    record = _base_factory(*args, **kwargs)
    record.correlation_id = current_correlation_id() or "-"
    return record


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlationId": getattr(record, "correlation_id", None) or current_correlation_id(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Idempotent. Adds a JSON console handler only when there is none (the Functions worker
    installs its own, which forwards to Application Insights)."""
    logging.setLogRecordFactory(_record_with_correlation)
    root = logging.getLogger()
    root.setLevel(level)
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    logging.getLogger("azure").setLevel(logging.WARNING)
