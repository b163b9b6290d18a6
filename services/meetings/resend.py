"""No lost invitation jobs. Booking or moving a meeting saves it, then sends its invitation's
`letter-jobs` message (services/meetings/invitations.py `invitation_job`); a process that dies in
between leaves a SCHEDULED meeting with no invitation on its way. The nightly sends the job again
for each meeting that still awaits one and whose current-sequence invitation looks lost
(domain/meetings/notices.py says exactly when).

Cost: the night already holds the school's instances and meetings; this adds at most one
filtered read of the school's invitation artifacts, and only when some meeting is a candidate
(booked, to come, its instance on that MEETING stage). A duplicate job is harmless: the renderer
finds the meeting's artifacts for that sequence and renders nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from domain.ladder.model import StudentInterventionInstance
from domain.meetings.model import InterventionMeeting
from domain.meetings.notices import InvitationRecord, awaits_invitation, invitation_lost
from services.interventions.effects import SendJob
from services.meetings.invitations import invitation_job

log = logging.getLogger(__name__)


class InvitationReader(Protocol):
    def school(self, tenant_id: str, school_id: str) -> list[InvitationRecord]:
        """Every meeting invitation of the school: one filtered partition read."""
        ...


def resend_lost_invitations(invitations: InvitationReader, send: SendJob,
                            instances: Iterable[StudentInterventionInstance],
                            meetings: Iterable[InterventionMeeting], *, now: datetime,
                            after: timedelta) -> int:
    """Re-send the invitation job of every meeting whose invitation looks lost; returns how many."""
    by_id = {i.id: i for i in instances}
    candidates = [m for m in meetings if m.instance_id is not None
                  and awaits_invitation(m, by_id.get(m.instance_id), now) and now - m.updated_at >= after]
    if not candidates:
        return 0
    school = candidates[0]
    records = invitations.school(school.tenant_id, school.school_id)
    sent = 0
    for meeting in candidates:
        if not invitation_lost(meeting, records, now=now, after=after):
            continue
        job = invitation_job(meeting)
        if job is not None:
            send(job)
            sent += 1
            log.info("invitation job re-sent: meeting %s sequence %d", meeting.id, meeting.sequence)
    return sent
