"""`make run`'s meetings: what the demo attendance officer does about meetings at the end of each
school week, through the real meetings service (services/meetings/service.py), so the outcomes drive the
ladder exactly as staff recording them through the API would.

- A MEETING action in the queue gets a meeting booked: the first school day after the coming
  weekend, 09:00 school-local, 30 minutes, in the attendance office.
- A meeting a no-show proposed is booked the same way.
- A meeting whose time has passed gets its outcome, cycling deterministically through the
  outcomes in the order the meetings took place (`outcome_for`); every fifth is a no-show.

Deterministic (sorted by time and student; no randomness) and idempotent: a student with a live
meeting for that intervention and stage gets no second one (booking the same action twice would
create a second meeting: the service does not deduplicate), and only SCHEDULED meetings whose
time has passed get an outcome, so a second `make run` finds nothing to do."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import bootstrap
from domain.attendance.calendar import SchoolCalendar
from domain.casework.cases import QueueItem
from domain.meetings.model import FollowUp, InterventionMeeting, MeetingOutcome, MeetingStatus
from domain.platform.access import Principal
from domain.roster.schools import School
from domain.rules import StageType
from services.meetings.service import MeetingChange

LOCATION = "Attendance office"
LENGTH = timedelta(minutes=30)
STARTS = time(9, 0)
# the outcomes of held meetings, in turn; every fifth meeting is a no-show instead
CYCLE = (MeetingOutcome.RESOLVED, MeetingOutcome.SUPPORT_PLAN, MeetingOutcome.MEDICAL_PLAN,
         MeetingOutcome.NO_ACTION, MeetingOutcome.ESCALATE)
FOLLOW_UP_SCHOOL_DAYS = 10
REVIEW_AFTER = timedelta(weeks=4)


def outcome_for(ordinal: int) -> MeetingOutcome | None:
    """The `ordinal`-th (1-based) meeting of a school to take place: None is a no-show."""
    if ordinal % 5 == 0:
        return None
    return CYCLE[(ordinal - ordinal // 5 - 1) % len(CYCLE)]


def slot(calendar: SchoolCalendar, day: date, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The first school day after the weekend following `day`, 09:00 local; None past the
    calendar's end."""
    sunday = day + timedelta(days=6 - day.weekday())
    first = calendar.first_school_day_on_or_after(sunday + timedelta(days=1))
    if first is None:
        return None
    starts = datetime.combine(first, STARTS, tzinfo=zone)
    return starts, starts + LENGTH


def live(meetings: list[InterventionMeeting]) -> set[tuple[str | None, int | None]]:
    """(instance, stage) pairs that already have a meeting not cancelled."""
    return {(m.instance_id, m.stage_order) for m in meetings if m.status is not MeetingStatus.CANCELLED}


def book(container: bootstrap.Composition, officer: Principal, school: School, calendar: SchoolCalendar,
         day: date, queue: list[QueueItem]) -> int:
    """Book a meeting for each MEETING action queued by `day` and each meeting a no-show
    proposed by now. Returns how many were booked."""
    t, s, meetings = school.tenant_id, school.school_id, container.meetings.service
    when = slot(calendar, day, school.zone)
    if when is None:
        return 0
    starts, ends = when
    existing = container.meetings.store.school(t, s)
    taken = live(existing)
    booked = 0
    for item in sorted((i for i in queue if i.stage_type is StageType.MEETING),
                       key=lambda i: (i.student_id, i.instance_id)):
        if (item.instance_id, item.stage_order) in taken:
            continue
        meetings.schedule(officer, t, s, student_id=item.student_id, starts_at=starts, ends_at=ends,
                          instance_id=item.instance_id, location=LOCATION)
        taken.add((item.instance_id, item.stage_order))
        booked += 1
    now = container.platform.clock.now()
    proposed = sorted((m for m in existing if m.status is MeetingStatus.PROPOSED and m.created_at <= now),
                      key=lambda m: (m.student_id, m.id))
    for m in proposed:
        assert m.etag is not None
        meetings.change(officer, t, s, m.id, m.etag, MeetingChange(status=MeetingStatus.SCHEDULED,
                                                                    starts_at=starts, ends_at=ends))
        booked += 1
    return booked


def record(container: bootstrap.Composition, officer: Principal, school: School, calendar: SchoolCalendar,
           day: date) -> Counter[str]:
    """Record the outcome of each SCHEDULED meeting that has ended by now (the officer's evening
    of `day`). Returns counts by outcome (NO_SHOW for a no-show)."""
    t, s, service = school.tenant_id, school.school_id, container.meetings.service
    now = container.platform.clock.now()
    existing = container.meetings.store.school(t, s)
    ordinal = sum(1 for m in existing if m.status in (MeetingStatus.HELD, MeetingStatus.NO_SHOW))
    due = sorted((m for m in existing if m.status is MeetingStatus.SCHEDULED and m.ends_at is not None
                  and m.ends_at <= now), key=lambda m: (m.starts_at or now, m.student_id, m.created_at))
    recorded: Counter[str] = Counter()
    for m in due:
        ordinal += 1
        outcome = outcome_for(ordinal)
        assert m.etag is not None
        service.change(officer, t, s, m.id, m.etag, _change(outcome, officer, calendar, day))
        recorded[outcome.value if outcome else MeetingStatus.NO_SHOW.value] += 1
    return recorded


def _change(outcome: MeetingOutcome | None, officer: Principal, calendar: SchoolCalendar,
            day: date) -> MeetingChange:
    if outcome is None:
        return MeetingChange(status=MeetingStatus.NO_SHOW)
    review = day + REVIEW_AFTER if outcome is MeetingOutcome.MEDICAL_PLAN else None
    follow_up = (FollowUp(officer.subject, _school_days_after(calendar, day, FOLLOW_UP_SCHOOL_DAYS))
                 if outcome is MeetingOutcome.SUPPORT_PLAN else None)
    return MeetingChange(status=MeetingStatus.HELD, outcome=outcome, review_on=review, follow_up=follow_up)


def _school_days_after(calendar: SchoolCalendar, day: date, n: int) -> date:
    """`n` school days after `day` (a school day); two calendar weeks past the calendar's end."""
    index = calendar.index_of(day) + n
    if index > len(calendar.school_days):
        return day + timedelta(weeks=2)
    return calendar.day_at(index)
