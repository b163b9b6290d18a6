"""A meeting with the family (`InterventionMeeting`): what was arranged, who came, what was agreed.

A meeting is PROPOSED (a RESCHEDULE or NO_SHOW outcome asks staff to book another: no time
yet), SCHEDULED (booked), then HELD with an outcome, NO_SHOW (nobody came) or CANCELLED. What
may happen in which status is the table `MEETING_TRANSITIONS`; the commands that check the
dates and fields are in `domain/meetings/transitions.py`, what an outcome does to the student's
intervention in `domain/meetings/outcomes.py`. Pure: times come in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.ladder.model import InvalidTransition
from domain.platform.events import event_id


class MeetingStatus(StrEnum):
    PROPOSED = "PROPOSED"  # staff should book it: no time yet
    SCHEDULED = "SCHEDULED"
    HELD = "HELD"
    CANCELLED = "CANCELLED"
    NO_SHOW = "NO_SHOW"

    @property
    def closed(self) -> bool:
        return self in (MeetingStatus.HELD, MeetingStatus.CANCELLED, MeetingStatus.NO_SHOW)


class MeetingOutcome(StrEnum):
    RESOLVED = "RESOLVED"  # the intervention stops, the case is resolved
    MEDICAL_PLAN = "MEDICAL_PLAN"  # the intervention pauses until the review date
    SUPPORT_PLAN = "SUPPORT_PLAN"  # a follow-up task; the ladder continues
    ESCALATE = "ESCALATE"  # tier 3: the next stage now, handed on at an ESCALATION stage
    RESCHEDULE = "RESCHEDULE"  # another meeting is proposed
    NO_ACTION = "NO_ACTION"  # the ladder continues


class MeetingCommand(StrEnum):
    PROPOSE = "PROPOSE"
    SCHEDULE = "SCHEDULE"
    UPDATE = "UPDATE"
    CANCEL = "CANCEL"
    HOLD = "HOLD"
    NO_SHOW = "NO_SHOW"


_M, _C = MeetingStatus, MeetingCommand
# (status before (None: no meeting yet), command) -> status after; a missing key is refused (409).
MEETING_TRANSITIONS: dict[tuple[MeetingStatus | None, MeetingCommand], MeetingStatus] = {
    (None, _C.PROPOSE): _M.PROPOSED,
    (None, _C.SCHEDULE): _M.SCHEDULED,
    (_M.PROPOSED, _C.SCHEDULE): _M.SCHEDULED,  # staff book a proposed meeting
    (_M.PROPOSED, _C.UPDATE): _M.PROPOSED,
    (_M.SCHEDULED, _C.UPDATE): _M.SCHEDULED,
    (_M.PROPOSED, _C.CANCEL): _M.CANCELLED,
    (_M.SCHEDULED, _C.CANCEL): _M.CANCELLED,
    (_M.SCHEDULED, _C.HOLD): _M.HELD,
    (_M.SCHEDULED, _C.NO_SHOW): _M.NO_SHOW,
}


def next_status(status: MeetingStatus | None, command: MeetingCommand) -> MeetingStatus:
    after = MEETING_TRANSITIONS.get((status, command))
    if after is None:
        state = status.value if status else "not yet created"
        raise InvalidTransition(f"cannot {command.value.lower().replace('_', ' ')} a meeting that is {state}",
                                field="status")
    return after


@dataclass(frozen=True, slots=True)
class Attendees:
    """Who was there (or is invited, before the meeting): staff subject ids and guardian ids."""

    staff_ids: tuple[str, ...] = ()
    guardian_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A SUPPORT_PLAN's follow-up: who does it and by when (a WorkTask is created from it)."""

    assignee: str
    due_on: date


@dataclass(frozen=True, slots=True)
class InterventionMeeting:
    """`instance_id`/`stage_order` tie it to an intervention (None: a meeting beside the ladder).
    `sequence` is the calendar invitation's SEQUENCE: it goes up each time the time or place
    changes, so calendars replace the earlier invitation. `held_on` is the school's business day
    the outcome was recorded; `proposed_from` the meeting whose outcome proposed this one."""

    id: str
    tenant_id: str
    school_id: str
    student_id: str
    status: MeetingStatus
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    instance_id: str | None = None
    stage_order: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: str = ""
    attendees: Attendees = Attendees()
    notes: str = ""
    outcome: MeetingOutcome | None = None
    outcome_notes: str = ""
    review_on: date | None = None  # MEDICAL_PLAN: the intervention pauses until this day
    follow_up: FollowUp | None = None  # SUPPORT_PLAN
    held_on: date | None = None
    proposed_from: str | None = None
    sequence: int = 0
    etag: str | None = None


def proposed_id(meeting_id: str) -> str:
    """The id of the meeting a RESCHEDULE or NO_SHOW proposes: fixed per meeting, so recording
    the outcome twice proposes one meeting."""
    return "mtg-" + event_id("meeting.proposed", meeting_id)[:24].replace("-", "")


def task_id(meeting_id: str) -> str:
    """The SUPPORT_PLAN follow-up task's id: fixed per meeting, so a retry creates no second task."""
    return "task-" + event_id("meeting.follow-up", meeting_id)[:24].replace("-", "")
