"""Meetings wiring: meetings and their outcomes, invitations, and cancellation notices."""

from __future__ import annotations

from functools import cached_property

from adapters.tables.letters import TABLE as LETTER_ARTIFACTS_TABLE
from adapters.tables.meeting_notices import NOTICES_TABLE as MEETING_NOTICES_TABLE
from adapters.tables.meeting_notices import TableInvitations, TableNoticeMarks
from adapters.tables.meetings import TABLE as MEETINGS_TABLE
from adapters.tables.meetings import TableMeetingStore
from composition.casework import CaseworkWiring
from composition.interventions import InterventionsWiring
from composition.platform import Platform
from composition.roster import RosterWiring
from composition.rules import RulesWiring
from domain.meetings.model import InterventionMeeting
from services.interventions.effects import LETTER_JOBS_QUEUE
from services.meetings.cancellation import MEETING_NOTICES_QUEUE, MeetingCancellations, cancellation_job
from services.meetings.cancellation_resend import LostCancellations
from services.meetings.effects import MeetingEffects
from services.meetings.invitations import invitation_job
from services.meetings.service import Meetings

TABLES = [MEETINGS_TABLE, MEETING_NOTICES_TABLE]
QUEUES = [MEETING_NOTICES_QUEUE]


class MeetingsWiring:
    def __init__(self, platform: Platform, roster: RosterWiring, rules: RulesWiring,
                 interventions: InterventionsWiring, casework: CaseworkWiring) -> None:
        self._platform, self._roster, self._rules = platform, roster, rules
        self._interventions, self._casework = interventions, casework

    @cached_property
    def store(self) -> TableMeetingStore:
        return TableMeetingStore(self._platform.tables(MEETINGS_TABLE))

    @cached_property
    def service(self) -> Meetings:
        """`invite` sends a booked meeting's invitation letter job (services/meetings/invitations.py)."""
        p, roster = self._platform, self._roster.reader
        effects = MeetingEffects(self._interventions.store, self._rules.reader, roster)
        return Meetings(self.store, effects, self._casework.service, roster, p.audit, p.clock,
                        invite=self._send_invitation, cancelled=self._send_cancellation)

    def _send_invitation(self, meeting: InterventionMeeting) -> None:
        job = invitation_job(meeting)
        if job is not None:  # a standalone meeting has no invitation letter
            self._platform.queues.send(LETTER_JOBS_QUEUE, job)

    def _send_cancellation(self, meeting: InterventionMeeting) -> None:
        job = cancellation_job(meeting)
        if job is not None:  # a standalone meeting had no invitation to take back
            self._platform.queues.send(MEETING_NOTICES_QUEUE, job)

    @cached_property
    def invitations(self) -> TableInvitations:
        """Meeting invitations as the nightly and the cancellation notice read them."""
        return TableInvitations(self._platform.tables(LETTER_ARTIFACTS_TABLE))

    @cached_property
    def notice_marks(self) -> TableNoticeMarks:
        """Send-once markers of cancellation e-mails: the handler claims them, the nightly reads them."""
        return TableNoticeMarks(self._platform.tables(MEETING_NOTICES_TABLE))

    @cached_property
    def cancellations(self) -> MeetingCancellations:
        p = self._platform
        return MeetingCancellations(self.store, self.invitations, self.notice_marks, self._roster.store,
                                    p.mailer, p.audit, p.clock)

    @cached_property
    def lost_cancellations(self) -> LostCancellations:
        """The nightly's re-send of cancellation jobs lost between saving a cancellation and sending it."""
        return LostCancellations(self.notice_marks, self._platform.sender(MEETING_NOTICES_QUEUE))
