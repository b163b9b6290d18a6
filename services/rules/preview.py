"""Trying rule sets on real data without acting: simulate one student's year under a saved or
draft rule set, and preview a draft's impact on a whole school next to the active rule sets.

Both read the school calendar of the date asked about (`until` / `date`, today by default) and
daily summaries from the start of that school year; nothing is written. A simulation without a
rule set replays every active one of the school: the support ladder and each statutory track.
Where a rule set's window reaches back across the summer, they also read the previous year's
calendar and its rows from the first day such a window needs (docs/rules.md, Windows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.summaries import DailySummary
from domain.ladder.model import StudentRef
from domain.ladder.rule_facts import rule_set_impact, simulate_rule_set
from domain.ladder.simulation import Impact, Timeline
from domain.platform.access import Principal
from domain.platform.errors import ValidationFailed
from domain.rules import InterventionRuleSet, Track, parse_rule_set
from domain.rules.required import previous_year_from
from services.attendance.ports import SummaryRepository
from services.attendance.school_years import previous_year
from services.interventions.ports import InterventionStore
from services.platform.ports import Clock
from services.roster.ports import RosterReader
from services.rules.ports import RuleSetReader
from services.rules.service import RuleSets

DRAFT_ID = "draft"


class YearRows(Protocol):
    def school_rows(self, tenant_id: str, school_id: str, first: date,
                    last: date) -> dict[str, list[DailySummary]]:
        """Every student's rows between the dates, one query per month partition."""
        ...


@dataclass(frozen=True)
class Simulation:
    rule_set: InterventionRuleSet
    timeline: Timeline


@dataclass(frozen=True)
class Preview:
    today: date
    draft: tuple[InterventionRuleSet, Impact]
    active: list[tuple[InterventionRuleSet, Impact]]


def draft_rule_set(body: Mapping[str, Any], tenant_id: str, school_id: str) -> InterventionRuleSet:
    """A rule set sent in a request to try out: validated like a saved one (422 naming the
    field); id optional."""
    return parse_rule_set({**body, "id": body.get("id") or DRAFT_ID, "tenantId": tenant_id,
                           "schoolId": school_id})


class RulePreviews:
    def __init__(self, rule_sets: RuleSets, reader: RuleSetReader, roster: RosterReader,
                 summaries: SummaryRepository, year_rows: YearRows, clock: Clock,
                 instances: InterventionStore | None = None) -> None:
        self._rule_sets, self._reader, self._roster = rule_sets, reader, roster
        self._summaries, self._year_rows, self._clock = summaries, year_rows, clock
        self._instances = instances

    def simulate(self, principal: Principal, tenant_id: str, school_id: str, student_id: str, *,
                 rule_set_id: str | None = None, version: int | None = None,
                 draft: Mapping[str, Any] | None = None, until: date | None = None) -> Simulation:
        """Exactly one of `rule_set_id` (newest version, or `version`) and `draft`."""
        if (rule_set_id is None) == (draft is None):
            raise ValidationFailed("send either ruleSetId or draft", field="ruleSetId")
        if draft is not None:
            rule_set = draft_rule_set(draft, tenant_id, school_id)
        else:
            assert rule_set_id is not None
            rule_set, _ = self._rule_sets.get(principal, tenant_id, rule_set_id, version)
            if rule_set.school_id not in (None, school_id):
                raise ValidationFailed(f"rule set {rule_set_id} belongs to another school",
                                       field="ruleSetId")
        return self._replay([rule_set], tenant_id, school_id, student_id, until)[0]

    def simulate_tracks(self, tenant_id: str, school_id: str, student_id: str, *,
                        until: date | None = None) -> list[Simulation]:
        """The student under every active rule set of the school, one per track (the support
        ladder and the statutory tracks beside it), support first."""
        rule_sets = sorted(self._reader.active_for_school(tenant_id, school_id),
                           key=lambda r: (r.track is not Track.SUPPORT, r.id))
        if not rule_sets:
            raise ValidationFailed("the school has no active rule set: install a preset, or send "
                                   "ruleSetId or draft", field="ruleSetId")
        return self._replay(rule_sets, tenant_id, school_id, student_id, until)

    def _replay(self, rule_sets: list[InterventionRuleSet], tenant_id: str, school_id: str, student_id: str,
                until: date | None) -> list[Simulation]:
        calendar, last = self._year(tenant_id, school_id, until)
        previous = previous_year(self._roster, tenant_id, school_id, calendar)
        first = min((previous_year_from(r, calendar, previous) or calendar.start for r in rule_sets),
                    default=calendar.start)
        rows = self._summaries.for_student(tenant_id, school_id, student_id, first, last)  # one query
        earlier = [r for r in rows if r.date < calendar.start]
        rows = rows[len(earlier):]
        # a statutory track's limit reaches back years: the notices stored before this year count
        before = [i for i in (self._instances.student_instances(tenant_id, school_id, student_id)
                              if self._instances else ()) if i.started_on < calendar.start]
        student = StudentRef(tenant_id, school_id, student_id)
        return [Simulation(rule_set, simulate_rule_set(rule_set, student, rows, calendar, until=last,
                                                       history=before, previous_calendar=previous,
                                                       previous_rows=earlier))
                for rule_set in rule_sets]

    def impact(self, tenant_id: str, school_id: str, draft: Mapping[str, Any],
               day: date | None = None) -> Preview:
        """The draft and each active rule set of the school, simulated for every student with
        rows this school year up to `day` (today by default)."""
        rule_set = draft_rule_set(draft, tenant_id, school_id)
        calendar, today = self._year(tenant_id, school_id, day)
        actives = self._reader.active_for_school(tenant_id, school_id)
        previous = previous_year(self._roster, tenant_id, school_id, calendar)
        reaches = [d for r in (rule_set, *actives) if (d := previous_year_from(r, calendar, previous))]
        rows = self._year_rows.school_rows(tenant_id, school_id, calendar.start, today)
        # the previous year's rows only for students on roll this year, read only if a window needs them
        before = ({} if not reaches or previous is None else
                  {sid: found for sid, found in self._year_rows.school_rows(
                      tenant_id, school_id, min(reaches), previous.end).items() if sid in rows})
        school = (tenant_id, school_id)

        def run(candidate: InterventionRuleSet) -> tuple[InterventionRuleSet, Impact]:
            return candidate, rule_set_impact(candidate, school, rows, calendar, today=today,
                                              previous_calendar=previous, previous_rows=before)
        return Preview(today, run(rule_set), [run(active) for active in actives])

    def _year(self, tenant_id: str, school_id: str, day: date | None) -> tuple[SchoolCalendar, date]:
        """The calendar of `day`'s school year and the day itself (at most the year's end)."""
        day = day or self._clock.now().date()
        calendar = self._roster.calendar_for(tenant_id, school_id, day)
        return calendar, min(day, calendar.end)
