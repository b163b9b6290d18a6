"""`evaluate(condition, ctx)`: whether a condition holds for one student on one date, with the
evidence in plain words; `required_days` says which earlier rows the context must hold.

Combinators evaluate every part, not just until the answer is known, so the evidence can say
why: a met `all` gives every part's evidence, an unmet one only the parts that failed; a met
`any` gives the parts that held, an unmet one all of them; `not` passes its part's evidence on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from domain.rules.checks import ATTENDANCE_CHECKS
from domain.rules.conditions import All, Any, Condition, Not
from domain.rules.context import EvaluationContext
from domain.rules.outcome import NOT_UNDER_WAY, Outcome
from domain.rules.required import required_days, rule_set_days, stage_days
from domain.rules.stage_checks import STAGE_CHECKS
from domain.rules.stage_conditions import EntryNoLongerMet

if TYPE_CHECKING:
    from domain.rules.ruleset import InterventionStage

__all__ = ["Outcome", "evaluate", "is_due", "required_days", "rule_set_days", "should_escalate",
           "should_stop", "stage_days"]


def evaluate(condition: Condition, ctx: EvaluationContext) -> Outcome:
    return _CHECKS[type(condition)](condition, ctx)


def _all(c: All, ctx: EvaluationContext) -> Outcome:
    outcomes = [evaluate(part, ctx) for part in c.conditions]
    met = all(o.met for o in outcomes)
    return Outcome(met, tuple(e for o in outcomes if met or not o.met for e in o.evidence))


def _any(c: Any, ctx: EvaluationContext) -> Outcome:
    outcomes = [evaluate(part, ctx) for part in c.conditions]
    met = any(o.met for o in outcomes)
    return Outcome(met, tuple(e for o in outcomes if o.met or not met for e in o.evidence))


def _not(c: Not, ctx: EvaluationContext) -> Outcome:
    inner = evaluate(c.condition, ctx)
    return Outcome(not inner.met, inner.evidence)


def _entry_no_longer_met(c: EntryNoLongerMet, ctx: EvaluationContext) -> Outcome:
    stage = ctx.instance.stage if ctx.instance else None
    if stage is None:
        return NOT_UNDER_WAY
    entry = evaluate(stage.entry, ctx)
    if entry.met:
        return Outcome(False, entry.evidence)
    return Outcome(True, ("the reason for this step no longer applies", *entry.evidence))


_CHECKS: dict[type, Callable[..., Outcome]] = {
    **ATTENDANCE_CHECKS, **STAGE_CHECKS,
    All: _all, Any: _any, Not: _not, EntryNoLongerMet: _entry_no_longer_met,
}


def is_due(stage: InterventionStage, ctx: EvaluationContext) -> Outcome:
    """Whether the stage's entry condition holds (the ladder decides whether it may start)."""
    return evaluate(stage.entry, ctx)


def should_stop(ctx: EvaluationContext) -> Outcome:
    """Whether any stop condition of the current stage (`ctx.instance.stage`) holds."""
    stage = ctx.instance.stage if ctx.instance else None
    return _first_of(stage.stop_conditions, ctx) if stage else NOT_UNDER_WAY


def should_escalate(ctx: EvaluationContext) -> Outcome:
    """Whether any escalation condition of the current stage holds."""
    stage = ctx.instance.stage if ctx.instance else None
    return _first_of(stage.escalation_conditions, ctx) if stage else NOT_UNDER_WAY


def _first_of(conditions: Sequence[Condition], ctx: EvaluationContext) -> Outcome:
    """Like `any`: the evidence of the conditions that hold, or of all of them if none does."""
    outcomes = [evaluate(c, ctx) for c in conditions]
    met = any(o.met for o in outcomes)
    return Outcome(met, tuple(e for o in outcomes if o.met or not met for e in o.evidence))
