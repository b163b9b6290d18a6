"""The meeting invitation through the letter pipeline (issue 6).

Booking (or moving) a meeting tied to an intervention sends a `letter-jobs` message for the
meeting's stage carrying `meetingId` and `meetingSequence` (`invitation_job`). A standalone meeting
(no intervention) sends nothing: no letter stage or template goes with it, and staff arrange it
with the family directly.

The renderer reads the meeting once: the job is valid while the instance is ACTIVE on that
MEETING stage with its action APPROVED (the booking) or DONE (an earlier invitation was already
delivered: a moved meeting is invited again) and the meeting is still SCHEDULED at the job's
sequence (`stale_invitation`). Delivery attaches `invitation.ics` (METHOD:REQUEST, built by
domain/meetings/ics.py from the meeting row) to e-mailed invitations; posted ones are the letter
only. An invitation whose meeting moved on or was cancelled before delivery is not sent (a newer
invitation, or none, replaces it).
"""

from __future__ import annotations

from typing import Any, Protocol

from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.ladder.queue import action_id
from domain.letters.artifacts import Attachment
from domain.meetings.ics import meeting_ics
from domain.meetings.model import InterventionMeeting, MeetingStatus
from domain.roster.schools import School
from domain.rules.ruleset import StageType
from services.platform.context import current_correlation_id

ICS_NAME = "invitation.ics"
ICS_TYPE = "text/calendar; method=REQUEST"


class MeetingLookup(Protocol):
    def meeting(self, tenant_id: str, school_id: str, meeting_id: str) -> InterventionMeeting:
        """Raises NotFound."""
        ...


def invitation_job(meeting: InterventionMeeting) -> dict[str, Any] | None:
    """The `letter-jobs` message for a booked meeting; None for a standalone meeting."""
    if meeting.instance_id is None or meeting.stage_order is None:
        return None
    return {"tenantId": meeting.tenant_id, "schoolId": meeting.school_id,
            "instanceId": meeting.instance_id, "stageOrder": meeting.stage_order,
            "actionId": action_id(meeting.instance_id, meeting.stage_order),
            "meetingId": meeting.id, "meetingSequence": meeting.sequence,
            "correlationId": current_correlation_id()}


def stale_invitation(instance: StudentInterventionInstance, meeting: InterventionMeeting, stage_order: int,
                     sequence: int | None) -> str | None:
    """Why an invitation job is no longer wanted (see the module docstring), or None."""
    if instance.status is not InstanceStatus.ACTIVE:
        return f"the instance is {instance.status.value}"
    if instance.stage_order != stage_order or instance.stage_type is not StageType.MEETING:
        return f"the instance is at stage {instance.stage_order}, not meeting stage {stage_order}"
    if instance.action not in (ActionState.APPROVED, ActionState.DONE):
        return f"the stage's action is {instance.action.value}, not APPROVED or DONE"
    if meeting.instance_id != instance.id:
        return f"meeting {meeting.id} belongs to another intervention"
    return superseded(meeting, meeting.sequence if sequence is None else sequence)


def superseded(meeting: InterventionMeeting, sequence: int | None) -> str | None:
    """Why an invitation to `meeting` at `sequence` must not go out now, or None."""
    if meeting.status is not MeetingStatus.SCHEDULED:
        return f"meeting {meeting.id} is {meeting.status.value}"
    if meeting.sequence != sequence:
        return f"meeting {meeting.id} was changed since (sequence {meeting.sequence}, not {sequence})"
    return None


def invitation_email(meeting: InterventionMeeting, school: School) -> tuple[str, str, tuple[Attachment, ...]]:
    """Subject, body and the .ics attachment of an e-mailed invitation."""
    ics = meeting_ics(meeting, summary=f"Meeting at {school.name}",
                      description=f"A meeting at {school.name} about your child's attendance.")
    return (f"Invitation to a meeting at {school.name}",
            f"Please find attached an invitation from {school.name} to a meeting about your child's "
            "attendance, with a calendar file for the meeting.\n",
            (Attachment(ICS_NAME, ics, ICS_TYPE),))
