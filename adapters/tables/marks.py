"""Marks, their history and the dirty flags of the nightly increment (docs/storage.md).

- `marks`: PartitionKey `tenant|school|yyyy-mm-dd`, RowKey `studentId|session`.
- `markhistory`: PartitionKey `tenant|school|yyyy-mm-dd`,
  RowKey `studentId|session|receivedAt|batchId` of the replaced mark.
- `markchanges`: PartitionKey `tenant|school`, RowKey `yyyy-mm-dd|batchId|nnn`: the flags of one
  day and batch, `nnn` numbering the rows when there are too many students for one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
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
    """The dirty flags of one (day, batch), many students to a row (`students`: a JSON object of
    student id to sessions), so a day's ingestion writes one row, not one per student, and
    normalization deletes as few. Loaded a row per flag, each flag carries its row (`stored`)."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def add(self, tenant_id: str, school_id: str, changes: Sequence[MarkChange]) -> None:
        groups: dict[tuple[date, str, str], dict[str, str]] = {}
        for c in changes:
            groups.setdefault((c.date, c.batch_id, c.received_at), {})[c.student_id] = " ".join(c.sessions)
        rows = []
        for (day, batch_id, received_at), students in sorted(groups.items()):
            for n, chunk in enumerate(_flag_chunks(students)):
                rows.append({"PartitionKey": key(tenant_id, school_id),
                             "RowKey": key(day.isoformat(), batch_id, f"{n:03d}"),
                             "date": day.isoformat(), "batchId": batch_id, "receivedAt": received_at,
                             "students": chunk})
        if rows:
            self._table.upsert_many(rows)

    def pending(self, tenant_id: str, school_id: str) -> list[MarkChange]:
        return [flag for row in self._table.partition(key(tenant_id, school_id)) for flag in _flags(row)]

    def remove(self, tenant_id: str, school_id: str, changes: Sequence[MarkChange]) -> None:
        """Deletes each row whose flags were all consumed, ETag-conditional; a row with flags
        left is rewritten to hold only those."""
        partition = key(tenant_id, school_id)
        by_row: dict[tuple[str, int], list[MarkChange]] = {}
        for c in changes:
            if c.stored is not None:
                by_row.setdefault(c.stored, []).append(c)
        deletes: list[tuple[Any, ...]] = []
        for (row_key, size), flags in by_row.items():
            if len({f.student_id for f in flags}) >= size:
                deletes.append(("delete", {"PartitionKey": partition, "RowKey": row_key},
                                {"etag": flags[0].etag, "match_condition": MatchConditions.IfNotModified}))
            else:
                self._keep_the_rest(partition, row_key, flags)
        for start in range(0, len(deletes), BATCH_LIMIT):
            chunk = deletes[start:start + BATCH_LIMIT]
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

    def _keep_the_rest(self, partition: str, row_key: str, consumed: list[MarkChange]) -> None:
        """Rare (marks not yet visible to the run): rewrite the row without the consumed flags,
        unless it changed since it was read."""
        row = self._table.find(partition, row_key)
        if row is None or row.etag != consumed[0].etag:
            return
        done = {c.student_id for c in consumed}
        students = {s: v for s, v in json.loads(row["students"]).items() if s not in done}
        try:
            self._table.update({**row, "students": json.dumps(students, sort_keys=True)}, etag=row.etag or "")
        except (ConcurrencyError, NotFound):
            pass


# A string property holds at most 64 KiB of UTF-16; ASCII JSON under this many characters fits.
FLAG_CHARS = 30_000


def _flag_chunks(students: dict[str, str]) -> Iterator[str]:
    """`students` (id -> sessions) as JSON objects of at most FLAG_CHARS characters each."""
    chunk: dict[str, str] = {}
    size = 2
    for student_id in sorted(students):
        entry = len(json.dumps({student_id: students[student_id]}))  # its braces: the ", " between
        if chunk and size + entry > FLAG_CHARS:
            yield json.dumps(chunk, sort_keys=True)
            chunk, size = {}, 2
        chunk[student_id] = students[student_id]
        size += entry
    if chunk:
        yield json.dumps(chunk, sort_keys=True)


def _flags(row: Entity) -> list[MarkChange]:
    day, batch_id, received_at = date.fromisoformat(row["date"]), row["batchId"], row.get("receivedAt") or ""
    if "students" not in row:  # a row of one flag, as rows were written before (studentId, sessions)
        students = {row["studentId"]: row.get("sessions") or ""}
    else:
        students = json.loads(row["students"])
    stored = (str(row["RowKey"]), len(students))
    return [MarkChange(student_id, day, batch_id, received_at, tuple(sessions.split()), etag=row.etag,
                       stored=stored) for student_id, sessions in students.items()]
