"""Local stand-in for Service Bus: events go to the `localevents` table, so a developer can
see what would have been published when no namespace is configured (`make run`, tests)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from adapters.storage.keys import escape_key_part
from adapters.storage.tables import Table
from domain.platform.events import IntegrationEvent

log = logging.getLogger(__name__)

TABLE = "localevents"


class TableEventPublisher:
    """EventPublisher writing one row per event: PartitionKey tenant, RowKey event id.
    An upsert keyed by the id mirrors Service Bus duplicate detection: a re-send is one row."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def publish(self, events: Sequence[IntegrationEvent]) -> None:
        self._table.upsert_many({
            "PartitionKey": escape_key_part(e.tenant_id),
            "RowKey": e.id,
            "eventType": e.type,
            "schoolId": e.school_id,
            "occurredAt": e.occurred_at.isoformat(),
            "correlationId": e.correlation_id,
            "eventJson": e.to_json(),
        } for e in events)
        log.info("published %d events to table %s (no Service Bus configured)", len(events),
                 self._table.name)
