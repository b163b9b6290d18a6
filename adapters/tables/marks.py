"""Marks, their history and the dirty flags of the nightly increment (docs/storage.md).

- `marks`: PartitionKey `tenant|school|yyyy-mm-dd`, RowKey `studentId|session`.
- `markhistory`: PartitionKey `tenant|school|yyyy-mm-dd`,
  RowKey `studentId|session|receivedAt|batchId` of the replaced mark.
- `markchanges`: PartitionKey `tenant|school`, RowKey `studentId|yyyy-mm-dd|batchId`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any

from azure.core import MatchConditions
from azure.data.tables import UpdateMode

from adapters.storage.keys import escape_key_part, key
from adapters.storage.tables import BATCH_LIMIT, Entity, Table
from domain.attendance.stored_marks import LoadedMark, Mark, MarkChange, MarksByStudent
from domain.platform.errors import ConcurrencyError, NotFound

MARKS = "marks"
MARK_HISTORY = "markhistory"
MARK_CHANGES = "markchanges"
TABLES = [MARKS, MARK_HISTORY, MARK_CHANGES]

_LOAD_COLUMNS = ["studentId", "session", "code", "receivedAt"]


def day_partition(tenant_id: str, school_id: str, day: date) -> str:
    return key(tenant_id, school_id, day.isoformat())


def _mark_entity(tenant_id: str, school_id: str, mark: Mark) -> dict[str, Any]:
    return {"PartitionKey": day_partition(tenant_id, school_id, mark.date),
            "RowKey": key(mark.student_id, mark.session),
            "studentId": mark.student_id, "date": mark.date.isoformat(), "session": mark.session,
            "code": mark.code, "sisCode": mark.sis_code, "comment": mark.comment,
            "minutesLate": mark.minutes_late, "source": mark.source, "batchId": mark.batch_id,
            "receivedAt": mark.received_at}


def _mark(row: Entity) -> Mark:
    return Mark(row["studentId"], date.fromisoformat(row["date"]), row["session"], row["code"],
                sis_code=row.get("sisCode"), comment=row.get("comment"),
                minutes_late=row.get("minutesLate"), source=row.get("source"),
                batch_id=row.get("batchId"), received_at=row.get("receivedAt"), etag=row.etag)


class TableMarkRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def existing(self, tenant_id: str, school_id: str, day: date,
                 student_ids: Collection[str]) -> dict[tuple[str, str], Mark]:
        if not student_ids:
            return {}
        # One range over the students' rows; bounds from the prefixes themselves, because '|'
        # sorts after letters ("ab|AM" < "a|AM").
        prefixes = [escape_key_part(s) + "|" for s in student_ids]
        rows = self._table.query(
            "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
            parameters={"pk": day_partition(tenant_id, school_id, day), "lo": min(prefixes),
                        "hi": max(prefixes) + "\uffff"})
        wanted = set(student_ids)
        marks = (_mark(r) for r in rows)
        return {m.key: m for m in marks if m.student_id in wanted}

    def save(self, tenant_id: str, school_id: str, creates: Sequence[Mark],
             updates: Sequence[Mark]) -> None:
        ops: list[tuple[Any, ...]] = [("create", _mark_entity(tenant_id, school_id, m)) for m in creates]
        ops += [("update", _mark_entity(tenant_id, school_id, m),
                 {"mode": UpdateMode.REPLACE, "etag": m.etag,
                  "match_condition": MatchConditions.IfNotModified}) for m in updates]
        if ops:
            self._table.submit(ops)

    def load(self, tenant_id: str, school_id: str, days: Iterable[date]) -> MarksByStudent:
        found: MarksByStudent = {}
        for day in days:
            for row in self._table.partition(day_partition(tenant_id, school_id, day),
                                             select=_LOAD_COLUMNS):
                mark = LoadedMark(day, row["session"], row["code"], row.get("receivedAt") or "")
                found.setdefault(row["studentId"], {}).setdefault(day, []).append(mark)
        return found

    def on_day(self, tenant_id: str, school_id: str, day: date) -> list[Mark]:
        """Every stored mark of a day (operations and tests)."""
        return [_mark(r) for r in self._table.partition(day_partition(tenant_id, school_id, day))]


class TableMarkHistoryRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def add(self, tenant_id: str, school_id: str, replaced: Sequence[tuple[Mark, Mark]]) -> None:
        rows = []
        for old, new in replaced:
            row = _mark_entity(tenant_id, school_id, old)
            row["RowKey"] = key(old.student_id, old.session, old.received_at or "", old.batch_id or "")
            row.update(replacedAt=new.received_at, replacedBy=new.batch_id)
            rows.append(row)
        if rows:
            self._table.upsert_many(rows)


class TableMarkChangeRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def add(self, tenant_id: str, school_id: str, changes: Sequence[MarkChange]) -> None:
        if changes:
            self._table.upsert_many({
                "PartitionKey": key(tenant_id, school_id),
                "RowKey": key(c.student_id, c.date.isoformat(), c.batch_id),
                "studentId": c.student_id, "date": c.date.isoformat(), "batchId": c.batch_id,
                "receivedAt": c.received_at, "sessions": " ".join(c.sessions)} for c in changes)

    def pending(self, tenant_id: str, school_id: str) -> list[MarkChange]:
        return [MarkChange(r["studentId"], date.fromisoformat(r["date"]), r["batchId"],
                           r.get("receivedAt") or "", tuple((r.get("sessions") or "").split()),
                           etag=r.etag)
                for r in self._table.partition(key(tenant_id, school_id))]

    def remove(self, tenant_id: str, school_id: str, changes: Sequence[MarkChange]) -> None:
        partition = key(tenant_id, school_id)
        ops = [("delete", {"PartitionKey": partition,
                           "RowKey": key(c.student_id, c.date.isoformat(), c.batch_id)},
                {"etag": c.etag, "match_condition": MatchConditions.IfNotModified}) for c in changes]
        for start in range(0, len(ops), BATCH_LIMIT):
            chunk = ops[start:start + BATCH_LIMIT]
            try:
                self._table.submit(chunk)
            except (ConcurrencyError, NotFound):
                # A flag rewritten (or deleted) since we read it fails the whole transaction:
                # delete the rest one by one and keep the rewritten ones for the next run.
                for op in chunk:
                    try:
                        self._table.submit([op])
                    except (ConcurrencyError, NotFound):
                        pass
