"""The ladder's rules that depend on dates and facts, as questions that answer "why not".

Each `*_blocker` returns None when the step is allowed, or a sentence saying what it waits
for; the transitions raise it as `InvalidTransition` and the nightly shows it as the reason
nothing happened. Waits and cool-offs are counted in school days from the calendar, so a
half-term or a closure does not use up a wait.
"""

from __future__ import annotations

from datetime import date

from domain.attendance.calendar import SchoolCalendar
from domain.ladder.model import (
    ActionState,
    ConditionResult,
    InstanceStatus,
    Ladder,
    StudentInterventionInstance,
)
from domain.platform.errors import ValidationFailed


def school_days_after(calendar: SchoolCalendar, since: date, on: date) -> int:
    """School days in (since, on]. A `since` before the calendar's year counts from the year's
    start, which can only make a wait or cool-off across two school years longer, not shorter."""
    return calendar.count_on_or_before(on) - calendar.count_on_or_before(since)


def check_version(instance: StudentInterventionInstance, ladder: Ladder) -> None:
    """A running instance follows the rule set version it started under."""
    if (instance.rule_set_id, instance.rule_set_version) != (ladder.rule_set_id, ladder.version):
        raise ValidationFailed(
            f"instance {instance.id} runs under {instance.rule_set_id} v{instance.rule_set_version}, "
            f"not {ladder.rule_set_id} v{ladder.version}", field="ruleSetVersion")


def wait_left(instance: StudentInterventionInstance, ladder: Ladder, calendar: SchoolCalendar,
              on: date) -> int | None:
    """School days of the current stage's wait still to run on `on`; None until its action is done."""
    if instance.action is not ActionState.DONE or instance.action_done_on is None:
        return None
    passed = school_days_after(calendar, instance.action_done_on, on)
    return max(0, ladder.stage(instance.stage_order).wait_school_days - passed)


def advance_blocker(instance: StudentInterventionInstance, ladder: Ladder, entry: ConditionResult | None, *,
                    on: date, calendar: SchoolCalendar, stop_condition: ConditionResult | None = None,
                    escalating: bool = False) -> str | None:
    """Why stage N+1 cannot be entered on `on` (None: it can). Stage N+1, never N+2, and only
    after stage N's action is done, its wait has run, any required intervention between two
    letters is logged, stage N+1's entry condition holds and its stop condition (`stop_condition`,
    when given) does not. `entry=None` checks everything but the conditions, so the nightly
    evaluates them only when nothing else stands in the way. `escalating`: an escalation
    condition moves the student on at once, so the wait and stage N+1's entry condition are
    waived; the rest still holds, and so does stage N+1's stop condition when given: entering a
    stage its own stop condition would close that night is never the step to take."""
    check_version(instance, ladder)
    order = instance.stage_order
    if instance.status is not InstanceStatus.ACTIVE:
        return f"the instance is {instance.status.value.lower()}"
    left = wait_left(instance, ladder, calendar, on)
    if left is None:
        return f"stage {order}'s action is not done yet"
    following = ladder.next_after(order)
    if following is None:
        return f"stage {order} is the last stage"
    if not calendar.is_school_day(on):
        return f"{on} is not a school day"
    if left and not escalating:
        return f"{left} more school day{'s' if left != 1 else ''} of stage {order}'s wait"
    letter_to_letter = ladder.stage(order).type.is_letter and following.type.is_letter
    if ladder.intervention_between_letters and letter_to_letter and not instance.intervention_since_done:
        return "an intervention must be logged between two letters"
    return conditions_blocker(following.order, None if escalating else entry, stop_condition)


def start_blocker(ladder: Ladder, latest: StudentInterventionInstance | None, entry: ConditionResult | None,
                  *, on: date, calendar: SchoolCalendar,
                  stop_condition: ConditionResult | None = None, order: int = 1) -> str | None:
    """Why the student cannot start this rule set on `on` (None: they can). `latest` is their
    most recent instance of the same rule set, any version. One active instance at a time; a
    stopped student re-enters after the cool-off (at least the next school day); a completed or
    escalated ladder is not restarted in the same school year (staff have taken it from there),
    unless the ladder repeats within the year (a statutory track on new absence).
    `entry=None` checks everything but the conditions of stage `order` (1, or a statutory
    track's alternative); a stop condition that already holds (an exemption, say) keeps the
    student off the ladder rather than start and stop them."""
    if latest is not None and latest.rule_set_id != ladder.rule_set_id:
        raise ValidationFailed("latest belongs to another rule set", field="ruleSetId")
    if latest is not None and latest.status is InstanceStatus.ACTIVE:
        return "the student already has an active instance of this rule set"
    if not calendar.is_school_day(on):
        return f"{on} is not a school day"
    if (latest is not None and latest.status in (InstanceStatus.COMPLETED, InstanceStatus.ESCALATED)
            and latest.closed_on is not None and latest.closed_on >= calendar.start
            and not ladder.repeat_within_year):
        return f"the student's ladder was {latest.status.value.lower()} this school year"
    if latest is not None and latest.closed_on is not None:
        # never on the day it closed, even with no cool-off: a second run of that night must not
        # start what the first one closed
        left = max(ladder.cool_off_school_days, 1) - school_days_after(calendar, latest.closed_on, on)
        if left > 0:
            return f"{left} more school day{'s' if left != 1 else ''} of cool-off"
    return conditions_blocker(order, entry, stop_condition)


def conditions_blocker(order: int, entry: ConditionResult | None,
                       stop: ConditionResult | None) -> str | None:
    """Stage `order` may be entered when its entry condition holds and no stop condition does."""
    if entry is not None and not entry.met:
        return f"stage {order}'s entry condition does not hold"
    if stop is not None and stop.met:
        return f"stage {order}'s stop condition already holds"
    return None
