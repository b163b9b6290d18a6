"""Meetings with families: list, schedule, change (details, cancel, HELD with an outcome,
NO_SHOW), each audited, each carried through to the student's intervention.

Write order, so a retry converges (there is no transaction across the `meetings` and
`interventions` tables): (1) the instance change (idempotent: services/meetings/effects.py skips
an instance that already carries this meeting's event; approval of a booked meeting's stage is a
no-op once approved), (2) the SUPPORT_PLAN follow-up task (its id is fixed per meeting, so a
second create finds it), (3) the meeting itself, ETag-conditional, together with the meeting a
RESCHEDULE or NO_SHOW proposes (same partition, one transaction). The meeting's status flip is
the commit point: until it is written, the request can be retried as a whole.

`invite` is the seam for the invitation letter: called once a meeting is booked (scheduled, or
moved), after the meeting is saved. bootstrap wires it to the letter pipeline (a `letter-jobs`
message keyed on the meeting id and its `sequence`: services/meetings/invitations.py); None sends nothing.
`cancelled` is the seam for the cancellation notice: called once a SCHEDULED meeting is saved
CANCELLED (bootstrap: a `meeting-notices` message, services/meetings/cancellation.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.meetings.model import (
    Attendees,
    FollowUp,
    InterventionMeeting,
    MeetingOutcome,
    MeetingStatus,
    task_id,
)
from domain.meetings.transitions import cancel, hold, no_show, propose, proposes_another, schedule, update
from domain.platform.access import Principal
from domain.platform.errors import AlreadyExists, ConcurrencyError, ValidationFailed
from services.casework.service import Casework
from services.meetings.effects import MeetingEffects
from services.meetings.ports import MeetingFilter, MeetingStore
from services.platform.audit import AuditLog
from services.platform.ports import Clock
from services.roster.ports import RosterReader

Invite = Callable[[InterventionMeeting], object]


@dataclass(frozen=True)
class MeetingChange:
    """A PUT: `status` None or the current status changes details; CANCELLED, HELD or NO_SHOW
    moves the meeting; SCHEDULED on a PROPOSED meeting books it."""

    status: MeetingStatus | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: str | None = None
    notes: str | None = None
    attendees: Attendees | None = None
    outcome: MeetingOutcome | None = None
    outcome_notes: str = ""
    review_on: date | None = None
    follow_up: FollowUp | None = None


def public(m: InterventionMeeting) -> dict[str, Any]:
    """What the audit log keeps: ids, status, times and the outcome; no notes about the family."""
    return {"studentId": m.student_id, "instanceId": m.instance_id, "status": m.status.value,
            "startsAt": m.starts_at.isoformat() if m.starts_at else None,
            "outcome": m.outcome.value if m.outcome else None,
            "reviewOn": m.review_on.isoformat() if m.review_on else None, "sequence": m.sequence}


class Meetings:
    def __init__(self, store: MeetingStore, effects: MeetingEffects, casework: Casework, roster: RosterReader,
                 audit: AuditLog, clock: Clock, invite: Invite | None = None, cancelled: Invite | None = None,
                 new_id: Callable[[], str] = lambda: "mtg-" + uuid.uuid4().hex[:16]) -> None:
        self._store, self._effects, self._casework, self._roster = store, effects, casework, roster
        self._audit, self._clock, self._invite, self._new_id = audit, clock, invite, new_id
        self._cancelled = cancelled

    def _today(self, tenant_id: str, school_id: str, now: datetime) -> date:
        return self._roster.school(tenant_id, school_id).local_date(now)

    def list(self, tenant_id: str, school_id: str, where: MeetingFilter, *, limit: int = 100,
             continuation: str | None = None) -> tuple[list[InterventionMeeting], str | None]:
        return self._store.page(tenant_id, school_id, where, limit=limit, continuation=continuation)

    def get(self, tenant_id: str, school_id: str, meeting_id: str) -> InterventionMeeting:
        return self._store.meeting(tenant_id, school_id, meeting_id)

    def schedule(self, actor: Principal, tenant_id: str, school_id: str, *, student_id: str,
                 starts_at: datetime, ends_at: datetime, instance_id: str | None = None, location: str = "",
                 notes: str = "", attendees: Attendees | None = None) -> InterventionMeeting:
        self._casework.ensure_student(tenant_id, school_id, student_id)
        now = self._clock.now()
        stage = None
        if instance_id is not None:
            instance = self._effects.instance_or_none(tenant_id, school_id, instance_id)
            if instance is None or instance.student_id != student_id:
                raise ValidationFailed("no such intervention for this student", field="instanceId")
            stage = instance.stage_order
        meeting = schedule(self._new_id(), tenant_id, school_id, student_id, starts_at=starts_at,
                           ends_at=ends_at, actor=actor.subject, now=now, location=location, notes=notes,
                           attendees=attendees or Attendees(), instance_id=instance_id, stage_order=stage)
        if instance_id is not None:
            self._effects.booked(meeting, on=self._today(tenant_id, school_id, now), actor=actor.subject,
                                 now=now)
        saved = self._store.create(meeting)
        self._audited(actor, "meetings.scheduled", None, saved)
        self.invitation(saved)
        return saved

    def change(self, actor: Principal, tenant_id: str, school_id: str, meeting_id: str, etag: str,
               change: MeetingChange) -> InterventionMeeting:
        """ConcurrencyError (412) when `etag` is not the meeting's current ETag."""
        before = self._store.meeting(tenant_id, school_id, meeting_id)
        if before.etag != etag:
            raise ConcurrencyError("the meeting changed since you read it; reload it and try again")
        now, who = self._clock.now(), actor.subject
        today = self._today(tenant_id, school_id, now)
        after = self._moved(before, change, who, now, today)
        if after.status in (MeetingStatus.HELD, MeetingStatus.NO_SHOW):
            self._effects.recorded(after, on=today, actor=who, now=now)
        elif after.status is MeetingStatus.SCHEDULED and before.status is MeetingStatus.PROPOSED:
            self._effects.booked(after, on=today, actor=who, now=now)
        if after.follow_up is not None:
            self._follow_up(actor, after)
        proposed = propose(after, actor=who, now=now) if proposes_another(after) else None
        saved = self._store.save(after, proposed)
        same = saved.status is before.status
        self._audited(actor, "meetings.updated" if same else f"meetings.{saved.status.value.lower()}", before,
                      saved)
        if saved.status is MeetingStatus.SCHEDULED and saved.sequence != before.sequence or (
                before.status is MeetingStatus.PROPOSED and saved.status is MeetingStatus.SCHEDULED):
            self.invitation(saved)
        if (before.status is MeetingStatus.SCHEDULED and saved.status is MeetingStatus.CANCELLED
                and self._cancelled is not None):
            self._cancelled(saved)
        return saved

    def _moved(self, m: InterventionMeeting, c: MeetingChange, who: str, now: datetime,
               today: date) -> InterventionMeeting:
        if c.status is MeetingStatus.CANCELLED:
            return cancel(m, actor=who, now=now, notes=c.notes)
        if c.status is MeetingStatus.HELD:
            return hold(m, outcome=c.outcome, actor=who, now=now, today=today, outcome_notes=c.outcome_notes,
                        attendees=c.attendees, notes=c.notes, review_on=c.review_on, follow_up=c.follow_up)
        if c.status is MeetingStatus.NO_SHOW:
            return no_show(m, actor=who, now=now, today=today, notes=c.notes)
        if c.status not in (None, m.status, MeetingStatus.SCHEDULED):
            raise ValidationFailed(f"a meeting cannot be set to {c.status.value}", field="status")
        after = update(m, actor=who, now=now, starts_at=c.starts_at, ends_at=c.ends_at, location=c.location,
                       notes=c.notes, attendees=c.attendees)
        if c.status is MeetingStatus.SCHEDULED and after.status is not MeetingStatus.SCHEDULED:
            raise ValidationFailed("startsAt and endsAt are required to book a meeting", field="startsAt")
        return after

    def _follow_up(self, actor: Principal, m: InterventionMeeting) -> None:
        assert m.follow_up is not None
        case = m.student_id if self._effects.has_case(m) else None
        try:
            self._casework.create_task(actor, m.tenant_id, m.school_id, student_id=m.student_id,
                                       title="Follow up the support plan agreed at the meeting",
                                       assignee=m.follow_up.assignee, due_on=m.follow_up.due_on, case_id=case,
                                       task_id=task_id(m.id))
        except AlreadyExists:  # a retry: the task was created before the meeting was saved
            pass

    def invitation(self, meeting: InterventionMeeting) -> None:
        """The seam for the invitation letter (see the module docstring)."""
        if self._invite is not None:
            self._invite(meeting)

    def _audited(self, actor: Principal, action: str, before: InterventionMeeting | None,
                 after: InterventionMeeting) -> None:
        self._audit.record(actor=actor, tenant_id=after.tenant_id, school_id=after.school_id, action=action,
                           entity_type="meeting", entity_id=after.id,
                           before=public(before) if before else None, after=public(after))
