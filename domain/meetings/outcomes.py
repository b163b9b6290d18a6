"""What a meeting's result does to the student's intervention instance, as ladder events.

1. Staff scheduling a meeting for an instance on its MEETING stage approves the stage's action
   (queued first when it was DUE, SNOOZED or SKIPPED): `approve_for_meeting`. The invitation
   letter's delivery will later mark it done; until then, recording the meeting HELD or NO_SHOW
   marks it done (MEETING_SCHEDULED) if it is not done yet, so the ladder never stalls on it.
2. MEETING_HELD (data: meetingId, outcome) or MEETING_NO_SHOW (data: meetingId).
3. The outcome: RESOLVED stops the instance; MEDICAL_PLAN pauses it until the review date;
   ESCALATE moves it to the next stage now (`escalate_to_next`, its wait and entry waived), or
   closes it ESCALATED when there is no next stage or the ladder refuses the step; at an
   ESCALATION stage the hand-over is done at once (the meeting decided it), which raises the case
   to tier 3 and stages `intervention.escalated`. SUPPORT_PLAN, RESCHEDULE, NO_ACTION and a
   no-show leave the ladder running (repeated no-shows escalate through the nightly's
   `repeatedNoShows` condition).

A closed instance takes none of this: the meeting is recorded, the instance is left alone.
"""

from __future__ import annotations

from datetime import date, datetime

from domain.attendance.calendar import SchoolCalendar
from domain.ladder.events import EventKind, InterventionEvent
from domain.ladder.model import ActionState, InvalidTransition, Ladder, StudentInterventionInstance
from domain.ladder.pause import pause
from domain.ladder.table import Applied, Command, apply
from domain.ladder.transitions import approve, escalate, escalate_to_next, mark_done, queue_action, stop
from domain.meetings.model import InterventionMeeting, MeetingOutcome, MeetingStatus
from domain.rules.ruleset import StageType


def _at_meeting_stage(instance: StudentInterventionInstance, meeting: InterventionMeeting) -> bool:
    return (instance.stage_type is StageType.MEETING and instance.stage_order == meeting.stage_order
            and not instance.status.closed)


def approve_for_meeting(instance: StudentInterventionInstance, meeting: InterventionMeeting, *, on: date,
                        actor: str, at: datetime) -> Applied:
    """The MEETING stage's action once staff booked the meeting: APPROVED (nothing when it is
    already approved or done, or the instance is elsewhere)."""
    events: list[InterventionEvent] = []
    if not _at_meeting_stage(instance, meeting):
        return Applied(instance, ())
    if instance.action in (ActionState.DUE, ActionState.SNOOZED, ActionState.SKIPPED):
        instance, new = queue_action(instance, on=on, actor=actor)
        events += new
    if instance.action is ActionState.QUEUED:
        instance, new = approve(instance, on=on, actor=actor, at=at)
        events += new
    return Applied(instance, tuple(events))


def _done(instance: StudentInterventionInstance, meeting: InterventionMeeting, *, on: date, actor: str,
          at: datetime) -> Applied:
    approved, events = approve_for_meeting(instance, meeting, on=on, actor=actor, at=at)
    if _at_meeting_stage(approved, meeting) and approved.action is ActionState.APPROVED:
        approved, done = mark_done(approved, on=on, actor=actor, at=at, data={"meetingId": meeting.id})
        events = (*events, *done)
    return Applied(approved, events)


def after_meeting(instance: StudentInterventionInstance, meeting: InterventionMeeting, ladder: Ladder, *,
                  on: date, calendar: SchoolCalendar, actor: str, at: datetime) -> Applied:
    """The instance and its new events after `meeting` was recorded HELD (with its outcome) or
    NO_SHOW. `ladder` is the version the instance runs under."""
    if instance.status.closed:
        return Applied(instance, ())
    instance, events = _done(instance, meeting, on=on, actor=actor, at=at)
    if meeting.status is MeetingStatus.NO_SHOW:
        kind, data = EventKind.MEETING_NO_SHOW, {"meetingId": meeting.id}
    elif meeting.status is MeetingStatus.HELD and meeting.outcome is not None:
        kind, data = EventKind.MEETING_HELD, {"meetingId": meeting.id, "outcome": meeting.outcome.value}
    else:
        raise InvalidTransition("only a held or missed meeting changes the intervention", field="status")
    instance, recorded = apply(instance, Command.RECORD_MEETING, on=on, actor=actor, at=at, events=(kind,),
                               data=data, reason=meeting.outcome.value if meeting.outcome else "no show")
    events = (*events, *recorded)
    moved = _outcome(instance, meeting, ladder, on=on, calendar=calendar, actor=actor, at=at)
    return Applied(moved.instance, (*events, *moved.events))


def _outcome(instance: StudentInterventionInstance, meeting: InterventionMeeting, ladder: Ladder, *,
             on: date, calendar: SchoolCalendar, actor: str, at: datetime) -> Applied:
    outcome = meeting.outcome if meeting.status is MeetingStatus.HELD else None
    if outcome is MeetingOutcome.RESOLVED:
        return stop(instance, on=on, reason="the meeting resolved the case", actor=actor, at=at)
    if outcome is MeetingOutcome.MEDICAL_PLAN and meeting.review_on is not None:
        return pause(instance, on=on, until=meeting.review_on, reason="medical plan agreed at a meeting",
                     actor=actor, at=at, data={"meetingId": meeting.id})
    if outcome is MeetingOutcome.ESCALATE:
        return _escalate(instance, ladder, on=on, calendar=calendar, actor=actor, at=at)
    return Applied(instance, ())


def _escalate(instance: StudentInterventionInstance, ladder: Ladder, *, on: date, calendar: SchoolCalendar,
              actor: str, at: datetime) -> Applied:
    reason = "the meeting decided to escalate"
    if ladder.next_after(instance.stage_order) is None:
        return escalate(instance, on=on, reason=reason, actor=actor, at=at)
    try:
        moved, events = escalate_to_next(instance, ladder, on=on, reason=reason, calendar=calendar,
                                         actor=actor, at=at)
    except InvalidTransition:  # e.g. a meeting beside a letter stage whose letter is not sent yet
        return escalate(instance, on=on, reason=reason, actor=actor, at=at)
    if moved.stage_type is StageType.ESCALATION:  # the meeting decided the hand-over: do it now
        moved, queued = queue_action(moved, on=on, actor=actor)
        moved, approved = approve(moved, on=on, actor=actor, at=at)
        moved, done = mark_done(moved, on=on, actor=actor, at=at)
        events = (*events, *queued, *approved, *done)
    return Applied(moved, events)
