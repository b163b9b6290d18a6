"""No lost cancellation jobs. Cancelling a SCHEDULED meeting saves it CANCELLED, then sends its
`meeting-notices` job (services/meetings/cancellation.py `cancellation_job`); a process that dies
in between leaves families with an invitation in their calendar and no word that it is off. The
nightly sends the job again for each meeting cancelled recently (domain/meetings/notices.py
`awaits_cancellation`) that still has a guardian whose invitation was e-mailed and DELIVERED but
who has no SENT cancellation marker.

Cost: the night already holds the school's meetings; this adds at most one filtered read of
the school's invitation artifacts (shared with the lost-invitation resend through
`NightInvitations`) and one of its SENT markers, and only when some meeting is a candidate. A
duplicate job is harmless: the handler claims each guardian's marker and sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from domain.meetings.model import InterventionMeeting
from domain.meetings.notices import (
    InvitationRecord,
    awaits_cancellation,
    cancellation_lost,
    emailed_guardians,
)
from services.interventions.effects import SendJob
from services.meetings.cancellation import cancellation_job
from services.meetings.resend import InvitationReader

log = logging.getLogger(__name__)


class SentNotices(Protocol):
    def sent(self, tenant_id: str, school_id: str) -> set[tuple[str, str]]:
        """(meeting id, guardian id) of every SENT cancellation e-mail of the school: one
        filtered partition read."""
        ...


class NightInvitations:
    """One night's invitation reads: the school's invitations are read once however many
    resends ask (the lost-invitation and lost-cancellation ones both may)."""

    def __init__(self, reader: InvitationReader) -> None:
        self._reader = reader
        self._read: dict[tuple[str, str], list[InvitationRecord]] = {}

    def school(self, tenant_id: str, school_id: str) -> list[InvitationRecord]:
        if (tenant_id, school_id) not in self._read:
            self._read[tenant_id, school_id] = self._reader.school(tenant_id, school_id)
        return self._read[tenant_id, school_id]


class LostCancellations:
    """What the housekeeping needs to re-send cancellation jobs: the markers and the
    `meeting-notices` queue."""

    def __init__(self, marks: SentNotices, send: SendJob) -> None:
        self._marks, self._send = marks, send

    def resend(self, invitations: InvitationReader, meetings: Iterable[InterventionMeeting], *,
               now: datetime, after: timedelta) -> int:
        """Re-send the cancellation job of every meeting whose cancellation looks lost; returns
        how many."""
        candidates = [m for m in meetings if awaits_cancellation(m, now, after=after)]
        if not candidates:
            return 0
        school = candidates[0]
        records = invitations.school(school.tenant_id, school.school_id)
        # nobody e-mailed (posted only, or never delivered): nobody to tell, no marker read
        candidates = [m for m in candidates if emailed_guardians(records, m.id)]
        if not candidates:
            return 0
        sent_marks = self._marks.sent(school.tenant_id, school.school_id)
        resent = 0
        for meeting in candidates:
            if not cancellation_lost(meeting, records, sent_marks):
                continue
            job = cancellation_job(meeting)
            if job is not None:
                self._send(job)
                resent += 1
                log.info("cancellation job re-sent: meeting %s", meeting.id)
        return resent
