"""services/letters/school_reads.py: a school's letters share its school-wide reads for a minute."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from services.letters.school_reads import SchoolReads

DAY, NEXT = date(2025, 12, 19), date(2025, 12, 18)


class Reads:
    """The roster and summaries ports, answering with what was asked and counting each call."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[Any, ...]] = Counter()

    def students(self, tenant_id: str, school_id: str) -> Any:
        self.calls["students", tenant_id, school_id] += 1
        return [f"{school_id} students, read {self.calls['students', tenant_id, school_id]}"]

    def on_date(self, tenant_id: str, school_id: str, day: date) -> Any:
        self.calls["rows", tenant_id, school_id, day] += 1
        return [f"{school_id} rows on {day}"]

    def calendar_for(self, tenant_id: str, school_id: str, day: date) -> Any:
        self.calls["calendar", tenant_id, school_id, day] += 1
        return f"{school_id} calendar"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def reads(ttl: float = 60.0, size: int = 256) -> tuple[SchoolReads, Reads, Clock]:
    port, clock = Reads(), Clock()
    return SchoolReads(port, port, ttl=ttl, size=size, monotonic=clock), port, clock  # type: ignore[arg-type]


def test_a_schools_letters_read_its_students_and_rows_once() -> None:
    shared, port, _ = reads()
    for _ in range(30):
        assert shared.students("t", "s1") == ["s1 students, read 1"]
        assert shared.on_date("t", "s1", DAY) == ["s1 rows on 2025-12-19"]
    assert port.calls == {("students", "t", "s1"): 1, ("rows", "t", "s1", DAY): 1}


def test_another_school_tenant_or_date_is_its_own_read() -> None:
    shared, port, _ = reads()
    shared.on_date("t", "s1", DAY)
    assert shared.on_date("t", "s2", DAY) == ["s2 rows on 2025-12-19"]
    assert shared.on_date("u", "s1", DAY) == ["s1 rows on 2025-12-19"]
    assert shared.on_date("t", "s1", NEXT) == ["s1 rows on 2025-12-18"]
    assert sum(port.calls.values()) == 4


def test_after_the_ttl_the_school_is_read_again() -> None:
    shared, port, clock = reads(ttl=60)
    shared.students("t", "s1")
    clock.now += 59.9
    assert shared.students("t", "s1") == ["s1 students, read 1"]
    clock.now += 0.2
    assert shared.students("t", "s1") == ["s1 students, read 2"]


def test_it_keeps_at_most_size_entries_dropping_the_least_recently_used() -> None:
    shared, port, _ = reads(size=2)
    shared.calendar_for("t", "s1", DAY)
    shared.calendar_for("t", "s2", DAY)
    shared.calendar_for("t", "s1", DAY)  # s1 used again: s2 is the oldest now
    shared.calendar_for("t", "s3", DAY)
    shared.calendar_for("t", "s1", DAY)
    shared.calendar_for("t", "s2", DAY)
    assert port.calls["calendar", "t", "s1", DAY] == 1
    assert port.calls["calendar", "t", "s2", DAY] == 2


def test_jobs_missing_together_wait_for_one_read() -> None:
    import threading
    import time

    port = Reads()
    slow_students = port.students

    def students(tenant_id: str, school_id: str) -> Any:
        time.sleep(0.05)  # the read is under way while the other jobs arrive
        return slow_students(tenant_id, school_id)

    port.students = students  # type: ignore[method-assign]
    shared = SchoolReads(port, port)  # type: ignore[arg-type]
    answers: list[Any] = []
    jobs = [threading.Thread(target=lambda: answers.append(shared.students("t", "s1"))) for _ in range(16)]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
    assert port.calls["students", "t", "s1"] == 1
    assert answers == [["s1 students, read 1"]] * 16
