"""The timers' job runs, decided by the services: a replayed occurrence (lost singleton lease) is
skipped, the next occurrence is new work. The triggers only call these methods."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.platform.jobs import JobStatus
from services.letters.printing.schedule import BUILD_HOUR, PrintBatchJobs
from services.platform.jobs import JobRuns
from services.platform.outbox import OutboxTable, Relay
from services.platform.ports import FixedClock
from services.platform.relay_jobs import Nudge, RelayJobs
from tests.fakes_attendance import FakeJobRunRepository, england
from tests.unit.test_print_batches import Schools

NIGHT = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)


def test_the_nightly_fans_out_once_per_utc_date():
    world = england()
    world.clock.at = NIGHT
    run = world.jobs.nightly()
    assert (run.kind, run.scope, run.status, run.counters) == ("nightly", "2025-03-04", JobStatus.SUCCEEDED,
                                                               {"schools": 1})
    world.clock.at = NIGHT + timedelta(hours=1)  # a replay of the same night
    assert world.jobs.nightly().attempts == 1 and len(world.sent) == 1
    world.clock.at = NIGHT + timedelta(days=1)
    assert world.jobs.nightly().scope == "2025-03-05" and len(world.sent) == 2


def test_the_print_batch_timer_fans_out_once_per_utc_hour():
    at = datetime(2025, 3, 4, BUILD_HOUR, 5, tzinfo=UTC)  # London's build hour
    clock, sent = FixedClock(at), []
    jobs = PrintBatchJobs(Schools(), lambda: None, JobRuns(FakeJobRunRepository(), clock), clock,
                          lambda queue, body: sent.append(body))
    run = jobs.hourly()
    assert (run.kind, run.scope, run.counters) == ("print-batch-timer", "2025-03-04T05", {"schools": 1})
    clock.at = at + timedelta(minutes=30)
    assert jobs.hourly().attempts == 1 and len(sent) == 1
    clock.at = at + timedelta(hours=1)
    assert jobs.hourly().counters == {"schools": 0}  # a new hour, nobody's build hour


class FakeRelay(Relay):
    """Records what it was asked to relay; the tables are their names here."""

    def __init__(self) -> None:
        self.partitions: list[tuple[Any, str]] = []
        self.swept: list[list[Any]] = []

    def relay_partition(self, table: OutboxTable, partition_key: str) -> int:
        self.partitions.append((table, partition_key))
        return 2

    def sweep(self, tables: Sequence[OutboxTable]) -> int:
        self.swept.append(list(tables))
        return 3


def relay_jobs(clock: FixedClock) -> tuple[RelayJobs, FakeRelay]:
    relay = FakeRelay()
    named: Any = lambda name: f"table:{name}"  # noqa: E731
    swept: Any = lambda: ["latest", "instances"]  # noqa: E731
    return RelayJobs(relay, named, swept, JobRuns(FakeJobRunRepository(), clock), clock), relay


def test_a_nudge_relays_its_partition():
    jobs, relay = relay_jobs(FixedClock(NIGHT))
    nudge = Nudge.parse(b'{"table": "latest", "partitionKey": "t1|s1", "correlationId": "c1"}')
    assert (nudge.correlation_id, jobs.dispatch(nudge)) == ("c1", 2)
    assert relay.partitions == [("table:latest", "t1|s1")]


@pytest.mark.parametrize("body", [b'{"table": "x"}', b'{"partitionKey": "p"}', b"[]"])
def test_a_nudge_without_its_table_and_partition_is_refused(body: bytes):
    with pytest.raises(ValueError, match="needs 'table' and 'partitionKey'"):
        Nudge.parse(body)


def test_the_sweep_runs_once_per_minute():
    clock = FixedClock(NIGHT.replace(minute=15, second=3))
    jobs, relay = relay_jobs(clock)
    run = jobs.sweep()
    assert (run.kind, run.scope, run.counters) == ("outbox-sweep", "2025-03-04T02:15", {"events": 3})
    assert relay.swept == [["latest", "instances"]]
    clock.at += timedelta(seconds=40)  # the same occurrence again
    assert jobs.sweep().attempts == 1 and len(relay.swept) == 1
    clock.at += timedelta(minutes=1)
    assert jobs.sweep().scope == "2025-03-04T02:16" and len(relay.swept) == 2
