"""Normalization: a student's marks and school calendar in, daily summary rows out.

`recompute` rebuilds rows from a start date onward, given the row of the school day before it,
so the nightly run only touches students with new or changed marks (from the earliest changed
date) plus the day's rollover, and a full-year backfill is a recompute from the first school day
with no previous row. The inner loop works on plain ints and precomputed per-code effects.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.codes import CodeCategory, CodeTable
from domain.attendance.summaries import DailySummary, Status, Totals
from domain.roster.schools import Student

# Positions in Totals, for the inner loop's list of counters.
(POSSIBLE, PRESENT, LATE, AEA, AUTHORISED, UNAUTHORISED, PENALTY, MISSING, UNEXCUSED, TARDY_30,
 EXPLAINED, UNEXPLAINED, SUSPENDED) = range(len(Totals._fields))

_STATUS = {CodeCategory.PRESENT: (Status.PRESENT, PRESENT), CodeCategory.LATE_PRESENT: (Status.LATE, LATE),
           CodeCategory.APPROVED_ACTIVITY: (Status.APPROVED_ACTIVITY, AEA),
           CodeCategory.AUTHORISED_ABSENCE: (Status.AUTHORISED_ABSENT, AUTHORISED),
           CodeCategory.UNAUTHORISED_ABSENCE: (Status.UNAUTHORISED_ABSENT, UNAUTHORISED)}
_FLAG_COUNTERS = {"penalty": PENALTY, "truancy": UNEXCUSED, "explained": EXPLAINED,
                  "unexplained": UNEXPLAINED, "suspension": SUSPENDED}


class MarkLike(Protocol):
    """What normalization reads from a mark: an AttendanceMark or a `SessionMark`."""

    @property
    def date(self) -> dt.date: ...
    @property
    def session(self) -> str: ...  # "AM", "PM" or "DAY" (Session is a str enum)
    @property
    def code(self) -> str: ...  # the jurisdiction code, after the school's CodeMapping


class SessionMark(NamedTuple):
    """A cheap mark for bulk runs, where building pydantic models would dominate."""

    date: dt.date
    session: str
    code: str


class BaselineMismatch(ValueError):
    """`previous` is not the student's row of the school day just before the recompute starts."""


@dataclass(frozen=True, slots=True)
class _Effect:
    code: str | None
    status: Status
    counters: tuple[int, ...]  # Totals positions one session with this code adds 1 to
    possible: bool
    keeps_run: bool  # an absence, or not possible: does not break a consecutive-absence run
    tardy_30: bool  # an occasion: counted once per day, not per session
    truant: bool  # California U: absent without a valid excuse


_NO_MARK = _Effect(None, Status.NO_MARK, (POSSIBLE, MISSING), True, False, False, False)
_EFFECTS: dict[str, dict[str, _Effect]] = {}  # per table version


def _effects(table: CodeTable) -> dict[str, _Effect]:
    cached = _EFFECTS.get(table.version)
    if cached is None:
        cached = _EFFECTS[table.version] = {}
        for info in table.codes.values():
            if not info.category.possible:
                cached[info.code] = _Effect(info.code, Status.NOT_REQUIRED, (), False, True, False, False)
                continue
            status, counter = _STATUS[info.category]
            flagged = (_FLAG_COUNTERS[f] for f in sorted(info.flags) if f in _FLAG_COUNTERS)
            counters = (POSSIBLE, counter, *flagged)
            cached[info.code] = _Effect(info.code, status, counters, True, info.category.absence,
                                        "tardy-over-30" in info.flags, "truancy" in info.flags)
    return cached


def _effect(effects: dict[str, _Effect], table: CodeTable, code: str) -> _Effect:
    found = effects.get(code)
    # table.info normalises case and spacing, or raises UnknownCode naming the code
    return found if found is not None else effects[table.info(code).code]


def group_marks(marks: Iterable[MarkLike]) -> dict[dt.date, list[MarkLike]]:
    """marks_by_day for `recompute`, keeping input order (a later mark for a session wins)."""
    grouped: dict[dt.date, list[MarkLike]] = defaultdict(list)
    for mark in marks:
        grouped[mark.date].append(mark)
    return dict(grouped)


def baseline_date(student: Student, calendar: SchoolCalendar, start_date: dt.date) -> dt.date | None:
    """The date whose row `recompute(start_date=...)` needs as `previous` (None: no row needed)."""
    first = calendar.first_school_day_on_or_after(max(start_date, student.enrolment_start))
    day_before = calendar.nth_school_day_before(first or calendar.end + dt.timedelta(days=1), 1)
    return day_before if day_before is not None and student.enrolled_on(day_before) else None


def recompute(student: Student, calendar: SchoolCalendar, marks_by_day: Mapping[dt.date, Iterable[MarkLike]],
              previous: DailySummary | None, start_date: dt.date, end_date: dt.date, *,
              codes: CodeTable) -> list[DailySummary]:
    """Rows for the student's enrolled school days in [start_date, end_date], continuing from
    `previous`, the row of `baseline_date(student, calendar, start_date)` (BaselineMismatch if not).

    Per session, a session mark (AM/PM) wins over a DAY mark; a DAY mark fills both sessions."""
    last = min(end_date, student.enrolment_end or end_date)
    days = calendar.school_days_between(max(start_date, student.enrolment_start), last)
    if not days:
        return []
    expected = baseline_date(student, calendar, days[0])
    got = previous.date if previous else None
    if got != expected or (previous and previous.student_id != student.student_id):
        raise BaselineMismatch(f"recompute of {student.student_id} from {days[0]} needs the row of "
                               f"{expected}, got {got}")
    return _rows(student.student_id, days, calendar.index_of(days[0]), marks_by_day, previous, codes)


def _rows(student_id: str, days: Sequence[dt.date], index: int,
          marks_by_day: Mapping[dt.date, Iterable[MarkLike]], previous: DailySummary | None,
          codes: CodeTable) -> list[DailySummary]:
    """The rows of `days` (consecutive school days, the first at school-day `index`) after
    `previous`: the inner loop, on plain ints."""
    effects = _effects(codes)
    counts = list(previous.totals) if previous else [0] * len(Totals._fields)
    run = previous.consecutive_absence_days if previous else 0
    rows: list[DailySummary] = []
    for day in days:
        am_code, pm_code, day_code = _codes(marks_by_day.get(day, ()))
        day_effect = _NO_MARK if day_code is None else _effect(effects, codes, day_code)
        am = day_effect if am_code is None else _effect(effects, codes, am_code)
        pm = day_effect if pm_code is None else _effect(effects, codes, pm_code)
        for counter in am.counters:
            counts[counter] += 1
        for counter in pm.counters:
            counts[counter] += 1
        # EC 48260(a): a full day absent without a valid excuse (both halves), or else one occasion
        # on a day absent or tardy more than 30 minutes without one: half a day of U is an
        # occasion, not half a full day, and a day is never more than one truancy
        if am.truant is not pm.truant:
            counts[UNEXCUSED] -= 1
            counts[TARDY_30] += 1
        elif am.tardy_30 or pm.tardy_30:
            counts[TARDY_30] += 1
        if am.possible or pm.possible:
            run = run + 1 if am.keeps_run and pm.keeps_run else 0
        rows.append(DailySummary(student_id, day, index, am.status, pm.status, am.code, pm.code,
                                 Totals(*counts), run))
        index += 1
    return rows


def _codes(marks: Iterable[MarkLike]) -> tuple[str | None, str | None, str | None]:
    """A day's AM, PM and DAY codes (None: no such mark); a later mark for a session wins."""
    am_code = pm_code = day_code = None
    for mark in marks:
        session = mark.session
        if session == "AM":
            am_code = mark.code
        elif session == "PM":
            pm_code = mark.code
        else:
            day_code = mark.code
    return am_code, pm_code, day_code


def full_year(student: Student, calendar: SchoolCalendar, marks_by_day: Mapping[dt.date, Iterable[MarkLike]],
              end_date: dt.date, *, codes: CodeTable) -> list[DailySummary]:
    """The backfill: every enrolled school day from the year's start to `end_date`."""
    return recompute(student, calendar, marks_by_day, None, calendar.start, end_date, codes=codes)
