"""Daily summaries, each student's newest row, and the per-school normalization lease.

- `summaries`: PartitionKey `tenant|school|yyyy-mm`, RowKey `studentId|yyyy-mm-dd`.
- `latestsummaries`: PartitionKey `tenant|school`, RowKey `studentId`; the same partition holds
  the outbox rows of `attendance.normalized` (`~outbox|...`) and the lease (`~lease`), both
  sorting after every student, so the student scan stops at `~`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from adapters.storage.keys import escape_key_part, key
from adapters.storage.tables import BATCH_LIMIT, Table
from domain.attendance.summaries import RECORD_KEYS, DailySummary
from domain.platform.errors import AlreadyExists, ConcurrencyError, NotFound
from domain.platform.events import IntegrationEvent

SUMMARIES = "summaries"
LATEST = "latestsummaries"
TABLES = [SUMMARIES, LATEST]
LEASE_ROW = "~lease"
_STUDENTS_END = "~"  # students' RowKeys are escaped ids, all below '~'


class Committer(Protocol):
    """services.platform.outbox.Outbox: state operations plus events as one transaction, then a nudge."""

    def commit(self, table: Any, operations: Sequence[tuple[Any, ...]],
               events: Sequence[IntegrationEvent], partition_key: str) -> None: ...


def month_partition(tenant_id: str, school_id: str, day: date) -> str:
    return key(tenant_id, school_id, f"{day:%Y-%m}")


def _entity(partition: str, row_key: str, row: DailySummary) -> dict[str, Any]:
    return {"PartitionKey": partition, "RowKey": row_key, **row.to_record()}


class TableSummaryRepository:
    def __init__(self, summaries: Table, latest: Table, outbox: Committer) -> None:
        self._summaries = summaries
        self._latest = latest
        self._outbox = outbox

    def latest(self, tenant_id: str, school_id: str) -> dict[str, DailySummary]:
        rows = self._latest.query("PartitionKey eq @pk and RowKey lt @end",
                                  parameters={"pk": key(tenant_id, school_id), "end": _STUDENTS_END})
        found = (DailySummary.from_record(r) for r in rows)
        return {s.student_id: s for s in found}

    def row(self, tenant_id: str, school_id: str, student_id: str, day: date) -> DailySummary | None:
        found = self._summaries.find(month_partition(tenant_id, school_id, day),
                                     key(student_id, day.isoformat()))
        return DailySummary.from_record(found) if found else None

    def write(self, tenant_id: str, school_id: str, rows: Sequence[DailySummary]) -> None:
        if rows:
            self._summaries.upsert_many(
                _entity(month_partition(tenant_id, school_id, r.date),
                        key(r.student_id, r.date.isoformat()), r) for r in rows)

    def write_latest(self, tenant_id: str, school_id: str, rows: Sequence[DailySummary],
                     events: Sequence[IntegrationEvent]) -> None:
        partition = key(tenant_id, school_id)
        ops = [("upsert", _entity(partition, escape_key_part(r.student_id), r)) for r in rows]
        # All but the last batch plainly; the last one carries the events (one outbox row each),
        # so they commit after every row they announce.
        split = max(0, len(ops) - (BATCH_LIMIT - len(events)))
        if split:
            self._latest.submit(ops[:split])
        self._outbox.commit(self._latest, ops[split:], events, partition)

    def for_student(self, tenant_id: str, school_id: str, student_id: str, first: date,
                    last: date) -> list[DailySummary]:
        # One query over the month partitions in range: within each, the student's rows are one
        # RowKey range, and `student|date` bounds hold in every month.
        rows = self._summaries.query(
            "PartitionKey ge @plo and PartitionKey le @phi and RowKey ge @rlo and RowKey le @rhi",
            parameters={"plo": month_partition(tenant_id, school_id, first),
                        "phi": month_partition(tenant_id, school_id, last),
                        "rlo": key(student_id, first.isoformat()),
                        "rhi": key(student_id, last.isoformat())})
        return sorted((DailySummary.from_record(r) for r in rows), key=lambda s: s.date)

    def on_date(self, tenant_id: str, school_id: str, day: date) -> list[DailySummary]:
        return list(self.on_dates(tenant_id, school_id, [day])[day].values())

    def on_dates(self, tenant_id: str, school_id: str,
                 days: Collection[date]) -> dict[date, dict[str, DailySummary]]:
        """The school's rows on these dates, by date and student: one query per month partition
        (the intervention scheduler's batch read; never a query per student)."""
        found: dict[date, dict[str, DailySummary]] = {day: {} for day in days}
        by_month: dict[str, list[date]] = {}
        for day in sorted(days):
            by_month.setdefault(month_partition(tenant_id, school_id, day), []).append(day)
        for partition, month_days in by_month.items():
            wanted = " or ".join(f"date eq @d{i}" for i in range(len(month_days)))
            named = {f"d{i}": d.isoformat() for i, d in enumerate(month_days)}
            # only what a summary is made of: the service's Timestamp alone cost a fifth of the parse
            rows = self._summaries.query(f"PartitionKey eq @pk and ( {wanted} )",
                                         parameters={"pk": partition, **named}, select=list(RECORD_KEYS))
            for row in rows:
                summary = DailySummary.from_record(row)
                found[summary.date][summary.student_id] = summary
        return found


class TableLeaseRepository:
    """One normalization of a school at a time: a row with an expiry, taken with its ETag."""

    def __init__(self, latest: Table) -> None:
        self._table = latest

    def acquire(self, tenant_id: str, school_id: str, owner: str, now: datetime,
                until: datetime) -> str | None:
        row = {"PartitionKey": key(tenant_id, school_id), "RowKey": LEASE_ROW, "owner": owner,
               "until": until.isoformat()}
        found = self._table.find(row["PartitionKey"], LEASE_ROW)
        try:
            if found is None:
                return self._table.insert(row)
            if datetime.fromisoformat(found["until"]) > now and found.get("owner") != owner:
                return None
            return self._table.update(row, etag=found.etag or "")
        except (AlreadyExists, ConcurrencyError, NotFound):  # another run took it first
            return None

    def release(self, tenant_id: str, school_id: str, token: str) -> None:
        row = {"PartitionKey": key(tenant_id, school_id), "RowKey": LEASE_ROW, "owner": "",
               "until": datetime.min.isoformat() + "+00:00"}
        try:
            self._table.update(row, etag=token)
        except (ConcurrencyError, NotFound):  # expired and taken over: not ours to release
            pass
