"""Normalizing one school for one date: marks in, daily summary rows out (docs/attendance.md).

Reads, once per school: the dirty flags (`markchanges`), each student's newest row
(`latestsummaries`), the students, the calendar and the code table, then the marks of every
school day any student needs, one partition per day. Writes the rows batched per month
partition, the newest rows batched in one partition with the `attendance.normalized` event
(outbox), and finally deletes exactly the flags it consumed. No storage request is made per
student except one row read per corrected student whose baseline is not their newest row.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from pydantic.alias_generators import to_camel

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.codes import load_code_table
from domain.attendance.stored_marks import MarkChange, MarksByStudent, instant
from domain.attendance.summaries import DailySummary
from domain.platform.errors import DomainError, NotFound
from domain.platform.events import IntegrationEvent, event_id
from domain.roster.schools import School, Student
from services.attendance.normalize_plan import (
    Work,
    compute,
    days_to_load,
    earliest_changes,
    plan_year,
    settled,
)
from services.attendance.ports import (
    LeaseRepository,
    MarkChangeRepository,
    MarkRepository,
    SummaryRepository,
)
from services.platform.context import current_correlation_id
from services.platform.ports import Clock
from services.roster.ports import RosterReader

log = logging.getLogger(__name__)

NORMALIZED = "attendance.normalized"
LEASE_TTL = timedelta(minutes=10)  # host.json functionTimeout: a run cannot outlive it
# A flag whose marks are still not visible after this long belongs to a write that failed.
STALE_FLAG = timedelta(hours=1)


class SchoolBusy(DomainError):
    """Another normalization of the school holds its lease; try again shortly."""

    status = 409
    title = "Busy"


@dataclass
class NormalizeResult:
    students: int = 0  # students with rows rebuilt
    rows: int = 0
    dirty_students: int = 0
    changes: int = 0  # flags consumed
    kept_changes: int = 0  # flags left for a later run
    point_reads: int = 0
    fallbacks: int = 0  # students rebuilt from the year's start
    mark_days: int = 0  # day partitions of marks read
    round_trips: int = 0

    def counters(self) -> dict[str, int]:
        """Non-zero counters, camelCase as the API shows job runs (`pointReads`, `roundTrips`)."""
        return {to_camel(k): v for k, v in asdict(self).items() if v}


class Normalization:
    def __init__(self, roster: RosterReader, marks: MarkRepository, changes: MarkChangeRepository,
                 summaries: SummaryRepository, lease: LeaseRepository, clock: Clock,
                 round_trips: Callable[[], int] = lambda: 0) -> None:
        self._roster = roster
        self._marks = marks
        self._changes = changes
        self._summaries = summaries
        self._lease = lease
        self._clock = clock
        self._round_trips = round_trips  # storage requests so far, for the job run's counters

    def normalize(self, tenant_id: str, school_id: str, day: date, *, full: bool = False,
                  owner: str | None = None) -> NormalizeResult:
        """Rows up to `day`; `full` rebuilds every student from the year's start. A day no
        calendar covers (the summer) only settles corrections of past years. Raises NotFound
        (the school) and SchoolBusy. `owner` names the work for the school's lease: a queue
        message's id, so that when storage went away before a run could give the lease back, the
        redelivery of the same message takes it over instead of waiting out LEASE_TTL (None: a
        run of its own, which only an expired lease lets in)."""
        trips = self._round_trips()
        school = self._roster.school(tenant_id, school_id)
        try:
            calendar: SchoolCalendar | None = self._roster.calendar_for(tenant_id, school_id, day)
        except NotFound:
            calendar = None
        now = self._clock.now()
        token = self._lease.acquire(tenant_id, school_id, owner or uuid.uuid4().hex, now, now + LEASE_TTL)
        if token is None:
            raise SchoolBusy(f"school {school_id} is being normalized; try again shortly")
        try:
            result = self._run(school, calendar, day, now, full)
        finally:
            self._lease.release(tenant_id, school_id, token)
        result.round_trips = self._round_trips() - trips
        log.info("normalized %s/%s for %s: %s", tenant_id, school_id, day, result.counters())
        return result

    def _run(self, school: School, calendar: SchoolCalendar | None, day: date, now: datetime,
             full: bool) -> NormalizeResult:
        tenant_id, school_id = school.tenant_id, school.school_id
        job = _Job(school, self._roster.students(tenant_id, school_id), instant(now - STALE_FLAG))
        pending = self._changes.pending(tenant_id, school_id)
        latest = self._summaries.latest(tenant_id, school_id)
        years, consumed = self._years(school, calendar, [f for f in pending if f.date <= day])  # later: wait
        current: list[DailySummary] = []
        past: list[DailySummary] = []
        for year, flags in years:
            if year is calendar:  # dirty students rebuilt, everyone else rolled over
                known = {} if full else {s: r for s, r in latest.items() if year.start <= r.date <= year.end}
                current, settled_flags = self._year(job, year, day, known, flags, full)
            else:  # corrections of an earlier year: rebuilt from the change to that year's end
                year_rows, settled_flags = self._year(job, year, year.end, None, flags, False)
                past += year_rows
            consumed += settled_flags

        # rows run in date order per student, so the last one kept is the newest; a past year's
        # row is the newest only where the stored newest row is not later (over the summer)
        newest = {r.student_id: r for r in past
                  if r.student_id not in latest or latest[r.student_id].date <= r.date}
        newest.update((r.student_id, r) for r in current)
        event = IntegrationEvent(
            id=event_id(NORMALIZED, tenant_id, school_id, day.isoformat()), type=NORMALIZED,
            tenant_id=tenant_id, school_id=school_id, occurred_at=now,
            correlation_id=current_correlation_id(),
            data={"date": day.isoformat(), "schoolYear": calendar.school_year if calendar else None,
                  "students": len(newest), "rows": job.result.rows, "full": full})
        self._summaries.write_latest(tenant_id, school_id, list(newest.values()), [event])
        self._changes.remove(tenant_id, school_id, consumed)
        job.result.changes = len(consumed)
        job.result.kept_changes = len(pending) - len(consumed)
        return job.result

    def _years(self, school: School, calendar: SchoolCalendar | None, flags: list[MarkChange],
               ) -> tuple[list[tuple[SchoolCalendar, list[MarkChange]]], list[MarkChange]]:
        """The flags grouped by school year, the run's own year first (even without flags), and
        the flags of dates no calendar covers any more (consumed: nothing can be computed)."""
        years: list[tuple[SchoolCalendar, list[MarkChange]]] = [(calendar, [])] if calendar else []
        orphans: list[MarkChange] = []
        for flag in flags:
            found = next((y for y in years if y[0].start <= flag.date <= y[0].end), None)
            if found is None:
                try:
                    found = (self._roster.calendar_for(school.tenant_id, school.school_id, flag.date), [])
                except NotFound:
                    orphans.append(flag)
                    continue
                years.append(found)
            found[1].append(flag)
        return years, orphans

    def _year(self, job: _Job, calendar: SchoolCalendar, end: date,
              latest: dict[str, DailySummary] | None, flags: list[MarkChange],
              full: bool) -> tuple[list[DailySummary], list[MarkChange]]:
        """Rebuild one school year up to `end` (written); the rows and the flags consumed."""
        dirty = earliest_changes(flags)
        job.result.dirty_students += len(dirty)
        works = plan_year(job.students, calendar, end, latest, dirty, full=full)
        rows, marks = self._rebuild(job, calendar, works)
        return rows, settled(flags, marks, {w.student.student_id for w in works}, job.stale_before)

    def _rebuild(self, job: _Job, calendar: SchoolCalendar,
                 works: list[Work]) -> tuple[list[DailySummary], MarksByStudent]:
        """Rows for the works (written), and the marks read for them."""
        tenant_id, school_id, result = job.school.tenant_id, job.school.school_id, job.result
        for work in works:
            if work.needs_row is not None:
                result.point_reads += 1
                work.previous = self._summaries.row(tenant_id, school_id, work.student.student_id,
                                                    work.needs_row)
                if work.previous is None:
                    result.fallbacks += 1
                    work.from_year_start(calendar)
        days = days_to_load(calendar, works)
        marks = self._marks.load(tenant_id, school_id, days)
        codes = load_code_table(job.school.jurisdiction, calendar.start)
        rows, misfits = compute(works, calendar, marks, codes)
        if misfits:  # the baseline row no longer fits (calendar or enrolment edited): rebuild
            result.fallbacks += len(misfits)
            earlier = calendar.school_days_between(calendar.start, days[0] - timedelta(days=1))
            for student_id, by_day in self._marks.load(tenant_id, school_id, earlier).items():
                marks.setdefault(student_id, {}).update(by_day)
            days = earlier + days
            for work in misfits:
                work.from_year_start(calendar)
            rows += compute(misfits, calendar, marks, codes)[0]
        self._summaries.write(tenant_id, school_id, rows)
        result.mark_days += len(days)
        result.students += len({r.student_id for r in rows})
        result.rows += len(rows)
        return rows, marks


@dataclass
class _Job:
    """One run's fixed inputs and its counters."""

    school: School
    students: list[Student]
    stale_before: str  # flags received before this are consumed even if their marks never came
    result: NormalizeResult = field(default_factory=NormalizeResult)
