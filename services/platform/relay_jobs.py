"""The outbox relay as its two triggers see it: a nudge (one `outbox-dispatch` message) relays
the partition a commit just wrote events to; the sweep timer relays whatever a lost or failed
nudge left behind, once per minute (docs/events.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from domain.platform.jobs import JobRun
from services.platform.jobs import JobRuns
from services.platform.outbox import OutboxTable, Relay
from services.platform.ports import Clock

SWEEP_KIND = "outbox-sweep"


@dataclass(frozen=True)
class Nudge:
    """The `outbox-dispatch` message Outbox.commit sends."""

    table: str
    partition_key: str
    correlation_id: str | None = None

    @classmethod
    def parse(cls, raw: bytes | str) -> Nudge:
        """ValueError for a body that is not JSON or lacks the table or partition."""
        body = json.loads(raw)
        if not isinstance(body, dict) or not body.get("table") or not body.get("partitionKey"):
            raise ValueError("outbox-dispatch: message needs 'table' and 'partitionKey'")
        return cls(body["table"], body["partitionKey"], body.get("correlationId"))


class RelayJobs:
    """`table` opens a table by name; `swept` lists the tables whose services stage events."""

    def __init__(self, relay: Relay, table: Callable[[str], OutboxTable],
                 swept: Callable[[], Sequence[OutboxTable]], jobs: JobRuns, clock: Clock) -> None:
        self._relay, self._table, self._swept = relay, table, swept
        self._jobs, self._clock = jobs, clock

    def dispatch(self, nudge: Nudge) -> int:
        """Relay the nudge's partition; returns the events published. Errors propagate: the host
        retries and, after maxDequeueCount, parks the message (the sweep still relays the rows)."""
        return self._relay.relay_partition(self._table(nudge.table), nudge.partition_key)

    def sweep(self) -> JobRun:
        """Relay every staged event, in a job run scoped to the minute: a replay of the same
        occurrence (lost singleton lease) is skipped, the next occurrence is new work."""
        with self._jobs.run(SWEEP_KIND, self._clock.now().strftime("%Y-%m-%dT%H:%M")) as run:
            if not run.skipped:
                run.count("events", self._relay.sweep(self._swept()))
        return run.run
