"""A statutory track's entry: a legal duty that runs beside the support ladder, never gated by it.

Two rules come on top of the stage's own entry condition:

- **Counted once.** A track that starts again within the year (`repeatWithinYear`, England's
  penalty notices) counts only the absence after the day its last instance started, which that
  instance already weighed (`InstanceFacts.counted_through`, domain/rules/sessions.py).
- **The limit.** With `limit {count, years}`, stage 1 (a penalty notice) is proposed while fewer
  than `count` of its actions were done for the student within `years` years; after that the
  same threshold proposes stage 2 (consider other action) instead. A stage 1 action is done when
  staff approved it and the instance closed ESCALATED there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from domain.ladder.events import EventKind, InterventionEvent
from domain.ladder.model import InstanceStatus, StudentInterventionInstance
from domain.rules import wording as w
from domain.rules.conditions import AbsenceCountThreshold, walk
from domain.rules.context import EvaluationContext, InstanceFacts
from domain.rules.evaluate import is_due
from domain.rules.outcome import Outcome
from domain.rules.ruleset import ActionLimit, InterventionRuleSet, Track


def counted_through(rule_set: InterventionRuleSet, latest: StudentInterventionInstance | None) -> date | None:
    """The day up to which absence was already counted: the start of the track's last instance,
    once it closed, for a track that repeats within the year; else None."""
    if (rule_set.track is not Track.STATUTORY or not rule_set.repeat_within_year or latest is None
            or not latest.status.closed):
        return None
    return latest.started_on


def counted_days(rule_sets: Iterable[InterventionRuleSet], latest: Iterable[StudentInterventionInstance],
                 earliest: date) -> set[date]:
    """The rows a night needs for counting once: the start day of each student's last closed
    instance of a track that repeats, when it is not before the earliest day a window reaches."""
    repeating = {r.id for r in rule_sets if r.track is Track.STATUTORY and r.repeat_within_year}
    return {i.started_on for i in latest
            if i.rule_set_id in repeating and i.status.closed and i.started_on >= earliest}


def lists_sessions(rule_set: InterventionRuleSet, events: Iterable[InterventionEvent]) -> bool:
    """Whether these events enter a stage whose entry lists the sessions it counts: its evidence
    then needs every row of the window (`EvaluationContext.every_row`)."""
    return any(e.kind is EventKind.STAGE_ENTERED and any(
        isinstance(part, AbsenceCountThreshold) and part.list_sessions
        for part in walk(rule_set.stage(e.stage_order).entry)) for e in events)


def years_before(day: date, years: int) -> date:
    """The same day `years` years earlier (28 February for a 29th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def actions_within(limit: ActionLimit, history: Iterable[StudentInterventionInstance], rule_set_id: str,
                   on: date) -> list[date]:
    """The days stage 1's action was done for the student within `limit.years` years up to `on`."""
    since = years_before(on, limit.years)
    return sorted(i.action_done_on for i in history
                  if i.rule_set_id == rule_set_id and i.status is InstanceStatus.ESCALATED
                  and i.stage_order == 1 and i.action_done_on is not None and since < i.action_done_on <= on)


def statutory_entry(rule_set: InterventionRuleSet, order: int, ctx: EvaluationContext,
                    latest: StudentInterventionInstance | None,
                    history: Iterable[StudentInterventionInstance]) -> Outcome:
    """Stage `order`'s entry for a statutory track, counting only absence not counted before and
    choosing between the stages by the limit."""
    through = counted_through(rule_set, latest)
    if through is not None:
        ctx = replace(ctx, instance=replace(ctx.instance or InstanceFacts(), counted_through=through))
    outcome = is_due(rule_set.stage(order), ctx)
    limit = rule_set.limit
    if limit is None:
        return outcome
    done = actions_within(limit, history, rule_set.id, ctx.as_of)
    reached = len(done) >= limit.count
    first, instead = rule_set.stage(1), rule_set.stage(2)
    if reached:
        note = (f"\"{first.name}\" was already acted on {w.plural(len(done), 'time')} in the last "
                f"{w.plural(limit.years, 'year')} (on {_dates(done)}), its limit, so: {instead.name}")
    else:
        note = (f"\"{first.name}\" was acted on {w.plural(len(done), 'time')} in the last "
                f"{w.plural(limit.years, 'year')}, fewer than its limit of {limit.count}")
    if (order == 1) == reached:  # this stage is not the one the limit points to
        return Outcome(False, (*outcome.evidence, note))
    return Outcome(outcome.met, (note, *outcome.evidence) if reached else outcome.evidence)


def _dates(days: list[date]) -> str:
    named = [w.long_date(day) for day in days]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
