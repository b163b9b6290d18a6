"""The ladder on real rule sets: `ladder_of` reads a rule set's ladder mechanics, `RuleFacts`
answers the ladder's questions (`StageFacts`) by evaluating the rule set's conditions, and
`simulate_rule_set` / `rule_set_impact` run the simulation with them.

For the nightly, build one `EvaluationContext` per student: today's row, the rows
`rule_set_days(...)` lists plus, for a student with an active instance stored without a
`stage_baseline` (before baselines existed), `stage_days(stage, ..., stage_entered_on=
instance.stage_entered_on)`; pass `baseline=StageBaseline.of(today's row)` to `run_night`;
and in `instance` what staff recorded (case resolved, exemptions, last meeting outcome,
no-shows). `RuleFacts` fills in the stage, the day it began and its baseline for each question,
so the recorded facts need no stage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.summaries import DailySummary
from domain.ladder.model import InstanceStatus, Ladder, LadderStage, StudentInterventionInstance, StudentRef
from domain.ladder.simulation import FactsFor, Impact, Timeline, impact, simulate
from domain.ladder.statutory import statutory_entry
from domain.rules.context import EvaluationContext, InstanceFacts
from domain.rules.evaluate import is_due, should_escalate, should_stop
from domain.rules.outcome import Outcome
from domain.rules.ruleset import InterventionRuleSet, Track


def ladder_of(rule_set: InterventionRuleSet) -> Ladder:
    return Ladder(rule_set.id, rule_set.version,
                  tuple(LadderStage(s.order, s.type, s.wait_school_days, s.requires_approval,
                                    s.letter_template_key) for s in rule_set.stages),
                  rule_set.cool_off_school_days, rule_set.require_intervention_between_letters,
                  rule_set.track, rule_set.repeat_within_year)


class RuleFacts:
    """`StageFacts` from a rule set's conditions, for the student and day of `ctx`. `instance` is
    the student's latest instance (None: never started). Each answer is evaluated when asked.
    `history`: the student's earlier instances of the rule set, for a statutory track's limit
    (domain/ladder/statutory.py)."""

    __slots__ = ("rule_set", "ctx", "instance", "history")

    def __init__(self, rule_set: InterventionRuleSet, ctx: EvaluationContext,
                 instance: StudentInterventionInstance | None,
                 history: Iterable[StudentInterventionInstance] = ()) -> None:
        self.rule_set, self.ctx, self.instance, self.history = rule_set, ctx, instance, tuple(history)

    def entry(self, order: int) -> Outcome:
        if self.rule_set.track is not Track.STATUTORY:
            return is_due(self.rule_set.stage(order), self.ctx)
        return statutory_entry(self.rule_set, order, self.ctx, self.instance, self.history)

    def stop(self, order: int) -> Outcome:
        return should_stop(self._at(order))

    def escalation(self, order: int) -> Outcome:
        return should_escalate(self._at(order))

    def _at(self, order: int) -> EvaluationContext:
        """The context as if the instance were at stage `order`: since the day it entered it if it
        is there, else since today (the nightly asks before entering a stage)."""
        instance = self.instance
        here = (instance is not None and instance.status is InstanceStatus.ACTIVE
                and instance.stage_order == order)
        entered = instance.stage_entered_on if here and instance is not None else self.ctx.as_of
        # a stage entered today has no baseline yet: its row is today's, always at hand
        baseline = instance.stage_baseline if here and instance is not None else None
        recorded = self.ctx.instance or InstanceFacts()
        if not here:  # the meetings recorded are the current stage's: a stage entered today has had none
            recorded = replace(recorded, last_meeting_outcome=None)
        if instance is None or instance.status is not InstanceStatus.ACTIVE:
            recorded = replace(recorded, no_shows=0)  # a new instance: the closed one's meetings stay with it
        return replace(self.ctx, instance=replace(recorded, stage=self.rule_set.stage(order),
                                                  stage_entered_on=entered, stage_baseline=baseline))


def rule_facts_for(rule_set: InterventionRuleSet, rows: Iterable[DailySummary], calendar: SchoolCalendar, *,
                   recorded: InstanceFacts | None = None,
                   previous_calendar: SchoolCalendar | None = None, every_row: bool = False,
                   history: Iterable[StudentInterventionInstance] = ()) -> FactsFor:
    """The simulation's facts for one student from all their rows (every row is at hand, so no
    `required_days` bookkeeping); `recorded` stands for what staff recorded, the same all year.
    `every_row`: let conditions list the sessions they count (one student's simulation, not a
    school's impact). `history`: instances from before the replay (a statutory track's limit);
    the replay's own closed instances join it as the simulation passes them in.
    `rows` may include the previous school year's, for windows reaching back into it."""
    by_date = {row.date: row for row in rows}
    seen = {instance.id: instance for instance in history}

    def facts(row: DailySummary, instance: StudentInterventionInstance | None) -> RuleFacts:
        if instance is not None:  # every closed instance is passed in before the next one starts
            seen[instance.id] = instance
        return RuleFacts(rule_set, EvaluationContext(calendar, row.date, row, by_date, recorded,
                                                     previous_calendar, every_row), instance, seen.values())
    return facts


def simulate_rule_set(rule_set: InterventionRuleSet, student: StudentRef, rows: Sequence[DailySummary],
                      calendar: SchoolCalendar, *, until: date | None = None,
                      recorded: InstanceFacts | None = None, assume_interventions: bool = True,
                      history: Iterable[StudentInterventionInstance] = (),
                      previous_calendar: SchoolCalendar | None = None,
                      previous_rows: Sequence[DailySummary] = ()) -> Timeline:
    """Replay a student's year under a saved or draft rule set (see `domain/ladder/simulation.py`);
    `history`: the student's instances from before, for a statutory track's limit.
    `previous_calendar` and `previous_rows` (the student's rows of the year before) let windows
    reach back across the summer; only this year's nights are replayed."""
    return simulate(ladder_of(rule_set), student, rows, calendar,
                    rule_facts_for(rule_set, (*previous_rows, *rows), calendar, recorded=recorded,
                                   previous_calendar=previous_calendar, every_row=True, history=history),
                    until=until, assume_interventions=assume_interventions)


def rule_set_impact(rule_set: InterventionRuleSet, school: tuple[str, str],
                    rows_by_student: Mapping[str, Sequence[DailySummary]], calendar: SchoolCalendar, *,
                    today: date, previous_calendar: SchoolCalendar | None = None,
                    previous_rows: Mapping[str, Sequence[DailySummary]] | None = None) -> Impact:
    """How many of a school's students a rule set would put at, and through, each stage by `today`;
    `previous_rows` by student, with `previous_calendar`, as for `simulate_rule_set`."""
    before = previous_rows or {}
    return impact(ladder_of(rule_set), school, rows_by_student, calendar,
                  lambda student_id: rule_facts_for(rule_set, (*before.get(student_id, ()),
                                                               *rows_by_student[student_id]), calendar,
                                                    previous_calendar=previous_calendar),
                  today=today)
