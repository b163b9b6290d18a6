"""adapters/tables/marks.py's dirty flags against Azurite: many students to a row, and a row
deleted only once every flag it holds was consumed."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.storage.keys import key
from adapters.storage.tables import Table
from adapters.tables.marks import FLAG_CHARS, TableMarkChangeRepository
from domain.attendance.stored_marks import MarkChange

pytestmark = pytest.mark.integration

T, S = "t1", "s1"
DAY, NEXT = date(2025, 9, 8), date(2025, 9, 9)
AT = "2025-09-08T16:00:00.000000+00:00"


def flags(students: range, day: date = DAY, batch: str = "b1") -> list[MarkChange]:
    return [MarkChange(f"st{i:04d}", day, batch, AT, ("AM", "PM") if i % 2 else ("AM",)) for i in students]


def stored(table: Table) -> list[str]:
    return [r["RowKey"] for r in table.partition(key(T, S))]


def plain(changes: list[MarkChange]) -> set[tuple[str, date, str, str, tuple[str, ...]]]:
    return {(c.student_id, c.date, c.batch_id, c.received_at, c.sessions) for c in changes}


def test_a_days_flags_are_one_row_and_read_back_one_flag_a_student(table: Table) -> None:
    repo = TableMarkChangeRepository(table)
    written = flags(range(600)) + flags(range(3), day=NEXT)

    repo.add(T, S, written)

    assert stored(table) == [key(DAY.isoformat(), "b1", "000"), key(NEXT.isoformat(), "b1", "000")]
    assert table.counter.by_kind["transaction"] == 1
    assert plain(repo.pending(T, S)) == plain(written)


def test_more_students_than_a_property_holds_take_several_rows(table: Table) -> None:
    repo = TableMarkChangeRepository(table)
    written = flags(range(4000))

    repo.add(T, S, written)

    rows = list(table.partition(key(T, S)))
    assert len(rows) > 1
    assert all(len(r["students"]) <= FLAG_CHARS for r in rows)
    assert plain(repo.pending(T, S)) == plain(written)


def test_consuming_every_flag_of_a_row_deletes_it_and_leaves_the_others(table: Table) -> None:
    repo = TableMarkChangeRepository(table)
    repo.add(T, S, flags(range(10)) + flags(range(10), day=NEXT))
    pending = repo.pending(T, S)

    repo.remove(T, S, [f for f in pending if f.date == DAY])

    assert stored(table) == [key(NEXT.isoformat(), "b1", "000")]
    assert plain(repo.pending(T, S)) == plain(flags(range(10), day=NEXT))


def test_a_row_partly_consumed_keeps_only_the_flags_left(table: Table) -> None:
    repo = TableMarkChangeRepository(table)
    repo.add(T, S, flags(range(10)))
    pending = repo.pending(T, S)

    repo.remove(T, S, [f for f in pending if f.student_id < "st0004"])

    assert plain(repo.pending(T, S)) == plain(flags(range(4, 10)))


def test_a_row_rewritten_since_it_was_read_stays_whole(table: Table) -> None:
    repo = TableMarkChangeRepository(table)
    repo.add(T, S, flags(range(10)))
    pending = repo.pending(T, S)
    repo.add(T, S, flags(range(12)))  # a redelivered ingestion rewrites the row: new ETag

    repo.remove(T, S, pending)
    repo.remove(T, S, [f for f in pending if f.student_id < "st0004"])

    assert plain(repo.pending(T, S)) == plain(flags(range(12)))


def test_a_flag_row_of_the_earlier_shape_is_read_and_removed(table: Table) -> None:
    repo = TableMarkChangeRepository(table)
    table.upsert({"PartitionKey": key(T, S), "RowKey": key("st0001", DAY.isoformat(), "b0"),
                  "studentId": "st0001", "date": DAY.isoformat(), "batchId": "b0", "receivedAt": AT,
                  "sessions": "AM PM"})

    pending = repo.pending(T, S)
    assert plain(pending) == {("st0001", DAY, "b0", AT, ("AM", "PM"))}
    repo.remove(T, S, pending)

    assert stored(table) == []
