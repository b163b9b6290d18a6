"""The nightly intervention scheduler: one school, one date.

Reads, in a fixed number of round trips whatever the school's size: the active rule sets, the
calendar, every instance, case and exemption of the school (one range read each) and the daily rows
on the dates the rule sets' windows need (today plus `rule_set_days`; one query per month
partition). An instance keeps the counters of the day it entered its stage (`StageBaseline`), so
the entry days are read only for instances stored before baselines existed (`stage_days`).
Then, per student and rule set, `run_night` decides; students whose night
produced events are written, several per transaction (services/interventions/effects.py says
what follows from the events). Re-running the same night is a fixpoint: no events, no writes.
"""

from __future__ import annotations

import logging
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.summaries import DailySummary
from domain.casework.cases import CaseStatus
from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance, StudentRef
from domain.ladder.nightly import run_night
from domain.ladder.rule_facts import RuleFacts, ladder_of
from domain.ladder.statutory import counted_days, lists_sessions
from domain.ladder.transitions import mark_done
from domain.meetings.facts import MeetingFacts, held_still
from domain.rules import EvaluationContext, InstanceFacts, InterventionRuleSet, rule_set_days, stage_days
from domain.rules.baseline import StageBaseline
from domain.rules.ruleset import StageType
from services.attendance.school_years import previous_year
from services.casework.ports import ExemptionReader
from services.interventions.effects import Collected, SendJob
from services.interventions.ports import InterventionStore, StudentRowsReader, SummaryDays
from services.letters.resend import RESEND_AFTER, resend_lost_letter_jobs
from services.letters.sweep import SweepResult
from services.meetings.cancellation_resend import LostCancellations, NightInvitations
from services.meetings.ports import MeetingReader
from services.meetings.resend import InvitationReader, resend_lost_invitations
from services.platform.ports import Clock
from services.roster.ports import RosterReader
from services.rules.ports import RuleSetReader

log = logging.getLogger(__name__)


@dataclass
class NightResult:
    counters: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + n


class Scheduler:
    def __init__(self, rules: RuleSetReader, roster: RosterReader, summaries: SummaryDays,
                 store: InterventionStore, clock: Clock, send_letter_job: SendJob,
                 exemptions: ExemptionReader | None = None, resend_after: timedelta = RESEND_AFTER,
                 meetings: MeetingReader | None = None,
                 sweep_letters: Callable[[str, str], SweepResult] | None = None,
                 invitations: InvitationReader | None = None,
                 cancellations: LostCancellations | None = None,
                 student_rows: StudentRowsReader | None = None) -> None:
        self._rules, self._roster, self._summaries = rules, roster, summaries
        self._sweep_letters = sweep_letters  # services/letters/sweep.py: stranded SENDING/RENDERED
        self._store, self._clock, self._send_letter_job = store, clock, send_letter_job
        self._exemptions, self._resend_after = exemptions, resend_after
        self._meetings = meetings
        self._invitations = invitations  # services/meetings/resend.py: lost invitation jobs
        self._cancellations = cancellations  # services/meetings/cancellation_resend.py: lost cancellations
        self._student_rows = student_rows  # one student's rows over a range, for session lists

    def run(self, tenant_id: str, school_id: str, day: date) -> NightResult:
        result, swept = NightResult(), SweepResult()
        if self._sweep_letters:  # every night, school day or not: a letter waits for no timetable
            swept = self._sweep_letters(tenant_id, school_id)
            if swept.redelivered:
                result.count("strandedLettersDelivered", swept.redelivered)
            if swept.failed:
                result.count("strandedLettersFailed", swept.failed)
        rule_sets = self._rules.active_for_school(tenant_id, school_id)
        result.count("ruleSets", len(rule_sets))
        if not rule_sets:
            return result
        calendar = self._roster.calendar_for(tenant_id, school_id, day)
        if not calendar.is_school_day(day):
            return result
        previous = previous_year(self._roster, tenant_id, school_id, calendar)
        every_instance = self._store.instances(tenant_id, school_id)
        latest, history = _latest(every_instance), _history(every_instance)
        if resent := resend_lost_letter_jobs(self._store, self._send_letter_job, latest.values(), day=day,
                                             now=self._clock.now(), after=self._resend_after,
                                             rendered=swept.rendered):
            result.count("letterJobsResent", resent)
        school_meetings = self._meetings.school(tenant_id, school_id) if self._meetings else []
        invitations = NightInvitations(self._invitations) if self._invitations else None
        if invitations and (resent := resend_lost_invitations(
                invitations, self._send_letter_job, latest.values(), school_meetings,
                now=self._clock.now(), after=self._resend_after)):
            result.count("invitationJobsResent", resent)
        if invitations and self._cancellations and (resent := self._cancellations.resend(
                invitations, school_meetings, now=self._clock.now(), after=self._resend_after)):
            result.count("cancellationJobsResent", resent)
        cases = self._store.cases(tenant_id, school_id)
        exemptions = self._exemptions.exemptions(tenant_id, school_id) if self._exemptions else {}
        versions = _Versions(self._rules, tenant_id, {r.id: r for r in rule_sets})
        meetings = MeetingFacts(school_meetings)
        plans = meetings.plans_on(day)
        days = {day} | _needed_days(rule_sets, versions, latest.values(), calendar, day, previous)
        days |= counted_days(rule_sets, latest.values(), min(days))
        for agreed in plans:  # every school day since a medical plan was agreed: its absences' codes
            days |= set(calendar.school_days_between(agreed.since, day))
        jurisdiction = self._roster.school(tenant_id, school_id).jurisdiction if plans else ""
        rows = self._summaries.on_dates(tenant_id, school_id, days)
        today = rows.get(day, {})
        result.count("students", len(today))
        result.count("rowDates", len(rows))  # what the night read: dates and rows
        result.count("rowsLoaded", sum(len(by_student) for by_student in rows.values()))
        now = self._clock.now()
        collected: list[Collected] = []
        for student_id, row in today.items():
            case = cases.get(student_id)
            found = Collected(student_id, case)
            student_rows = _StudentRows(rows, student_id)
            exemption = exemptions.get(student_id)
            recorded = InstanceFacts(case_resolved=case is not None and case.status is CaseStatus.RESOLVED,
                                     exemptions=(exemption,) if exemption else ())
            plan = meetings.plan(student_id, day)
            still = plan is not None and held_still(plan, student_rows, calendar.school_days_between(
                plan.since, day), jurisdiction)
            for current in rule_sets:
                instance = latest.get((student_id, current.id))
                if still and not _paused(instance):  # only medical absences since the plan: no new step
                    result.count("heldByMedicalPlan")
                    continue
                rule_set = versions.of(instance, current)
                facts = meetings.facts(recorded, instance)
                ctx = EvaluationContext(calendar, day, row, student_rows, facts, previous)
                ladder = ladder_of(rule_set)
                earlier = history.get((student_id, current.id), ())
                night = run_night(ladder, StudentRef(tenant_id, school_id, student_id), instance,
                                  RuleFacts(rule_set, ctx, instance, earlier), on=day, calendar=calendar,
                                  baseline=StageBaseline.of(row))
                if night.instance is not None and lists_sessions(rule_set, night.events):
                    # a stage whose evidence names the sessions: the same night again, with every row
                    every = self._every_row(tenant_id, school_id, student_id, rule_set, calendar, day,
                                            previous, student_rows)
                    result.count("studentsListed")
                    night = run_night(ladder, StudentRef(tenant_id, school_id, student_id), instance,
                                      RuleFacts(rule_set, replace(ctx, rows=every, every_row=True), instance,
                                                earlier), on=day, calendar=calendar,
                                      baseline=StageBaseline.of(row))
                if night.instance is None or not night.events:
                    continue
                after, events = night.instance, list(night.events)
                if after.stage_type is StageType.ESCALATION and after.action is ActionState.APPROVED:
                    after, done = mark_done(after, on=day)  # handing on needs no one else
                    events += done
                found.add(after, events, ladder.stage(after.stage_order).template_key, on=day, now=now)
                result.count("events", len(events))
            if found.instances:
                collected.append(found)
        self._write(tenant_id, school_id, collected, result)
        return result

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

    def _every_row(self, tenant_id: str, school_id: str, student_id: str, rule_set: InterventionRuleSet,
                   calendar: SchoolCalendar, day: date, previous: SchoolCalendar | None,
                   loaded: Mapping[date, DailySummary]) -> Mapping[date, DailySummary]:
        """Every row of one student from the earliest day the rule set's windows reach to `day`:
        one range query, only for a student entering a stage that lists its sessions."""
        first = min(rule_set_days(rule_set, calendar, day, previous_calendar=previous) | {calendar.start})
        if self._student_rows is not None:
            rows = self._student_rows.for_student(tenant_id, school_id, student_id, first, day)
        else:
            school_days = [d for c in (previous, calendar) if c is not None
                           for d in c.school_days_between(first, day)]
            by_date = self._summaries.on_dates(tenant_id, school_id, school_days)
            rows = [r for by_student in by_date.values() if (r := by_student.get(student_id)) is not None]
        return ChainMap({r.date: r for r in rows}, dict(loaded.items()))


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


def _rank(instance: StudentInterventionInstance) -> tuple[bool, date, date]:
    return instance.status is InstanceStatus.ACTIVE, instance.started_on, instance.closed_on or date.min


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


def _latest(instances: Iterable[StudentInterventionInstance],
            ) -> dict[tuple[str, str], StudentInterventionInstance]:
    """Each student's latest instance per rule set: the active one, else the newest."""
    latest: dict[tuple[str, str], StudentInterventionInstance] = {}
    rank = _rank
    for instance in instances:
        slot = (instance.student_id, instance.rule_set_id)
        if slot not in latest or rank(instance) > rank(latest[slot]):
            latest[slot] = instance
    return latest


def _history(instances: Iterable[StudentInterventionInstance],
             ) -> dict[tuple[str, str], tuple[StudentInterventionInstance, ...]]:
    """Every instance of each student per rule set, for a statutory track's limit."""
    found: dict[tuple[str, str], list[StudentInterventionInstance]] = {}
    for instance in instances:
        found.setdefault((instance.student_id, instance.rule_set_id), []).append(instance)
    return {slot: tuple(group) for slot, group in found.items()}


def _needed_days(rule_sets: list[InterventionRuleSet], versions: _Versions,
                 instances: Iterable[StudentInterventionInstance], calendar: SchoolCalendar, day: date,
                 previous: SchoolCalendar | None) -> set[date]:
    """Every earlier row any student needs tonight, for all students at once: the rule sets'
    windows, plus the entry day of each active instance without a baseline (stored before
    baselines, or escalated by a meeting's outcome), whose conditions read that day's row."""
    days: set[date] = set()
    for rule_set in rule_sets:
        days |= rule_set_days(rule_set, calendar, day, previous_calendar=previous)
    by_id = {r.id: r for r in rule_sets}
    for instance in instances:
        if (instance.status is InstanceStatus.ACTIVE and instance.stage_baseline is None
                and instance.rule_set_id in by_id):
            rule_set = versions.of(instance, by_id[instance.rule_set_id])
            days |= stage_days(rule_set.stage(instance.stage_order), calendar, day,
                               stage_entered_on=instance.stage_entered_on, previous_calendar=previous)
    return days

