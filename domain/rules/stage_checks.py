"""Evaluation of the stop and escalation conditions, from the facts in `ctx.instance`.
`EntryNoLongerMet` re-evaluates the stage's entry, so it lives with `evaluate` itself."""

from __future__ import annotations

from collections.abc import Callable

from domain.rules import wording as w
from domain.rules.context import EvaluationContext
from domain.rules.outcome import NOT_UNDER_WAY, NOTHING_RECORDED, Outcome
from domain.rules.stage_conditions import (
    AttendanceRecovered,
    CaseResolved,
    ExemptionActive,
    MeetingOutcome,
    NoImprovement,
    RepeatedNoShows,
)
from domain.rules.windows import anchor, days_since


def attendance_recovered(c: AttendanceRecovered, ctx: EvaluationContext) -> Outcome:
    facts = ctx.instance
    if facts is None or facts.stage_entered_on is None:
        return NOT_UNDER_WAY
    if ctx.today is None:
        return NOTHING_RECORDED
    elapsed = days_since(ctx.calendar, ctx.as_of, facts.stage_entered_on)
    if elapsed < c.school_days:
        return Outcome(False, (f"only {w.plural(elapsed, 'school day')} since this step began; "
                               f"recovery is judged over {c.school_days}",))
    recent = ctx.totals(days=c.school_days).attendance_percent
    year = ctx.today.totals.attendance_percent
    if recent is None or year is None:
        return Outcome(False, (f"no session could be attended in the last {c.school_days} school days",))
    return Outcome(recent >= c.threshold and year >= c.threshold, (
        f"attendance in the last {w.plural(c.school_days, 'school day')} is "
        f"{w.number(recent)}% and this school year {w.number(year)}% "
                         f"({w.number(c.threshold)}% or more was hoped for)",))


def case_resolved(c: CaseResolved, ctx: EvaluationContext) -> Outcome:
    if ctx.instance is None:
        return NOT_UNDER_WAY
    resolved = ctx.instance.case_resolved
    return Outcome(resolved, ("the case has been marked resolved" if resolved else "the case is still open",))


def exemption_active(c: ExemptionActive, ctx: EvaluationContext) -> Outcome:
    exemptions = ctx.instance.exemptions if ctx.instance else ()
    active = [e for e in exemptions if e.active_on(ctx.as_of)]
    if not active:
        return Outcome(False, ("no exemption is in force",))
    return Outcome(True, tuple(
        f"an exemption is in force: {e.reason}"
        + (f" (until {w.long_date(e.expires_on)})" if e.expires_on else "") for e in active))


def no_improvement(c: NoImprovement, ctx: EvaluationContext) -> Outcome:
    facts = ctx.instance
    if facts is None or facts.stage is None or facts.stage_entered_on is None:
        return NOT_UNDER_WAY
    wait = c.after_school_days or facts.stage.wait_school_days
    elapsed = days_since(ctx.calendar, ctx.as_of, facts.stage_entered_on)
    if elapsed < wait:
        return Outcome(False, (f"{w.plural(elapsed, 'school day')} of the {wait}-school-day wait "
                               "have passed",))
    if facts.stage_baseline is not None:  # kept on the instance: no need for that day's row
        before, since = facts.stage_baseline.attendance_percent, facts.stage_baseline.percent_since(ctx.today)
    else:  # an instance stored before baselines (or the stage entered today): the day's row
        entry = ctx.row_at(anchor(ctx.calendar, facts.stage_entered_on))
        before = entry.totals.attendance_percent if entry else None
        since = ctx.since(entry).attendance_percent if entry else None
    if before is None or since is None:
        return Outcome(False, ("attendance before this step began is not known",))
    return Outcome(since - before < c.points, (
        f"attendance since this step began is {w.number(since)}% against {w.number(before)}% before it "
        f"(an improvement of {w.plural(c.points, 'point')} or more was hoped for)",))


def meeting_outcome(c: MeetingOutcome, ctx: EvaluationContext) -> Outcome:
    if ctx.instance is None:
        return NOT_UNDER_WAY
    last = ctx.instance.last_meeting_outcome
    wanted = c.outcome.lower().replace("_", " ")
    if last is not None and last.upper() == c.outcome:
        return Outcome(True, (f"the last meeting ended with the decision: {wanted}",))
    return Outcome(False, (f"no meeting has ended with the decision: {wanted}",))


def repeated_no_shows(c: RepeatedNoShows, ctx: EvaluationContext) -> Outcome:
    missed = ctx.instance.no_shows if ctx.instance else 0
    return Outcome(missed >= c.threshold, (f"{w.plural(missed, 'arranged meeting')} missed",))


STAGE_CHECKS: dict[type, Callable[..., Outcome]] = {
    AttendanceRecovered: attendance_recovered, CaseResolved: case_resolved,
    ExemptionActive: exemption_active, NoImprovement: no_improvement,
    MeetingOutcome: meeting_outcome, RepeatedNoShows: repeated_no_shows,
}
