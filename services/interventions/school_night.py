"""One school's night as the nightly reads it once: the active rule sets, the calendar (and last
year's), every instance of the school and its meetings. The evaluation (scheduler.py) and the
housekeeping (housekeeping.py) both work from it, so neither reads the school's instances or
meetings a second time. `NightResult` holds the night's counters, which the job run keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from domain.attendance.calendar import SchoolCalendar
from domain.ladder.model import InstanceStatus, StudentInterventionInstance
from domain.meetings.model import InterventionMeeting
from domain.rules import InterventionRuleSet
from services.attendance.school_years import previous_year
from services.interventions.ports import InterventionStore
from services.meetings.ports import MeetingReader
from services.roster.ports import RosterReader
from services.rules.ports import RuleSetReader


@dataclass
class NightResult:
    counters: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + n


@dataclass(frozen=True)
class SchoolNight:
    tenant_id: str
    school_id: str
    day: date
    rule_sets: list[InterventionRuleSet]
    calendar: SchoolCalendar
    previous: SchoolCalendar | None  # last school year's calendar, when there is one
    instances: list[StudentInterventionInstance]
    # each student's latest instance per rule set: (student id, rule set id) -> instance
    latest: dict[tuple[str, str], StudentInterventionInstance]
    meetings: list[InterventionMeeting]


class NightReader:
    def __init__(self, rules: RuleSetReader, roster: RosterReader, store: InterventionStore,
                 meetings: MeetingReader) -> None:
        self._rules, self._roster, self._store, self._meetings = rules, roster, store, meetings

    def read(self, tenant_id: str, school_id: str, day: date, result: NightResult) -> SchoolNight | None:
        """The school's night; None when there is nothing to evaluate (no active rule set, or
        not a school day), which costs no read of instances or meetings."""
        rule_sets = self._rules.active_for_school(tenant_id, school_id)
        result.count("ruleSets", len(rule_sets))
        if not rule_sets:
            return None
        calendar = self._roster.calendar_for(tenant_id, school_id, day)
        if not calendar.is_school_day(day):
            return None
        previous = previous_year(self._roster, tenant_id, school_id, calendar)
        instances = self._store.instances(tenant_id, school_id)
        return SchoolNight(tenant_id, school_id, day, rule_sets, calendar, previous, instances,
                           _latest(instances), self._meetings.school(tenant_id, school_id))


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


def _rank(instance: StudentInterventionInstance) -> tuple[bool, date, date]:
    return instance.status is InstanceStatus.ACTIVE, instance.started_on, instance.closed_on or date.min
