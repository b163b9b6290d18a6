"""Transactional outbox on Table Storage: stage events beside the state they describe, then
relay them to the event publisher.

A service that changes state writes its state rows and one outbox row per event in the SAME
entity-group transaction (same table, same PartitionKey), so both commit or neither does.
The relay publishes outbox rows and deletes them afterwards (at-least-once; the publisher
dedupes on the event id). See docs/events.md.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from domain.platform.events import IntegrationEvent
from services.platform.context import current_correlation_id
from services.platform.ports import Clock

log = logging.getLogger(__name__)

DISPATCH_QUEUE = "outbox-dispatch"
ROW_PREFIX = "~outbox|"
# "~" sorts after the letters, digits and "%"-escapes our keys are made of, so outbox rows
# sit at the end of their partition and a range scan of state rows never meets them.
ROW_RANGE = (ROW_PREFIX, ROW_PREFIX + "\uffff")

# An entity-group transaction holds at most 100 operations and under 4 MiB. Past either,
# Table.submit would split the group into several transactions: no longer atomic.
MAX_OPERATIONS = 100
MAX_BYTES = 3 * 1024 * 1024  # the budget adapters.storage.tables chunks at, under the 4 MiB limit
# A string property holds at most 64 KiB, counted in UTF-16.
MAX_PROPERTY_BYTES = 64 * 1024
# Rows published and deleted per step: a delete transaction holds at most 100.
RELAY_CHUNK = 100

Operation = tuple[Any, ...]


class OutboxTable(Protocol):
    """The part of adapters.storage.tables.Table the outbox uses."""

    @property
    def name(self) -> str: ...
    def submit(self, operations: Sequence[Operation]) -> int: ...
    def query(self, filter: str, *, parameters: dict[str, Any] | None = None,
              select: list[str] | None = None, page_size: int = 1000) -> Iterator[dict[str, Any]]: ...
    def delete(self, partition_key: str, row_key: str) -> None: ...


class EventPublisher(Protocol):
    """Sends events to the rest of the platform. Must be safe to call twice with the same
    events (the relay is at-least-once): Service Bus drops duplicates by message id."""

    def publish(self, events: Sequence[IntegrationEvent]) -> None: ...


def stage(event: IntegrationEvent, partition_key: str, *,
          created_at: datetime | None = None) -> Operation:
    """The transaction operation that writes `event`'s outbox row into `partition_key`.
    Append it to the same `table.submit([...])` list as the state change it describes.

    An upsert, not a create: with a deterministic event id a re-run stages the same row
    again, and that must not fail the re-run's state change while the first row still
    waits for the relay."""
    body = event.to_json()
    size = len(body.encode("utf-16-le"))
    if size > MAX_PROPERTY_BYTES:
        raise ValueError(f"event {event.id} ({event.type}) is {size} bytes of JSON; "
                         f"a table property holds at most {MAX_PROPERTY_BYTES}")
    return ("upsert", {
        "PartitionKey": partition_key,
        "RowKey": ROW_PREFIX + event.id,
        "outbox": True,
        "eventType": event.type,
        "eventJson": body,
        "createdAt": (created_at or event.occurred_at).isoformat(),
    })


class Outbox:
    """Commit state and events together, then nudge the relay."""

    def __init__(self, clock: Clock, nudge: Callable[[dict[str, Any]], object]) -> None:
        # `nudge` sends one JSON message to the outbox-dispatch queue (base64 on the wire).
        self._clock = clock
        self._nudge = nudge

    def commit(self, table: OutboxTable, operations: Sequence[Operation],
               events: Sequence[IntegrationEvent], partition_key: str) -> None:
        """Submit `operations` plus one outbox row per event as ONE transaction.

        Raises ValueError when that cannot be atomic (more than 100 operations, too large,
        or an operation for another partition), and the table's errors (AlreadyExists,
        ConcurrencyError) when the transaction is refused: then nothing was written."""
        now = self._clock.now()
        ops = [*operations, *(stage(e, partition_key, created_at=now) for e in events)]
        _check_atomic(ops, partition_key)
        table.submit(ops)
        log.info("committed %d operations with %d events to %s", len(operations), len(events),
                 table.name)
        if events:
            self._send_nudge(table.name, partition_key, events)

    def _send_nudge(self, table: str, partition_key: str,
                    events: Sequence[IntegrationEvent]) -> None:
        message = {"table": table, "partitionKey": partition_key,
                   "correlationId": current_correlation_id() or events[0].correlation_id}
        try:
            self._nudge(message)
        except Exception as exc:  # the rows are committed; the sweep finds them
            log.warning("outbox nudge for %s failed (%s); the sweep will relay %d events",
                        table, type(exc).__name__, len(events))


def _check_atomic(ops: Sequence[Operation], partition_key: str) -> None:
    if len(ops) > MAX_OPERATIONS:
        raise ValueError(f"{len(ops)} operations exceed the {MAX_OPERATIONS} of one "
                         "transaction; the state change and its events would not be atomic")
    others = {o[1]["PartitionKey"] for o in ops} - {partition_key}
    if others:
        raise ValueError(f"operations for partitions {sorted(others)} cannot share a "
                         f"transaction with {partition_key!r}")
    size = sum(len(json.dumps(o[1], default=str)) for o in ops)
    if size > MAX_BYTES:
        raise ValueError(f"the transaction would be {size} bytes, over {MAX_BYTES}")


class Relay:
    """Publish outbox rows, then delete them. A crash between the two re-sends on the next
    relay, which the publisher's dedupe by event id makes harmless."""

    def __init__(self, publisher: EventPublisher) -> None:
        self._publisher = publisher

    def relay_partition(self, table: OutboxTable, partition_key: str) -> int:
        """Relay every outbox row of one partition. Returns the number of events published.
        Publisher and storage errors propagate and leave the unsent rows in place."""
        rows = table.query("PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
                           parameters={"pk": partition_key, "lo": ROW_RANGE[0], "hi": ROW_RANGE[1]})
        sent = 0
        for chunk in _chunked(rows, RELAY_CHUNK):
            sent += self._relay_rows(table, partition_key, chunk)
        if sent:
            log.info("relayed %d events from %s", sent, table.name)
        return sent

    def _relay_rows(self, table: OutboxTable, partition_key: str,
                    rows: list[dict[str, Any]]) -> int:
        good: list[tuple[dict[str, Any], IntegrationEvent]] = []
        for row in rows:
            try:
                good.append((row, IntegrationEvent.from_json(row["eventJson"])))
            except (KeyError, ValueError):
                # Left in place and logged every pass: visible, and never blocks the others.
                log.error("outbox row %s in %s is not a valid event; left in place",
                          row.get("RowKey"), table.name)
        if not good:
            return 0
        events = sorted((e for _, e in good), key=lambda e: e.occurred_at)
        self._publisher.publish(events)
        _delete(table, partition_key, [r["RowKey"] for r, _ in good])
        return len(events)

    def sweep(self, tables: Sequence[OutboxTable]) -> int:
        """Relay every outbox row in `tables`, whatever its partition. Returns events published.

        This scans each table (`outbox eq true` is not a key filter). That is acceptable
        because it is the fallback path: the nudge relays the normal case within seconds, so
        the sweep only meets rows whose nudge was lost or whose relay failed, and it reads
        just the keys of matching rows. A partition that fails does not stop the others; the
        first error is raised at the end so the run is recorded as failed."""
        sent = 0
        errors: list[Exception] = []
        for table in tables:
            for partition_key in _outbox_partitions(table):
                try:
                    sent += self.relay_partition(table, partition_key)
                except Exception as exc:  # re-raised below
                    log.warning("relay of a partition of %s failed: %s", table.name,
                                type(exc).__name__)
                    errors.append(exc)
        if errors:
            raise errors[0]
        return sent


def _outbox_partitions(table: OutboxTable) -> list[str]:
    seen: dict[str, None] = {}
    for row in table.query("outbox eq true", select=["PartitionKey"]):
        seen.setdefault(row["PartitionKey"], None)
    return list(seen)


def _delete(table: OutboxTable, partition_key: str, row_keys: list[str]) -> None:
    ops = [("delete", {"PartitionKey": partition_key, "RowKey": rk}) for rk in row_keys]
    try:
        table.submit(ops)
    except Exception:  # e.g. a concurrent relay deleted a row first
        # One missing row fails the whole delete transaction; row-by-row delete tolerates it
        # (Table.delete succeeds when the row is gone) and its own errors propagate.
        for rk in row_keys:
            table.delete(partition_key, rk)


def _chunked(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
