"""What the nightly and the cancellation notice need to know about a meeting's invitations, and
the send-once marker of a cancellation e-mail. Pure: times come in as arguments.

`InvitationRecord` is the slice of a meeting invitation's `LetterArtifact` these decisions read
(adapters/tables/meeting_notices.py projects just these columns). An invitation is *settled* when
nothing more will happen to it without staff: DELIVERED, FAILED (the renderer gave up, or it was
superseded) or its guardian flagged unreachable. RENDERED and SENDING ones are in flight (the
nightly's letter sweep redelivers them if stranded); a PENDING one is a render job that stopped.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.letters.artifacts import ArtifactStatus
from domain.meetings.model import InterventionMeeting, MeetingStatus
from domain.rules.ruleset import StageType

EMAILED = frozenset({"EMAIL", "EMAIL_AND_POST"})  # delivery channels that sent an e-mail


@dataclass(frozen=True, slots=True)
class InvitationRecord:
    artifact_id: str
    meeting_id: str
    meeting_sequence: int
    guardian_id: str
    status: ArtifactStatus
    generated_at: datetime
    channel: str | None = None
    unreachable: bool = False

    @property
    def settled(self) -> bool:
        return self.status in (ArtifactStatus.DELIVERED, ArtifactStatus.FAILED) or self.unreachable


def awaits_invitation(meeting: InterventionMeeting, instance: StudentInterventionInstance | None,
                      now: datetime) -> bool:
    """A booked meeting whose invitation job the renderer would still act on (the same test as
    services/meetings/invitations.py `stale_invitation`), still to come."""
    return (meeting.status is MeetingStatus.SCHEDULED and meeting.instance_id is not None
            and instance is not None and instance.id == meeting.instance_id
            and instance.status is InstanceStatus.ACTIVE and instance.stage_type is StageType.MEETING
            and instance.stage_order == meeting.stage_order
            and instance.action in (ActionState.APPROVED, ActionState.DONE)
            and meeting.starts_at is not None and meeting.starts_at > now)


def invitation_lost(meeting: InterventionMeeting, records: Iterable[InvitationRecord], *, now: datetime,
                    after: timedelta) -> bool:
    """True when the job for the meeting's current sequence must be sent again: it was booked
    more than `after` ago (`updated_at` is at or after the booking, so this errs on waiting) and
    its invitation has no artifact at all, or a PENDING one untouched for `after` and none
    DELIVERED. Settled or in-flight invitations are left alone, so a meeting whose invitations are
    done is never re-sent, however many nights it waits."""
    if now - meeting.updated_at < after:
        return False
    current = [r for r in records if r.meeting_id == meeting.id and r.meeting_sequence == meeting.sequence]
    if not current:
        return True
    if any(r.status is ArtifactStatus.DELIVERED for r in current):
        return False
    pending = [r for r in current if r.status is ArtifactStatus.PENDING]
    return bool(pending) and all(now - r.generated_at >= after for r in pending)


def emailed_guardians(records: Iterable[InvitationRecord], meeting_id: str) -> list[str]:
    """Each guardian once whose invitation to the meeting (any sequence) was e-mailed."""
    return sorted({r.guardian_id for r in records if r.meeting_id == meeting_id
                   and r.status is ArtifactStatus.DELIVERED and r.channel in EMAILED})


CANCELLATION_WINDOW = timedelta(days=7)  # how long the nightly keeps trying a cancellation


def awaits_cancellation(meeting: InterventionMeeting, now: datetime, *, after: timedelta,
                        window: timedelta = CANCELLATION_WINDOW) -> bool:
    """A meeting tied to an intervention (only those had an invitation letter), cancelled
    between `window` and `after` ago (`updated_at` is the cancellation: a CANCELLED meeting
    changes no more), still to come: a cancellation for a past meeting tells nobody anything."""
    return (meeting.status is MeetingStatus.CANCELLED and meeting.instance_id is not None
            and meeting.starts_at is not None and meeting.starts_at > now
            and after <= now - meeting.updated_at <= window)


def cancellation_lost(meeting: InterventionMeeting, records: Iterable[InvitationRecord],
                      sent: Collection[tuple[str, str]]) -> bool:
    """True when some guardian whose invitation was e-mailed has no SENT cancellation marker
    (`sent` holds (meeting id, guardian id) pairs). A SENDING claim counts as not sent: the
    handler leaves a live claim alone and takes over a dead one, so re-sending is safe."""
    return any((meeting.id, g) not in sent for g in emailed_guardians(records, meeting.id))


class NoticeState(StrEnum):
    SENDING = "SENDING"  # claimed by one handler, which is sending it now
    SENT = "SENT"


@dataclass(frozen=True, slots=True)
class NoticeMark:
    """The send-once marker of one guardian's cancellation e-mail for one meeting. A SENDING
    claim older than the lease (its sender died) may be taken over; `since` None is a claim
    given back after a failed send."""

    tenant_id: str
    school_id: str
    meeting_id: str
    guardian_id: str
    state: NoticeState
    since: datetime | None = None
    message_id: str | None = None
    etag: str | None = None

    def open_to(self, now: datetime, lease: timedelta) -> bool:
        """May another handler claim it now?"""
        return self.state is NoticeState.SENDING and (self.since is None or now - self.since >= lease)

    def claimed(self, now: datetime) -> NoticeMark:
        return replace(self, state=NoticeState.SENDING, since=now)

    def released(self) -> NoticeMark:
        return replace(self, since=None)

    def sent(self, message_id: str) -> NoticeMark:
        return replace(self, state=NoticeState.SENT, message_id=message_id)
