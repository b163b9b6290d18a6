"""Tell the family a meeting is off. Cancelling a SCHEDULED meeting tied to an intervention sends
a `meeting-notices` message (`cancellation_job`; bootstrap wires it to Meetings' `cancelled`
seam). Its handler e-mails each guardian whose invitation to the meeting (any sequence) was
e-mailed, once: a short note naming the child's first name and when, with `cancellation.ics`
(METHOD:CANCEL at the meeting's bumped SEQUENCE, so calendars drop the event). Posted-only
invitations get nothing here: staff tell those families themselves.

Send-once, as the letter delivery does it: before sending, a marker for (meeting, guardian) is
claimed (SENDING, inserted or ETag-updated: of two racing handlers one wins); after sending it is
SENT. A redelivered job finds SENT and sends nothing; a failed send gives the claim back and
re-raises (the host retries); a claim older than LEASE (its sender died) may be taken over.
Audited per e-mail (`meeting.cancellation-sent`); logs carry ids and counts only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from domain.letters.artifacts import Attachment
from domain.letters.meeting_when import meeting_when
from domain.meetings.ics import meeting_ics
from domain.meetings.model import InterventionMeeting, MeetingStatus
from domain.meetings.notices import InvitationRecord, NoticeMark, NoticeState, emailed_guardians
from domain.platform.errors import AlreadyExists, ConcurrencyError, NotFound
from domain.roster.schools import Guardian, School
from services.letters.ports import StudentDetails
from services.meetings.invitations import MeetingLookup
from services.platform.audit import AuditLog
from services.platform.context import current_correlation_id
from services.platform.ports import Clock

log = logging.getLogger(__name__)
MEETING_NOTICES_QUEUE = "meeting-notices"
CANCELLATION = "meeting-cancellation"
ICS_NAME, ICS_TYPE = "cancellation.ics", "text/calendar; method=CANCEL"
LEASE = timedelta(minutes=10)  # sending one e-mail takes seconds


class NoticeMailer(Protocol):
    def send_notice(self, to: str, subject: str, body: str, attachments: tuple[Attachment, ...] = ()) -> str:
        """Send one message with no PDF; returns its message id."""
        ...


class Invitations(Protocol):
    def of_meeting(self, tenant_id: str, school_id: str, meeting_id: str) -> list[InvitationRecord]: ...


class NoticeMarks(Protocol):
    def of_meeting(self, tenant_id: str, school_id: str, meeting_id: str) -> dict[str, NoticeMark]: ...

    def insert(self, mark: NoticeMark) -> NoticeMark:
        """Raises AlreadyExists."""
        ...

    def replace(self, mark: NoticeMark) -> NoticeMark:
        """ETag-conditional: raises ConcurrencyError."""
        ...


def cancellation_job(meeting: InterventionMeeting) -> dict[str, Any] | None:
    """The `meeting-notices` message for a cancelled meeting; None for a standalone one (it had
    no invitation letter)."""
    if meeting.instance_id is None:
        return None
    return {"kind": CANCELLATION, "tenantId": meeting.tenant_id, "schoolId": meeting.school_id,
            "meetingId": meeting.id, "correlationId": current_correlation_id()}


@dataclass(frozen=True)
class CancellationJob:
    tenant_id: str
    school_id: str
    meeting_id: str
    correlation_id: str | None = None

    @classmethod
    def parse(cls, body: dict[str, Any]) -> CancellationJob:
        try:
            if body["kind"] != CANCELLATION:
                raise ValueError(f"unknown kind {body['kind']!r}")
            return cls(str(body["tenantId"]), str(body["schoolId"]), str(body["meetingId"]),
                       body.get("correlationId"))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a meeting notice: {exc}") from exc


def cancellation_email(meeting: InterventionMeeting, school: School,
                       child: str) -> tuple[str, str, tuple[Attachment, ...]]:
    """Subject, body and the METHOD:CANCEL .ics of the note to a guardian."""
    ics = meeting_ics(meeting, summary=f"Meeting at {school.name}",
                      description=f"A meeting at {school.name} about your child's attendance.")
    when = meeting_when(meeting, school.zone)
    return (f"Meeting cancelled: {school.name}",
            f"The meeting about {child} on {when} is cancelled.\n\n{school.name}\n",
            (Attachment(ICS_NAME, ics, ICS_TYPE),))


class MeetingCancellations:
    def __init__(self, meetings: MeetingLookup, invitations: Invitations, marks: NoticeMarks,
                 roster: StudentDetails, mailer: NoticeMailer, audit: AuditLog, clock: Clock) -> None:
        self._meetings, self._invitations, self._marks = meetings, invitations, marks
        self._roster, self._mailer, self._audit, self._clock = roster, mailer, audit, clock

    def handle(self, job: CancellationJob) -> int:
        """How many e-mails this run sent. Raises when a send fails (the host retries)."""
        try:
            meeting = self._meetings.meeting(job.tenant_id, job.school_id, job.meeting_id)
        except NotFound:
            log.info("cancellation notice skipped: meeting %s does not exist", job.meeting_id)
            return 0
        if meeting.status is not MeetingStatus.CANCELLED:
            log.info("cancellation notice skipped: meeting %s is %s", meeting.id, meeting.status.value)
            return 0
        guardian_ids = emailed_guardians(self._invitations.of_meeting(
            job.tenant_id, job.school_id, meeting.id), meeting.id)
        if not guardian_ids:
            return 0
        marks = self._marks.of_meeting(job.tenant_id, job.school_id, meeting.id)
        school = self._roster.school(job.tenant_id, job.school_id)
        detail = self._roster.student_detail(job.tenant_id, job.school_id, meeting.student_id)
        guardians = {g.guardian_id: g for _, g in detail.guardians}
        subject, body, files = cancellation_email(meeting, school, detail.student.forename)
        sent = 0
        for guardian_id in guardian_ids:
            guardian, mark = guardians.get(guardian_id), marks.get(guardian_id)
            if guardian is None or not guardian.email:
                log.info("meeting %s: guardian %s has no e-mail address now", meeting.id, guardian_id)
                continue
            if mark is not None and not mark.open_to(self._clock.now(), LEASE):
                continue  # sent already, or being sent by another handler
            claimed = self._claim(meeting, guardian_id, mark)
            if claimed is not None:
                self._send(meeting, claimed, guardian, subject, body, files)
                sent += 1
        log.info("meeting %s: %d cancellation e-mails sent", meeting.id, sent)
        return sent

    def _claim(self, meeting: InterventionMeeting, guardian_id: str,
               mark: NoticeMark | None) -> NoticeMark | None:
        """The claim, or None when another handler took it first."""
        now = self._clock.now()
        try:
            if mark is None:
                return self._marks.insert(NoticeMark(meeting.tenant_id, meeting.school_id, meeting.id,
                                                     guardian_id, NoticeState.SENDING, now))
            return self._marks.replace(mark.claimed(now))
        except (AlreadyExists, ConcurrencyError):
            return None

    def _send(self, meeting: InterventionMeeting, claimed: NoticeMark, guardian: Guardian, subject: str,
              body: str, files: tuple[Attachment, ...]) -> None:
        assert guardian.email is not None
        try:
            message_id = self._mailer.send_notice(guardian.email, subject, body, files)
        except Exception:
            try:
                self._marks.replace(claimed.released())
            except ConcurrencyError:
                pass  # taken over meanwhile: that handler owns it now
            raise
        self._marks.replace(claimed.sent(message_id))
        self._audit.record(actor=None, tenant_id=meeting.tenant_id, school_id=meeting.school_id,
                           action="meeting.cancellation-sent", entity_type="meeting", entity_id=meeting.id,
                           after={"guardianId": guardian.guardian_id, "messageId": message_id,
                                  "sequence": meeting.sequence})
