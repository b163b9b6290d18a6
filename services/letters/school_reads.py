"""What every letter of a school reads alike, read once for them all: the school, its students
(for year groups), its daily rows on a date (for the classmates' median) and the calendar around
a date. A school's letters are approved together and rendered one job each, seconds apart, so
without this each job read the whole school again: two of a job's 18 storage requests, and most
of its time (docs/benchmarks.md, "First run").

Kept `TTL` seconds per process (bounded, least recently used out first), so a change to the
roster or a correction of that day's marks reaches letters rendered a minute later at most. A
letter's own student's rows are never taken from here.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any, TypeVar

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.summaries import DailySummary
from domain.roster.schools import School, Student
from services.attendance.ports import SummaryRepository
from services.letters.ports import StudentDetails
from services.roster.ports import RosterReader, StudentDetail

T = TypeVar("T")
TTL = 60.0
SIZE = 256


class SchoolReads:
    """The reads, each kept per process for `ttl` seconds."""

    def __init__(self, roster: RosterReader, summaries: SummaryRepository, *, ttl: float | None = None,
                 size: int = SIZE, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._roster, self._summaries = roster, summaries
        self._ttl = TTL if ttl is None else ttl  # read when built: bench (h) sets 0 for its baseline
        self._size, self._monotonic = size, monotonic
        self._kept: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._reading: dict[Hashable, threading.Lock] = {}

    def school(self, tenant_id: str, school_id: str) -> School:
        return self._read(("school", tenant_id, school_id), lambda: self._roster.school(tenant_id, school_id))

    def students(self, tenant_id: str, school_id: str) -> list[Student]:
        return self._read(("students", tenant_id, school_id),
                          lambda: self._roster.students(tenant_id, school_id))

    def on_date(self, tenant_id: str, school_id: str, day: date) -> list[DailySummary]:
        return self._read(("rows", tenant_id, school_id, day),
                          lambda: self._summaries.on_date(tenant_id, school_id, day))

    def calendar_for(self, tenant_id: str, school_id: str, day: date) -> SchoolCalendar:
        return self._read(("calendar", tenant_id, school_id, day),
                          lambda: self._roster.calendar_for(tenant_id, school_id, day))

    def _read(self, key: Hashable, read: Callable[[], T]) -> T:
        found = self._fresh(key)
        if found is not None:
            return found[1]  # stored by this key's own read, so a T
        # one read per key at a time: the jobs of a batch start together (the host runs up to 32
        # at once), and the others wait for the first one's answer rather than all reading
        with self._lock:
            reading = self._reading.setdefault(key, threading.Lock())
        with reading:
            found = self._fresh(key)
            if found is not None:
                return found[1]
            value = read()
            with self._lock:
                self._kept[key] = (self._monotonic(), value)
                self._kept.move_to_end(key)
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
                self._reading.pop(key, None)
        return value

    def _fresh(self, key: Hashable) -> tuple[float, Any] | None:
        with self._lock:
            found = self._kept.get(key)
            if found is None or self._monotonic() - found[0] >= self._ttl:
                return None
            self._kept.move_to_end(key)
            return found


class LetterRoster:
    """The roster as the letter jobs read it: the school shared (SchoolReads), the student and
    guardians read for each letter, so a changed address or language is never a minute late."""

    def __init__(self, details: StudentDetails, school: SchoolReads) -> None:
        self._details, self._school = details, school

    def student_detail(self, tenant_id: str, school_id: str, student_id: str) -> StudentDetail:
        return self._details.student_detail(tenant_id, school_id, student_id)

    def school(self, tenant_id: str, school_id: str) -> School:
        return self._school.school(tenant_id, school_id)
