"""Shared by the benches: timing, the demo marks, and the row shape in which the domain's
summaries and the SQL baseline's are compared (a baseline that computes something else is
worthless, so every bench checks agreement before it prints a ratio)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from bootstrap import Composition
from devhost import azurite
from domain.attendance.codes import CodeTable
from domain.attendance.normalize import SessionMark
from domain.attendance.summaries import DailySummary
from settings import Settings, StorageConnection

T = TypeVar("T")
SEED = 42
# date, school-day index, possible, present, late, AEA, authorised, unauthorised, penalty,
# missing, attendance percent in hundredths (None: nothing possible), consecutive absence days,
# persistent, severe
Row = tuple[Any, ...]


def say(text: str) -> None:
    print(text, flush=True)


def best_of(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    """The fastest of `repeat` runs (seconds) and the last result. A collection first, so one
    run's garbage is not paid for by the next; the GC stays on, as in the service."""
    times = []
    gc.collect()
    start = time.perf_counter()
    result = run()
    times.append(time.perf_counter() - start)
    for _ in range(repeat - 1):
        del result
        gc.collect()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def recode(marks: Mapping[str, list[SessionMark]], codes: CodeTable,
           every: int = 100) -> tuple[dict[str, list[SessionMark]], int]:
    """Every `every`-th mark gets the next code of the whole table, in turn, so both sides also
    meet the categories the demo never sends (approved activity, not possible, administrative).
    Deterministic: marks are visited in student order. Returns the marks and how many changed."""
    table = sorted(codes.codes)
    out: dict[str, list[SessionMark]] = {}
    seen = changed = 0
    for student_id, student_marks in marks.items():
        fresh = []
        for mark in student_marks:
            if seen % every == 0:
                mark = mark._replace(code=table[changed % len(table)])
                changed += 1
            seen += 1
            fresh.append(mark)
        out[student_id] = fresh
    return out, changed


def domain_row(row: DailySummary) -> Row:
    t, percent = row.totals, row.attendance_percent
    return (row.date.isoformat(), row.school_day_index, t.possible_sessions, t.present_sessions,
            t.late_sessions, t.approved_activity_sessions, t.authorised_sessions,
            t.unauthorised_sessions, t.penalty_sessions, t.missing_marks,
            None if percent is None else int(percent.scaleb(2)), row.consecutive_absence_days,
            row.persistent_absence, row.severe_absence)


def by_student_domain(rows: Iterable[DailySummary]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for row in rows:
        out.setdefault(row.student_id, []).append(domain_row(row))
    return out


def by_student_sql(rows: Iterable[Sequence[Any]]) -> dict[str, list[Row]]:
    """SQL rows are (student, *Row) with the two flags as 0/1."""
    out: dict[str, list[Row]] = {}
    for student_id, *rest in rows:
        out.setdefault(student_id, []).append((*rest[:-2], bool(rest[-2]), bool(rest[-1])))
    return out


def agreement(domain: Mapping[str, list[Row]], sql: Mapping[str, list[Row]]) -> bool:
    """Prints "agree: N/N students (R rows)" and the first disagreement; True if all agree."""
    students = sorted(set(domain) | set(sql))
    bad = [s for s in students if domain.get(s) != sql.get(s)]
    rows = sum(len(r) for r in domain.values())
    say(f"  agree: {len(students) - len(bad)}/{len(students)} students ({rows:,} rows compared, "
        "every counter, percent, run and flag)")
    if bad:
        first = bad[0]
        pairs = zip(domain.get(first, []), sql.get(first, []), strict=False)
        diff = next(((d, s) for d, s in pairs if d != s), (domain.get(first), sql.get(first)))
        say(f"  DISAGREE {first}: domain {diff[0]} / sql {diff[1]}")
    return not bad


def rate_line(label: str, seconds: float, marks: int, repeat: int) -> str:
    return f"  {label:<22} {seconds:8.3f} s  {marks / seconds:>12,.0f} marks/s  (best of {repeat})"


@contextmanager
def azurite_container() -> Iterator[Composition]:
    """A container on an in-memory Azurite of its own, started and stopped around the block."""
    server = azurite.start()
    try:
        storage = StorageConnection(connection_string=server.connection_string)
        container = Composition(Settings(storage=storage, environment="test"))
        container.ensure_storage()
        yield container
    finally:
        server.stop()
