"""Planning one school year's recompute: for each student, the first and last day to rebuild and
the row to continue from. Pure: the service does the reads and writes around it.

- A student with dirty flags restarts at the earliest changed date and runs through the later
  of the normalized date and their newest row, so rows after a corrected day are rebuilt too.
- Every other student rolls over from their newest row to the normalized date (normally one
  day; more when a night was missed, which the same rule catches up).
- The row to continue from is the newest row when that is the baseline (`baseline_date`);
  otherwise the service reads that one row (`needs_row`), which only corrections need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.codes import CodeTable
from domain.attendance.normalize import BaselineMismatch, baseline_date, recompute
from domain.attendance.stored_marks import MarkChange, MarksByStudent
from domain.attendance.summaries import DailySummary
from domain.roster.schools import Student

_ONE_DAY = timedelta(days=1)


@dataclass(slots=True)
class Work:
    student: Student
    start: date
    end: date
    previous: DailySummary | None = None
    needs_row: date | None = None  # the baseline row to read: it is not the newest row

    def from_year_start(self, calendar: SchoolCalendar) -> None:
        """Rebuild the whole year instead (the baseline row is missing or does not fit)."""
        self.start, self.previous, self.needs_row = calendar.start, None, None


def earliest_changes(flags: Iterable[MarkChange]) -> dict[str, date]:
    """Each dirty student's earliest changed date."""
    earliest: dict[str, date] = {}
    for flag in flags:
        if flag.student_id not in earliest or flag.date < earliest[flag.student_id]:
            earliest[flag.student_id] = flag.date
    return earliest


def plan_year(students: Iterable[Student], calendar: SchoolCalendar, day: date,
              latest: Mapping[str, DailySummary] | None, dirty: Mapping[str, date], *,
              full: bool = False) -> list[Work]:
    """The work for `calendar`'s year up to `day`. `latest` None: a past year, where only dirty
    students are rebuilt (through the year's end) and nobody rolls over."""
    end_of_run = min(day, calendar.end)
    works = []
    for student in students:
        if student.enrolment_start > end_of_run or (
                student.enrolment_end is not None and student.enrolment_end < calendar.start):
            continue
        if full:
            works.append(Work(student, calendar.start, end_of_run))
            continue
        changed = dirty.get(student.student_id)
        last = latest.get(student.student_id) if latest is not None else None
        if latest is None:
            if changed is None:
                continue
            start, end = changed, end_of_run
        else:
            resume = last.date + _ONE_DAY if last else calendar.start
            start = min(changed, resume) if changed else resume
            end = max(end_of_run, last.date) if changed and last else end_of_run
        if student.enrolment_end is not None:
            # no rows after a leaver's last day: without this, every night would reload the marks
            # of every day since the earliest leaver left
            end = min(end, student.enrolment_end)
        if start > end:
            continue
        work = Work(student, start, end)
        base = baseline_date(student, calendar, start)
        if base is not None:
            if last is not None and last.date == base:
                work.previous = last
            else:
                work.needs_row = base
        works.append(work)
    return works


def days_to_load(calendar: SchoolCalendar, works: Iterable[Work]) -> tuple[date, ...]:
    """The school days any work reads marks for: one range, as every run ends at the same day."""
    spans = [(w.start, w.end) for w in works]
    if not spans:
        return ()
    return calendar.school_days_between(min(s for s, _ in spans), max(e for _, e in spans))


def compute(works: Iterable[Work], calendar: SchoolCalendar, marks: MarksByStudent,
            codes: CodeTable) -> tuple[list[DailySummary], list[Work]]:
    """The rows of every work, and the works whose baseline did not fit (rebuild those)."""
    rows: list[DailySummary] = []
    misfits: list[Work] = []
    empty: dict[date, list] = {}
    for work in works:
        try:
            rows.extend(recompute(work.student, calendar, marks.get(work.student.student_id, empty),
                                  work.previous, work.start, work.end, codes=codes))
        except BaselineMismatch:
            misfits.append(work)
    return rows, misfits


def settled(flags: Iterable[MarkChange], marks: MarksByStudent, rebuilt: set[str],
            stale_before: str) -> list[MarkChange]:
    """The flags a run consumed: the marks they announce were visible to it (an ingestion writes
    its flags before its marks), the student had nothing to rebuild, or the flag is older than
    `stale_before` (its ingestion failed before writing the marks)."""
    consumed = []
    for flag in flags:
        day_marks = marks.get(flag.student_id, {}).get(flag.date, [])
        seen = all(any(m.session == s and m.received_at >= flag.received_at for m in day_marks)
                   for s in flag.sessions)
        if seen or flag.student_id not in rebuilt or flag.received_at < stale_before:
            consumed.append(flag)
    return consumed
