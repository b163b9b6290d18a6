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
from domain.ladder.guards import check_version, start_blocker
from domain.ladder.model import (
    ActionState,
    InstanceStatus,
    Ladder,
    StageFacts,
    StudentInterventionInstance,
    StudentRef,
    words,
)
from domain.ladder.moves import escalated_on_entry, first_due, move_on, stage_conditions, stop_or_escalate
from domain.ladder.pause import is_paused, resume
from domain.ladder.transitions import approve, queue_action, start, stop
from domain.rules.baseline import StageBaseline


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
    if latest is None or latest.status.closed:
        moved = _start_night(ladder, student, latest, facts, on=on, calendar=calendar, baseline=baseline)
    else:
        moved = _active_night(latest, ladder, facts, on=on, calendar=calendar, baseline=baseline)
    if isinstance(moved, Night):
        return moved
    return _queue_night(moved, ladder, on=on)


class _Moved(NamedTuple):
    """Where the ladder stands once it has started, stopped, escalated or moved on tonight,
    before the stage's action is queued."""

    instance: StudentInterventionInstance
    events: list[InterventionEvent]
    waiting: str | None


def _start_night(ladder: Ladder, student: StudentRef, latest: StudentInterventionInstance | None,
                 facts: StageFacts, *, on: date, calendar: SchoolCalendar,
                 baseline: StageBaseline | None) -> Night | _Moved:
    """No active instance: start one where the first due stage's conditions allow it."""
    blocker = start_blocker(ladder, latest, None, on=on, calendar=calendar)
    first = first_due(ladder, facts) if blocker is None else 1
    entry, stop_condition, why = stage_conditions(first, facts, blocker)
    if why is not None or entry is None:
        return Night(latest, (), None, why)
    instance, events = start(ladder, student, latest, entry, on=on, calendar=calendar,
                             stop_condition=stop_condition, baseline=baseline, order=first)
    if (closed := escalated_on_entry(instance, ladder, facts, on=on)) is not None:
        return Night(closed.instance, (*events, *closed.events), None, None)
    return _Moved(instance, list(events), None)


def _active_night(latest: StudentInterventionInstance, ladder: Ladder, facts: StageFacts, *, on: date,
                  calendar: SchoolCalendar, baseline: StageBaseline | None) -> Night | _Moved:
    """An active instance: resume, stop, escalate or move on."""
    instance = latest
    events: list[InterventionEvent] = []
    if instance.paused_until is not None and not is_paused(instance, on):
        instance, resumed = resume(instance, on=on)  # the medical plan's review date has passed
        events += resumed
    if is_paused(instance, on):
        return _paused_night(instance, ladder, facts, on=on)
    moved, waiting = stop_or_escalate(instance, ladder, facts, on=on, calendar=calendar, baseline=baseline)
    if moved is not None and moved.instance.status.closed:
        return Night(moved.instance, (*events, *moved.events), None, None)
    if moved is not None:
        instance, events = moved.instance, [*events, *moved.events]
    elif waiting is None:
        instance, waiting = move_on(instance, ladder, facts, events, on=on, calendar=calendar,
                                    baseline=baseline)
    if instance.stage_order != latest.stage_order and (
            closed := escalated_on_entry(instance, ladder, facts, on=on)) is not None:
        return Night(closed.instance, (*events, *closed.events), None, None)
    return _Moved(instance, events, waiting)


def _queue_night(moved: _Moved, ladder: Ladder, *, on: date) -> Night:
    """Queue the stage's action when it is due or its snooze has ended, and approve it at once
    when the stage needs no staff approval."""
    instance, events, waiting = moved
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
