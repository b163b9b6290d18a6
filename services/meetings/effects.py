"""Carry a meeting through to the student's intervention: the instance's new events, the case,
the `intervention.escalated` outbox row, saved as ONE `StudentChange` through the intervention
store (ETag-guarded, like the queue's staff actions; services/interventions/effects.py).

Idempotent: an instance that already carries this meeting's MEETING_HELD or MEETING_NO_SHOW
event is left alone, so a retry after the instance was written but the meeting was not (the
meeting is written last: services/meetings/service.py) converges instead of recording twice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from domain.casework.cases import CaseStatus
from domain.ladder.events import EventKind, InterventionEvent
from domain.ladder.model import Ladder, StudentInterventionInstance
from domain.ladder.rule_facts import ladder_of
from domain.meetings.model import InterventionMeeting, MeetingOutcome
from domain.meetings.outcomes import after_meeting, approve_for_meeting
from domain.platform.errors import ConcurrencyError, NotFound
from services.interventions.effects import Collected, escalated_event
from services.interventions.ports import InterventionStore
from services.roster.ports import RosterReader
from services.rules.ports import RuleSetReader

_RECORDED = (EventKind.MEETING_HELD, EventKind.MEETING_NO_SHOW)


class MeetingEffects:
    def __init__(self, store: InterventionStore, rules: RuleSetReader, roster: RosterReader) -> None:
        self._store, self._rules, self._roster = store, rules, roster

    def instance(self, meeting: InterventionMeeting) -> StudentInterventionInstance | None:
        if meeting.instance_id is None:
            return None
        return self._store.instance(meeting.tenant_id, meeting.school_id, meeting.instance_id)

    def instance_or_none(self, tenant_id: str, school_id: str,
                         instance_id: str) -> StudentInterventionInstance | None:
        try:
            return self._store.instance(tenant_id, school_id, instance_id)
        except NotFound:
            return None

    def has_case(self, meeting: InterventionMeeting) -> bool:
        return self._store.case(meeting.tenant_id, meeting.school_id, meeting.student_id) is not None

    def booked(self, meeting: InterventionMeeting, *, on: date, actor: str, now: datetime) -> int:
        """Staff booked `meeting`: approve its MEETING stage's action. Returns the events written."""
        instance = self.instance(meeting)
        if instance is None:
            return 0
        after, events = approve_for_meeting(instance, meeting, on=on, actor=actor, at=now)
        return self._save(instance, after, events, meeting, on=on, now=now)

    def recorded(self, meeting: InterventionMeeting, *, on: date, actor: str, now: datetime) -> int:
        """`meeting` was recorded HELD or NO_SHOW: the outcome's effect on the instance and case."""
        instance = self.instance(meeting)
        if instance is None or self._already(instance, meeting):
            return 0
        ladder = self._ladder(instance)
        calendar = self._roster.calendar_for(meeting.tenant_id, meeting.school_id, on)
        after, events = after_meeting(instance, meeting, ladder, on=on, calendar=calendar, actor=actor,
                                      at=now)
        return self._save(instance, after, events, meeting, on=on, now=now, ladder=ladder)

    def _ladder(self, i: StudentInterventionInstance) -> Ladder:
        """The ladder of the rule set version the instance runs under (one read)."""
        return ladder_of(self._rules.version(i.tenant_id, i.rule_set_id, i.rule_set_version))

    def _already(self, instance: StudentInterventionInstance, meeting: InterventionMeeting) -> bool:
        events = self._store.events(meeting.tenant_id, meeting.school_id, instance.id)
        return any(e.kind in _RECORDED and e.data.get("meetingId") == meeting.id for e in events)

    def _save(self, before: StudentInterventionInstance, after: StudentInterventionInstance,
              events: tuple[InterventionEvent, ...], meeting: InterventionMeeting, *, on: date,
              now: datetime, ladder: Ladder | None = None) -> int:
        """`ladder`: the instance's, when the caller has read it already."""
        if not events:
            return 0
        t, s = meeting.tenant_id, meeting.school_id
        found = Collected(before.student_id, self._store.case(t, s, before.student_id))
        ladder = ladder if ladder is not None else self._ladder(after)
        found.add(after, events, ladder.stage(after.stage_order).template_key, on=on, now=now)
        if found.case is not None and meeting.outcome is MeetingOutcome.RESOLVED:
            found.case = replace(found.case, status=CaseStatus.RESOLVED, updated_on=on)
            found.case_changed = True
        if (found.case is not None and meeting.outcome is MeetingOutcome.ESCALATE and not found.outbound
                and any(e.kind is EventKind.ESCALATED for e in events)):
            # no ESCALATION stage to hand on through: the meeting's decision is the hand-over
            found.case, found.case_changed = replace(found.case, tier=3, updated_on=on), True
            found.outbound.append(escalated_event(after, found.case, events, now))
        change = found.change()
        if change is not None and self._store.save(t, s, [change]):
            raise ConcurrencyError("the intervention changed while the meeting was saved; try again")
        return len(events)
