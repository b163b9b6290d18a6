"""What the nightly run does for one student under one rule set, and today's due action.

`run_night` takes the student's latest instance of the rule set and today's facts and applies,
in this order, whatever the system may do on its own:

1. no active instance: start one if stage 1's entry condition holds, its stop condition does
   not, and any cool-off has run (a statutory track: the first stage whose entry holds);
2. an active one: stop it if the current stage's stop condition holds; else, if its escalation
   condition holds, move it to the next stage at once (the wait and the next stage's entry
   condition waived, but only once this stage's action is done), or close it as ESCALATED at the
   last stage. Stopping wins: taking less action is never the wrong step. An escalation does
   not enter a stage whose stop condition already holds (it waits, like an advance);
3. enter the next stage when `advance_blocker` allows it (its entry condition holding and its
   stop condition not), or complete after the last stage's wait;
4. queue the stage's action when it is due or its snooze has ended, and approve it at once when
   the stage needs no staff approval.

It is a fixpoint: run again on the same night over the result and the same facts, it finds
nothing to do and returns no events; replayed from the same starting instance, it returns the
same events with the same ids and hashes. So whatever stage tonight enters is judged by that
stage's own conditions in the same pass: not entered if its stop condition holds, and closed as
ESCALATED at once if it is the last stage and its escalation condition holds (what a second run
would do a moment later, after staff had seen the action in their queue). Only school days move
the ladder.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from domain.attendance.calendar import SchoolCalendar
from domain.casework.cases import QueueItem, due_item
from domain.ladder.events import InterventionEvent
from domain.ladder.guards import advance_blocker, check_version, conditions_blocker, start_blocker, wait_left
from domain.ladder.model import (
    ActionState,
    ConditionResult,
    InstanceStatus,
    Ladder,
    StageFacts,
    StudentInterventionInstance,
    StudentRef,
    words,
)
from domain.ladder.pause import is_paused, resume
from domain.ladder.table import Applied
from domain.ladder.transitions import (
    advance_due,
    approve,
    complete,
    escalate,
    escalate_to_next,
    queue_action,
    start,
    stop,
)
from domain.rules.baseline import StageBaseline
from domain.rules.ruleset import Track


class Night(NamedTuple):
    instance: StudentInterventionInstance | None
    events: tuple[InterventionEvent, ...]
    due: QueueItem | None
    waiting: str | None  # why the ladder did not move further tonight, in words


def run_night(ladder: Ladder, student: StudentRef, latest: StudentInterventionInstance | None,
              facts: StageFacts, *, on: date, calendar: SchoolCalendar,
              baseline: StageBaseline | None = None) -> Night:
    """One night for one student. `ladder` must be the version `latest` runs under when it is
    active, otherwise the rule set's current version; `facts` are today's, built for `latest`.
    `baseline`: the student's counters today (`StageBaseline.of(today's row)`), kept on the
    instance by whatever stage tonight enters so later nights need not read today's row."""
    if latest is not None and latest.status is InstanceStatus.ACTIVE:
        check_version(latest, ladder)
    if not calendar.is_school_day(on):
        return Night(latest, (), due_item(latest, ladder), f"{on} is not a school day")
    events: list[InterventionEvent] = []
    waiting: str | None = None
    if latest is None or latest.status.closed:
        blocker = start_blocker(ladder, latest, None, on=on, calendar=calendar)
        first = _first_due(ladder, facts) if blocker is None else 1
        entry, stop_condition, why = _stage_conditions(first, facts, blocker)
        if why is not None or entry is None:
            return Night(latest, (), None, why)
        instance, new = start(ladder, student, latest, entry, on=on, calendar=calendar,
                              stop_condition=stop_condition, baseline=baseline, order=first)
        events += new
        if (closed := _escalated_on_entry(instance, ladder, facts, on=on)) is not None:
            return Night(closed.instance, (*events, *closed.events), None, None)
    else:
        instance = latest
        if instance.paused_until is not None and not is_paused(instance, on):
            instance, resumed = resume(instance, on=on)  # the medical plan's review date has passed
            events += resumed
        if is_paused(instance, on):
            return _paused_night(instance, ladder, facts, on=on)
        moved, waiting = _stop_or_escalate(instance, ladder, facts, on=on, calendar=calendar,
                                           baseline=baseline)
        if moved is not None and moved.instance.status.closed:
            return Night(moved.instance, (*events, *moved.events), None, None)
        if moved is not None:
            instance, events = moved.instance, [*events, *moved.events]
        elif waiting is None:
            instance, waiting = _move_on(instance, ladder, facts, events, on=on, calendar=calendar,
                                         baseline=baseline)
        if instance.stage_order != latest.stage_order and (
                closed := _escalated_on_entry(instance, ladder, facts, on=on)) is not None:
            return Night(closed.instance, (*events, *closed.events), None, None)
    woken = instance.action is ActionState.SNOOZED and (instance.snoozed_until or on) <= on
    if instance.action is ActionState.DUE or woken:
        instance, new = queue_action(instance, on=on)
        events += new
    if instance.action is ActionState.QUEUED and not ladder.stage(instance.stage_order).requires_approval:
        instance, new = approve(instance, on=on)
        events += new
    if waiting is None and instance.action is not ActionState.DONE:
        waiting = _WAITING.get(instance.action)
    return Night(instance, tuple(events), due_item(instance, ladder), waiting)


def _paused_night(instance: StudentInterventionInstance, ladder: Ladder, facts: StageFacts, *,
                  on: date) -> Night:
    """A paused instance (a medical plan): only its stop condition may still close it."""
    finding = facts.stop(instance.stage_order)
    if finding.met:
        stopped = stop(instance, on=on, reason="stop condition met", evidence=words(finding.evidence))
        return Night(stopped.instance, stopped.events, None, None)
    return Night(instance, (), due_item(instance, ladder),
                 f"paused until {instance.paused_until}: {instance.pause_reason}")


def _stop_or_escalate(instance: StudentInterventionInstance, ladder: Ladder, facts: StageFacts, *, on: date,
                      calendar: SchoolCalendar, baseline: StageBaseline | None,
                      ) -> tuple[Applied | None, str | None]:
    """The current stage's stop condition closes the instance. Failing that, its escalation
    condition moves the student to the next stage at once (once this stage's action is done), or
    closes the instance as ESCALATED at the last stage. The note says why an escalation waits."""
    finding = facts.stop(instance.stage_order)
    if finding.met:
        return stop(instance, on=on, reason="stop condition met", evidence=words(finding.evidence)), None
    finding = facts.escalation(instance.stage_order)  # only asked when the stop condition fails
    if not finding.met:
        return None, None
    reason, evidence = "escalation condition met", words(finding.evidence)
    if ladder.next_after(instance.stage_order) is None:
        return escalate(instance, on=on, reason=reason, evidence=evidence), None
    blocker = advance_blocker(instance, ladder, None, on=on, calendar=calendar, escalating=True)
    stop_next = None
    if blocker is None:  # the next stage's stop condition, asked only when nothing else blocks
        stop_next = facts.stop(instance.stage_order + 1)
        blocker = conditions_blocker(instance.stage_order + 1, None, stop_next)
    if blocker is not None:
        return None, f"{reason}, but {blocker}"
    moved = escalate_to_next(instance, ladder, on=on, reason=reason, calendar=calendar, evidence=evidence,
                             baseline=baseline, stop_condition=stop_next)
    return moved, None


def _escalated_on_entry(instance: StudentInterventionInstance, ladder: Ladder, facts: StageFacts, *,
                        on: date) -> Applied | None:
    """A stage entered tonight whose escalation condition already holds: at the last stage, where
    an escalation closes the instance whatever its action's state, it closes now rather than on
    the next run. Elsewhere an escalation waits for the stage's action, so nothing changes."""
    if instance.status.closed or ladder.next_after(instance.stage_order) is not None:
        return None
    finding = facts.escalation(instance.stage_order)
    if not finding.met:
        return None
    return escalate(instance, on=on, reason="escalation condition met", evidence=words(finding.evidence))


def _move_on(instance: StudentInterventionInstance, ladder: Ladder, facts: StageFacts,
             events: list[InterventionEvent], *, on: date, calendar: SchoolCalendar,
             baseline: StageBaseline | None) -> tuple[StudentInterventionInstance, str | None]:
    """Enter the next stage or complete, if due; otherwise say what the ladder waits for."""
    if instance.action is not ActionState.DONE:
        return instance, None
    if ladder.next_after(instance.stage_order) is None:
        left = wait_left(instance, ladder, calendar, on)
        if left:
            return instance, f"{left} more school day{'s' if left != 1 else ''} before completing"
        done = complete(instance, ladder, on=on)
        events += done.events
        return done.instance, None
    blocker = advance_blocker(instance, ladder, None, on=on, calendar=calendar)
    entry, stop_condition, why = _stage_conditions(instance.stage_order + 1, facts, blocker)
    if why is not None or entry is None:
        return instance, why
    advanced = advance_due(instance, ladder, entry, on=on, calendar=calendar, stop_condition=stop_condition,
                           baseline=baseline)
    events += advanced.events
    return advanced.instance, None


def _first_due(ladder: Ladder, facts: StageFacts) -> int:
    """Where a start enters: stage 1, or for a statutory track the first alternative whose entry
    holds (stage 1 when none does, whose entry then says why)."""
    if ladder.track is not Track.STATUTORY:
        return 1
    return next((s.order for s in ladder.stages if facts.entry(s.order).met), 1)


def _stage_conditions(order: int, facts: StageFacts, blocker: str | None,
                      ) -> tuple[ConditionResult | None, ConditionResult | None, str | None]:
    """Stage `order`'s entry and stop conditions, evaluated only as far as needed: nothing when
    something else blocks the stage, the stop condition only when the entry condition holds."""
    if blocker is not None:
        return None, None, blocker
    entry = facts.entry(order)
    stop_condition = facts.stop(order) if entry.met else None
    return entry, stop_condition, conditions_blocker(order, entry, stop_condition)


_WAITING = {ActionState.QUEUED: "the action waits for staff approval",
            ActionState.APPROVED: "the approved action is not done yet",
            ActionState.SKIPPED: "staff skipped the action; re-queue it or stop the instance",
            ActionState.SNOOZED: "the action is snoozed"}


def decide(ladder: Ladder, student: StudentRef, latest: StudentInterventionInstance | None,
           facts: StageFacts, *, on: date, calendar: SchoolCalendar) -> QueueItem | None:
    """Given the latest instance and today's facts, the action due for the queue (None: nothing).
    Pure and idempotent: the same inputs give the same answer, and so does a second run on the
    instance the first one produced."""
    return run_night(ladder, student, latest, facts, on=on, calendar=calendar).due
