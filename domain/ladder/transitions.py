"""Ladder commands as pure functions: instance in, `Applied(new instance, events)` out.

The state checks come from the table in `domain/ladder/table.py` (anything it lacks is an
`InvalidTransition`, HTTP 409); the date- and fact-dependent rules (waits, cool-off, entry
conditions, an intervention between letters) from `domain/ladder/guards.py`. Staff commands
take the acting user; `actor=None` means the system (the nightly run).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from domain.attendance.calendar import SchoolCalendar
from domain.ladder.events import EventKind, chained
from domain.ladder.guards import advance_blocker, check_version, start_blocker
from domain.ladder.model import (
    ActionState,
    ConditionResult,
    InstanceStatus,
    InvalidTransition,
    Ladder,
    StudentInterventionInstance,
    StudentRef,
    words,
)
from domain.ladder.table import DONE_EVENT, TRANSITIONS, Applied, Command, apply
from domain.platform.errors import ValidationFailed
from domain.platform.events import event_id
from domain.rules.baseline import StageBaseline
from domain.rules.ruleset import Track


def _required(value: str | None, field: str) -> str:
    if not value or not value.strip():
        raise ValidationFailed(f"{field} is required", field=field)
    return value


def start(ladder: Ladder, student: StudentRef, latest: StudentInterventionInstance | None,
          entry: ConditionResult, *, on: date, calendar: SchoolCalendar,
          stop_condition: ConditionResult | None = None, actor: str | None = None,
          baseline: StageBaseline | None = None, order: int = 1) -> Applied:
    """Start the student on stage `order` (its action DUE): 1, or for a statutory track the
    alternative whose entry holds; `entry` and `stop_condition` are that stage's conditions
    today, `baseline` the student's counters today (kept for the stage's conditions).
    The id is derived from the student, rule set, day and previous instance,
    so a replayed night builds the same instance."""
    if order != 1 and ladder.track is not Track.STATUTORY:
        raise InvalidTransition("a ladder starts at stage 1: no stage is skipped", field="stage")
    blocker = start_blocker(ladder, latest, entry, on=on, calendar=calendar, stop_condition=stop_condition,
                            order=order)
    if blocker:
        raise InvalidTransition(f"cannot start {student.student_id} on {ladder.rule_set_id}: {blocker}")
    first = ladder.stage(order)
    move = TRANSITIONS[(None, None, Command.START)]  # the table's row for "no instance yet"
    instance_id = event_id("intervention.instance", student.tenant_id, student.school_id, student.student_id,
                           ladder.rule_set_id, on.isoformat(), latest.id if latest else "")
    blank = StudentInterventionInstance(
        instance_id, student.tenant_id, student.school_id, student.student_id, ladder.rule_set_id,
        ladder.version, move.status, first.order, first.type, move.action or ActionState.DUE, on, on,
        words(entry.evidence), stage_baseline=baseline, track=ladder.track)
    event = chained(blank, EventKind.STAGE_ENTERED, on=on, actor=actor, evidence=blank.stage_evidence)
    return Applied(replace(blank, event_count=1, last_hash=event.hash), (event,))


def advance_due(instance: StudentInterventionInstance, ladder: Ladder, entry: ConditionResult, *,
                on: date, calendar: SchoolCalendar, stop_condition: ConditionResult | None = None,
                baseline: StageBaseline | None = None) -> Applied:
    """Enter stage N+1 (`entry`, `stop_condition`: its conditions today; `baseline`: the counters
    today); the rules are in `advance_blocker`."""
    blocker = advance_blocker(instance, ladder, entry, on=on, calendar=calendar,
                              stop_condition=stop_condition)
    if blocker:
        raise InvalidTransition(f"cannot advance instance {instance.id}: {blocker}", field="stage")
    return _enter_next(instance, ladder, Command.ADVANCE, on=on, actor=None, evidence=words(entry.evidence),
                       baseline=baseline)


def escalate_to_next(instance: StudentInterventionInstance, ladder: Ladder, *, on: date, reason: str,
                     calendar: SchoolCalendar, evidence: tuple[str, ...] = (), actor: str | None = None,
                     at: datetime | None = None, baseline: StageBaseline | None = None,
                     stop_condition: ConditionResult | None = None) -> Applied:
    """An escalation condition (or staff) moves the student to stage N+1 at once: its wait and
    entry condition are waived, but stage N's action must be done (no stage is skipped) and any
    required intervention between two letters still stands. Records ESCALATED, then STAGE_ENTERED.
    `baseline`: the counters today, when the caller has the row (None: read later from the row).
    `stop_condition`: stage N+1's stop condition today, when the caller has it (the nightly)."""
    blocker = advance_blocker(instance, ladder, None, on=on, calendar=calendar, escalating=True,
                              stop_condition=stop_condition)
    if blocker:
        raise InvalidTransition(f"cannot escalate instance {instance.id} to the next stage: {blocker}",
                                field="stage")
    return _enter_next(instance, ladder, Command.ESCALATE_TO_NEXT, on=on, actor=actor, at=at,
                       reason=_required(reason, "reason"), evidence=evidence, baseline=baseline,
                       data={"via": "staff" if actor else "condition",
                             "toStage": str(instance.stage_order + 1)})


def _enter_next(instance: StudentInterventionInstance, ladder: Ladder, command: Command, *, on: date,
                evidence: tuple[str, ...], baseline: StageBaseline | None, **event: Any) -> Applied:
    following = ladder.stage(instance.stage_order + 1)
    # the previous stage's baseline must not carry over: without a new one, the row is read
    return apply(instance, command, on=on, evidence=evidence, next_stage=following.order, **event,
                 stage_order=following.order, stage_type=following.type, stage_entered_on=on,
                 stage_baseline=baseline,
                 stage_evidence=evidence, action_done_on=None, snoozed_until=None,
                 intervention_since_done=False)


def queue_action(instance: StudentInterventionInstance, *, on: date, actor: str | None = None) -> Applied:
    """Put the stage's action in the queue: when it is first due, when a snooze ends, or when
    staff re-queue a skipped action."""
    return apply(instance, Command.QUEUE, on=on, actor=actor, snoozed_until=None)


def approve(instance: StudentInterventionInstance, *, on: date, actor: str | None = None,
            at: datetime | None = None) -> Applied:
    """Staff approve the queued action (actor None: the nightly, for stages needing no approval).
    A second approval finds the action APPROVED and is refused as a conflict."""
    return apply(instance, Command.APPROVE, on=on, actor=actor, at=at, approved_on=on, approved_at=at)


def skip(instance: StudentInterventionInstance, *, on: date, actor: str, reason: str | None = None,
         at: datetime | None = None) -> Applied:
    """Staff decline the action. The ladder stays on this stage (no stage is skipped) until the
    action is re-queued, or the instance stops or escalates."""
    return apply(instance, Command.SKIP, on=on, actor=_required(actor, "actor"), reason=reason, at=at)


def snooze(instance: StudentInterventionInstance, *, on: date, until: date, actor: str,
           reason: str | None = None, at: datetime | None = None) -> Applied:
    """Hide the action until `until`, when the nightly queues it again."""
    if until <= on:
        raise ValidationFailed("a snooze must end after today", field="until")
    return apply(instance, Command.SNOOZE, on=on, actor=_required(actor, "actor"), reason=reason, at=at,
                 data={"until": until.isoformat()}, snoozed_until=until)


def mark_done(instance: StudentInterventionInstance, *, on: date, actor: str | None = None,
              reason: str | None = None, data: dict[str, str] | None = None,
              at: datetime | None = None) -> Applied:
    """The approved action happened (letter sent, meeting scheduled); the stage's wait starts.
    Finishing an ESCALATION stage's action escalates the instance."""
    kind = DONE_EVENT[instance.stage_type]
    extra: dict[str, Any] = {}
    if kind is EventKind.ESCALATED:
        reason = reason or "escalation stage done"
        extra = {"status": InstanceStatus.ESCALATED, "closed_on": on, "closed_reason": reason}
        data = {**(data or {}), "via": "stage"}
    return apply(instance, Command.MARK_DONE, on=on, actor=actor, reason=reason, data=data, at=at,
                 events=(kind,), action_done_on=on, intervention_since_done=False, **extra)


def log_intervention(instance: StudentInterventionInstance, *, on: date, actor: str, reason: str,
                     data: dict[str, str] | None = None, at: datetime | None = None) -> Applied:
    """Record a call, visit or meeting. Only one logged after this stage's action was done stands
    "between" two letters."""
    counts = instance.action is ActionState.DONE or instance.intervention_since_done
    return apply(instance, Command.LOG_INTERVENTION, on=on, actor=_required(actor, "actor"),
                 reason=_required(reason, "reason"), data=data, at=at, intervention_since_done=counts)


def stop(instance: StudentInterventionInstance, *, on: date, reason: str, actor: str | None = None,
         evidence: tuple[str, ...] = (), at: datetime | None = None) -> Applied:
    """Close the instance as STOPPED (a stop condition, or staff), whatever its action's state."""
    return apply(instance, Command.STOP, on=on, actor=actor, reason=_required(reason, "reason"),
                 evidence=evidence, at=at)


def escalate(instance: StudentInterventionInstance, *, on: date, reason: str, actor: str | None = None,
             evidence: tuple[str, ...] = (), at: datetime | None = None) -> Applied:
    """Close the instance as ESCALATED, whatever its action's state: an escalation condition at
    the last stage (nothing left to move to), or staff handing the case on."""
    return apply(instance, Command.ESCALATE, on=on, actor=actor, reason=_required(reason, "reason"),
                 evidence=evidence, at=at, data={"via": "condition" if actor is None else "staff"})


def complete(instance: StudentInterventionInstance, ladder: Ladder, *, on: date, actor: str | None = None,
             at: datetime | None = None) -> Applied:
    """Close the run after the last stage's action is done."""
    check_version(instance, ladder)
    if ladder.next_after(instance.stage_order) is not None:
        raise InvalidTransition(f"stage {instance.stage_order} is not the last stage", field="stage")
    return apply(instance, Command.COMPLETE, on=on, actor=actor, at=at, reason="last stage done")
