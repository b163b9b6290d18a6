"""The ladder's moves on one night, as `run_night` (nightly.py) applies them: stop or escalate an
active instance, enter the next stage or complete, and where a start enters. Each asks the
stage's conditions only as far as it needs them.
"""

from __future__ import annotations

from datetime import date

from domain.attendance.calendar import SchoolCalendar
from domain.ladder.events import InterventionEvent
from domain.ladder.guards import advance_blocker, conditions_blocker, wait_left
from domain.ladder.model import (
    ActionState,
    ConditionResult,
    Ladder,
    StageFacts,
    StudentInterventionInstance,
    words,
)
from domain.ladder.table import Applied
from domain.ladder.transitions import advance_due, complete, escalate, escalate_to_next, stop
from domain.rules.baseline import StageBaseline
from domain.rules.ruleset import Track


def stop_or_escalate(instance: StudentInterventionInstance, ladder: Ladder, facts: StageFacts, *, on: date,
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


def escalated_on_entry(instance: StudentInterventionInstance, ladder: Ladder, facts: StageFacts, *,
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


def move_on(instance: StudentInterventionInstance, ladder: Ladder, facts: StageFacts,
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
    entry, stop_condition, why = stage_conditions(instance.stage_order + 1, facts, blocker)
    if why is not None or entry is None:
        return instance, why
    advanced = advance_due(instance, ladder, entry, on=on, calendar=calendar, stop_condition=stop_condition,
                           baseline=baseline)
    events += advanced.events
    return advanced.instance, None


def first_due(ladder: Ladder, facts: StageFacts) -> int:
    """Where a start enters: stage 1, or for a statutory track the first alternative whose entry
    holds (stage 1 when none does, whose entry then says why)."""
    if ladder.track is not Track.STATUTORY:
        return 1
    return next((s.order for s in ladder.stages if facts.entry(s.order).met), 1)


def stage_conditions(order: int, facts: StageFacts, blocker: str | None,
                     ) -> tuple[ConditionResult | None, ConditionResult | None, str | None]:
    """Stage `order`'s entry and stop conditions, evaluated only as far as needed: nothing when
    something else blocks the stage, the stop condition only when the entry condition holds."""
    if blocker is not None:
        return None, None, blocker
    entry = facts.entry(order)
    stop_condition = facts.stop(order) if entry.met else None
    return entry, stop_condition, conditions_blocker(order, entry, stop_condition)
