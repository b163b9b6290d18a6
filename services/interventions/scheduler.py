"""The nightly evaluation of one school on one date, over the night's one read of the school
(school_night.py; nightly.py runs it after the housekeeping). Reads besides, in a fixed number of
round trips whatever the school's size: every case and exemption of the school (one range read
each) and the daily rows on the dates the rule sets' windows need (today plus `rule_set_days`;
one query per month partition). An instance keeps the counters of the day it entered its stage
(`StageBaseline`), so the entry days are read only for instances stored before baselines existed
(`stage_days`). Then, per student and rule set, `run_night` decides; students whose night produced
events are written, several per transaction (effects.py says what follows from the events).
"""

from __future__ import annotations

import logging
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, NamedTuple

from domain.attendance.summaries import DailySummary
from domain.casework.cases import Case, CaseStatus
from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance, StudentRef
from domain.ladder.nightly import run_night
from domain.ladder.rule_facts import RuleFacts, ladder_of
from domain.ladder.statutory import counted_days, lists_sessions
from domain.ladder.transitions import mark_done
from domain.meetings.facts import MeetingFacts, held_still
from domain.rules import EvaluationContext, InstanceFacts, InterventionRuleSet, rule_set_days, stage_days
from domain.rules.baseline import StageBaseline
from domain.rules.context import Exemption
from domain.rules.ruleset import StageType
from services.casework.ports import ExemptionReader
from services.interventions.effects import Collected, SendJob
from services.interventions.ports import InterventionStore, StudentRowsReader, SummaryDays
from services.interventions.school_night import NightResult, SchoolNight
from services.platform.ports import Clock
from services.roster.ports import RosterReader
from services.rules.ports import RuleSetReader

log = logging.getLogger(__name__)

History = dict[tuple[str, str], tuple[StudentInterventionInstance, ...]]


class Scheduler:
    def __init__(self, rules: RuleSetReader, roster: RosterReader, summaries: SummaryDays,
                 store: InterventionStore, clock: Clock, send_letter_job: SendJob,
                 exemptions: ExemptionReader, student_rows: StudentRowsReader) -> None:
        self._rules, self._roster, self._summaries = rules, roster, summaries
        self._store, self._clock, self._send_letter_job = store, clock, send_letter_job
        # student_rows: one student's rows over a range, for the stages that list sessions
        self._exemptions, self._student_rows = exemptions, student_rows

    def evaluate(self, night: SchoolNight, result: NightResult) -> None:
        tonight = self._tonight(night, result)
        collected: list[Collected] = []
        for student_id, row in tonight.rows.get(night.day, {}).items():
            found = self._student(tonight, student_id, row, result)
            if found.instances:
                collected.append(found)
        self._write(night.tenant_id, night.school_id, collected, result)

    def _tonight(self, night: SchoolNight, result: NightResult) -> _Tonight:
        """The school's cases and exemptions, and the rows tonight's students need, read once."""
        tenant_id, school_id, day = night.tenant_id, night.school_id, night.day
        cases = self._store.cases(tenant_id, school_id)
        exemptions = self._exemptions.exemptions(tenant_id, school_id)
        versions = _Versions(self._rules, tenant_id, {r.id: r for r in night.rule_sets})
        meetings = MeetingFacts(night.meetings)
        plans = meetings.plans_on(day)
        days = {day} | _needed_days(night, versions)
        days |= counted_days(night.rule_sets, night.latest.values(), min(days))
        for plan in plans:  # every school day since a medical plan was agreed: its absences' codes
            days |= set(night.calendar.school_days_between(plan.since, day))
        jurisdiction = self._roster.school(tenant_id, school_id).jurisdiction if plans else ""
        rows = self._summaries.on_dates(tenant_id, school_id, days)
        result.count("students", len(rows.get(day, {})))
        result.count("rowDates", len(rows))  # what the night read: dates and rows
        result.count("rowsLoaded", sum(len(by_student) for by_student in rows.values()))
        return _Tonight(night, versions, meetings, cases, exemptions, jurisdiction, rows,
                        _history(night.instances), self._clock.now())

    def _student(self, tonight: _Tonight, student_id: str, row: DailySummary,
                 result: NightResult) -> Collected:
        """One student's night under every active rule set."""
        night, day = tonight.night, tonight.night.day
        case = tonight.cases.get(student_id)
        exemption = tonight.exemptions.get(student_id)
        recorded = InstanceFacts(case_resolved=case is not None and case.status is CaseStatus.RESOLVED,
                                 exemptions=(exemption,) if exemption else ())
        student = _Student(Collected(student_id, case), row, _StudentRows(tonight.rows, student_id), recorded)
        plan = tonight.meetings.plan(student_id, day)
        still = plan is not None and held_still(plan, student.rows, night.calendar.school_days_between(
            plan.since, day), tonight.jurisdiction)
        for current in night.rule_sets:
            instance = night.latest.get((student_id, current.id))
            if still and not _paused(instance):  # only medical absences since the plan: no new step
                result.count("heldByMedicalPlan")
                continue
            self._rule_set_night(tonight, student, current, instance, result)
        return student.found

    def _rule_set_night(self, tonight: _Tonight, student: _Student, current: InterventionRuleSet,
                        instance: StudentInterventionInstance | None, result: NightResult) -> None:
        """The student's night under one rule set; what it changed is added to `student.found`."""
        night, found, row = tonight.night, student.found, student.row
        day, calendar, student_id = night.day, night.calendar, found.student_id
        rule_set = tonight.versions.of(instance, current)
        facts = tonight.meetings.facts(student.recorded, instance)
        ctx = EvaluationContext(calendar, day, row, student.rows, facts, night.previous)
        ladder = ladder_of(rule_set)
        earlier = tonight.history.get((student_id, current.id), ())
        ref, baseline = StudentRef(night.tenant_id, night.school_id, student_id), StageBaseline.of(row)
        ran = run_night(ladder, ref, instance, RuleFacts(rule_set, ctx, instance, earlier), on=day,
                        calendar=calendar, baseline=baseline)
        if ran.instance is not None and lists_sessions(rule_set, ran.events):
            # a stage whose evidence names the sessions: the same night again, with every row
            every = self._every_row(night, student_id, rule_set, student.rows)
            result.count("studentsListed")
            listed = RuleFacts(rule_set, replace(ctx, rows=every, every_row=True), instance, earlier)
            ran = run_night(ladder, ref, instance, listed, on=day, calendar=calendar, baseline=baseline)
        if ran.instance is None or not ran.events:
            return
        after, events = ran.instance, list(ran.events)
        if after.stage_type is StageType.ESCALATION and after.action is ActionState.APPROVED:
            after, done = mark_done(after, on=day)  # handing on needs no one else
            events += done
        found.add(after, events, ladder.stage(after.stage_order).template_key, on=day, now=tonight.now)
        result.count("events", len(events))

    def _write(self, tenant_id: str, school_id: str, collected: list[Collected], result: NightResult) -> None:
        if not collected:  # a re-run of the night: nothing to write
            return
        changes = [c.change() for c in collected]
        refused = set(self._store.save(tenant_id, school_id, [c for c in changes if c is not None]))
        result.count("studentsChanged", len(collected) - len(refused))
        if refused:  # staff acted on them meanwhile; a re-run of the night picks them up
            result.count("conflicts", len(refused))
            log.warning("school %s: %d students changed meanwhile; not written", school_id, len(refused))
        for found in collected:
            if found.student_id in refused:
                continue
            for job in found.letter_jobs:
                self._send_letter_job(job)
                result.count("letterJobs")
            result.count("escalatedEvents", len(found.outbound))

    def _every_row(self, night: SchoolNight, student_id: str, rule_set: InterventionRuleSet,
                   loaded: Mapping[date, DailySummary]) -> Mapping[date, DailySummary]:
        """Every row of one student from the earliest day the rule set's windows reach to tonight:
        one range query, only for a student entering a stage that lists its sessions."""
        first = min(rule_set_days(rule_set, night.calendar, night.day, previous_calendar=night.previous)
                    | {night.calendar.start})
        rows = self._student_rows.for_student(night.tenant_id, night.school_id, student_id, first, night.day)
        return ChainMap({r.date: r for r in rows}, dict(loaded.items()))


@dataclass(frozen=True)
class _Tonight:
    """What every student's evaluation shares tonight."""

    night: SchoolNight
    versions: _Versions
    meetings: MeetingFacts
    cases: Mapping[str, Case]
    exemptions: Mapping[str, Exemption]
    jurisdiction: str
    rows: Mapping[date, Mapping[str, DailySummary]]
    history: History  # every instance of each student per rule set, for a statutory track's limit
    now: datetime


class _Student(NamedTuple):
    found: Collected  # what the student's night changed, to be written
    row: DailySummary  # tonight's
    rows: _StudentRows
    recorded: InstanceFacts  # the case's resolution and the exemption


class _Versions:
    """The rule set version an instance runs under (cached: one read per version)."""

    def __init__(self, rules: RuleSetReader, tenant_id: str, current: dict[str, InterventionRuleSet]) -> None:
        self._rules, self._tenant = rules, tenant_id
        self._cache = {(r.id, r.version): r for r in current.values()}

    def of(self, instance: StudentInterventionInstance | None,
           current: InterventionRuleSet) -> InterventionRuleSet:
        if instance is None or instance.status is not InstanceStatus.ACTIVE:
            return current
        wanted = (instance.rule_set_id, instance.rule_set_version)
        if wanted not in self._cache:
            self._cache[wanted] = self._rules.version(self._tenant, *wanted)
        return self._cache[wanted]


def _paused(instance: StudentInterventionInstance | None) -> bool:
    """A paused instance still gets its night: it resumes after the review date, or stops."""
    return (instance is not None and instance.status is InstanceStatus.ACTIVE
            and instance.paused_until is not None)


class _StudentRows(Mapping[date, DailySummary]):
    """One student's view of the school's rows by date, looked up only for the dates its
    conditions ask for (copying every loaded date per student cost a third of the night)."""

    __slots__ = ("_rows", "_student_id")

    def __init__(self, rows: Mapping[date, Mapping[str, DailySummary]], student_id: str) -> None:
        self._rows, self._student_id = rows, student_id

    def __getitem__(self, day: date) -> DailySummary:
        return self._rows[day][self._student_id]

    def get(self, day: date, default: Any = None) -> Any:
        by_student = self._rows.get(day)
        return default if by_student is None else by_student.get(self._student_id, default)

    def __iter__(self) -> Iterator[date]:
        return (d for d, by_student in self._rows.items() if self._student_id in by_student)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _history(instances: Iterable[StudentInterventionInstance]) -> History:
    """Every instance of each student per rule set, for a statutory track's limit."""
    found: dict[tuple[str, str], list[StudentInterventionInstance]] = {}
    for instance in instances:
        found.setdefault((instance.student_id, instance.rule_set_id), []).append(instance)
    return {slot: tuple(group) for slot, group in found.items()}


def _needed_days(night: SchoolNight, versions: _Versions) -> set[date]:
    """Every earlier row any student needs tonight, for all students at once: the rule sets'
    windows, plus the entry day of each active instance without a baseline (stored before
    baselines, or escalated by a meeting's outcome), whose conditions read that day's row."""
    calendar, day, previous = night.calendar, night.day, night.previous
    days: set[date] = set()
    for rule_set in night.rule_sets:
        days |= rule_set_days(rule_set, calendar, day, previous_calendar=previous)
    by_id = {r.id: r for r in night.rule_sets}
    for instance in night.latest.values():
        if (instance.status is InstanceStatus.ACTIVE and instance.stage_baseline is None
                and instance.rule_set_id in by_id):
            rule_set = versions.of(instance, by_id[instance.rule_set_id])
            days |= stage_days(rule_set.stage(instance.stage_order), calendar, day,
                               stage_entered_on=instance.stage_entered_on, previous_calendar=previous)
    return days
