"""The meeting commands: schedule, propose, update, cancel, record HELD with an outcome, record
NO_SHOW. Each checks `MEETING_TRANSITIONS` (a wrong status is a 409 naming `status`), then the
dates and fields (a 422 naming the field), and returns the new meeting. `now` is the caller's
clock reading and `today` the school's business day: nothing here reads a clock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from domain.ladder.model import InvalidTransition
from domain.meetings.model import (
    Attendees,
    FollowUp,
    InterventionMeeting,
    MeetingCommand,
    MeetingOutcome,
    MeetingStatus,
    next_status,
    proposed_id,
)
from domain.platform.errors import ValidationFailed

NOBODY = Attendees()


def check_times(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is None:
        raise ValidationFailed("startsAt is required to schedule a meeting", field="startsAt")
    if ends_at is None:
        raise ValidationFailed("endsAt is required to schedule a meeting", field="endsAt")
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise ValidationFailed("startsAt needs a time zone offset", field="startsAt")
    if ends_at.tzinfo is None or ends_at.utcoffset() is None:
        raise ValidationFailed("endsAt needs a time zone offset", field="endsAt")
    if ends_at <= starts_at:
        raise ValidationFailed("endsAt must be after startsAt", field="endsAt")


def schedule(meeting_id: str, tenant_id: str, school_id: str, student_id: str, *, starts_at: datetime,
             ends_at: datetime, actor: str, now: datetime, location: str = "", notes: str = "",
             attendees: Attendees = NOBODY, instance_id: str | None = None,
             stage_order: int | None = None) -> InterventionMeeting:
    check_times(starts_at, ends_at)
    status = next_status(None, MeetingCommand.SCHEDULE)
    return InterventionMeeting(meeting_id, tenant_id, school_id, student_id, status, actor, now, actor, now,
                               instance_id, stage_order, starts_at, ends_at, location, attendees, notes)


def propose(previous: InterventionMeeting, *, actor: str, now: datetime) -> InterventionMeeting:
    """The meeting a RESCHEDULE or NO_SHOW asks staff to book: same student, intervention and
    stage, place and invitees; no time yet."""
    status = next_status(None, MeetingCommand.PROPOSE)
    p = previous
    return InterventionMeeting(proposed_id(p.id), p.tenant_id, p.school_id, p.student_id, status, actor, now,
                               actor, now, p.instance_id, p.stage_order, location=p.location,
                               attendees=p.attendees, proposed_from=p.id)


def update(meeting: InterventionMeeting, *, actor: str, now: datetime, starts_at: datetime | None = None,
           ends_at: datetime | None = None, location: str | None = None, notes: str | None = None,
           attendees: Attendees | None = None) -> InterventionMeeting:
    """Change the details of a SCHEDULED or PROPOSED meeting; giving a PROPOSED one its times
    books it (SCHEDULED). A new time or place raises the invitation's SEQUENCE."""
    m = meeting
    booking = m.status is MeetingStatus.PROPOSED and (starts_at is not None or ends_at is not None)
    status = next_status(m.status, MeetingCommand.SCHEDULE if booking else MeetingCommand.UPDATE)
    starts, ends = starts_at or m.starts_at, ends_at or m.ends_at
    if status is MeetingStatus.SCHEDULED:
        check_times(starts, ends)
    place = m.location if location is None else location
    moved = (m.status is MeetingStatus.SCHEDULED
             and (starts, ends, place) != (m.starts_at, m.ends_at, m.location))
    return replace(m, status=status, starts_at=starts, ends_at=ends, location=place,
                   notes=m.notes if notes is None else notes, attendees=attendees or m.attendees,
                   sequence=m.sequence + 1 if moved else m.sequence, updated_by=actor, updated_at=now)


def cancel(meeting: InterventionMeeting, *, actor: str, now: datetime,
           notes: str | None = None) -> InterventionMeeting:
    status = next_status(meeting.status, MeetingCommand.CANCEL)
    # a cancellation is a change the calendar must see: the invitation's SEQUENCE goes up
    return replace(meeting, status=status, notes=meeting.notes if notes is None else notes,
                   sequence=meeting.sequence + 1, updated_by=actor, updated_at=now)


def _started(meeting: InterventionMeeting, now: datetime, what: str) -> None:
    if meeting.starts_at is not None and meeting.starts_at > now:
        raise InvalidTransition(f"cannot record {what} before the meeting starts "
                                f"({meeting.starts_at.isoformat()})", field="startsAt")


def hold(meeting: InterventionMeeting, *, outcome: MeetingOutcome | None, actor: str, now: datetime,
         today: date, outcome_notes: str = "", attendees: Attendees | None = None, notes: str | None = None,
         review_on: date | None = None, follow_up: FollowUp | None = None) -> InterventionMeeting:
    """Record that the meeting took place and what was decided. Refused before it starts, and on
    a meeting already HELD, NO_SHOW or CANCELLED (409); MEDICAL_PLAN needs a review date after
    today, SUPPORT_PLAN a follow-up (422)."""
    status = next_status(meeting.status, MeetingCommand.HOLD)
    _started(meeting, now, "a meeting as held")
    if outcome is None:
        raise ValidationFailed("outcome is required to record a held meeting", field="outcome")
    if outcome is MeetingOutcome.MEDICAL_PLAN and (review_on is None or review_on <= today):
        raise ValidationFailed("a medical plan needs a review date after today", field="reviewOn")
    if outcome is MeetingOutcome.SUPPORT_PLAN:
        if follow_up is None or not follow_up.assignee.strip():
            raise ValidationFailed("a support plan needs a follow-up assignee", field="followUp.assignee")
        if follow_up.due_on < today:
            raise ValidationFailed("the follow-up cannot be due in the past", field="followUp.dueOn")
    return replace(meeting, status=status, outcome=outcome, outcome_notes=outcome_notes,
                   attendees=attendees or meeting.attendees, notes=meeting.notes if notes is None else notes,
                   review_on=review_on if outcome is MeetingOutcome.MEDICAL_PLAN else None,
                   follow_up=follow_up if outcome is MeetingOutcome.SUPPORT_PLAN else None,
                   held_on=today, updated_by=actor, updated_at=now)


def no_show(meeting: InterventionMeeting, *, actor: str, now: datetime, today: date,
            notes: str | None = None) -> InterventionMeeting:
    """Nobody from the family came: not before the start, and only on a SCHEDULED meeting."""
    status = next_status(meeting.status, MeetingCommand.NO_SHOW)
    _started(meeting, now, "a no-show")
    return replace(meeting, status=status, notes=meeting.notes if notes is None else notes, held_on=today,
                   updated_by=actor, updated_at=now)


def proposes_another(meeting: InterventionMeeting) -> bool:
    """RESCHEDULE and NO_SHOW ask staff to book another meeting."""
    return meeting.status is MeetingStatus.NO_SHOW or meeting.outcome is MeetingOutcome.RESCHEDULE
