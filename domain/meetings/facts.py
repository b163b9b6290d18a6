"""What the nightly reads from a school's meetings: the facts the rule set's `meetingOutcome` and
`repeatedNoShows` conditions ask about, and which students a medical plan holds still.

- `last_outcome`: the outcome of the latest HELD meeting of the instance at its current stage.
- `no_shows`: NO_SHOW meetings of the instance, all stages together.
- A **medical plan** (a HELD meeting with outcome MEDICAL_PLAN) holds from the day it was agreed
  through its review date. While it holds, absences coded as illness or a medical appointment
  (`MEDICAL_CODES` of the school's jurisdiction) must not trigger letters: the instance it
  paused stays paused (domain/ladder/pause.py), and for the student's other rule sets the
  nightly starts and moves nothing as long as every absence since the plan was agreed is
  medical-coded (`held_still`). One absence with any other code and those run as usual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from domain.attendance.summaries import DailySummary, Status
from domain.ladder.model import StudentInterventionInstance
from domain.meetings.model import InterventionMeeting, MeetingOutcome, MeetingStatus
from domain.roster.schools import Jurisdiction
from domain.rules.context import InstanceFacts

# Illness and medical or dental appointments; California's excused code does not say why.
MEDICAL_CODES: dict[str, frozenset[str]] = {"ENG": frozenset({"I", "M"}), "IE": frozenset({"A"}),
                                            "US-CA": frozenset()}
_ABSENT = (Status.AUTHORISED_ABSENT, Status.UNAUTHORISED_ABSENT)


@dataclass(frozen=True, slots=True)
class MedicalPlan:
    student_id: str
    since: date  # the day the meeting agreed it
    review_on: date

    def holds_on(self, day: date) -> bool:
        return self.since <= day <= self.review_on


class MeetingFacts:
    """A school's meetings, grouped once per night."""

    def __init__(self, meetings: Iterable[InterventionMeeting]) -> None:
        self._by_instance: dict[str, list[InterventionMeeting]] = {}
        self._plans: dict[str, MedicalPlan] = {}
        for m in meetings:
            if m.instance_id is not None:
                self._by_instance.setdefault(m.instance_id, []).append(m)
            if m.status is MeetingStatus.HELD and m.outcome is MeetingOutcome.MEDICAL_PLAN and m.review_on:
                plan = MedicalPlan(m.student_id, m.held_on or m.review_on, m.review_on)
                known = self._plans.get(m.student_id)
                if known is None or plan.since > known.since:  # the latest plan agreed counts
                    self._plans[m.student_id] = plan

    def last_outcome(self, instance: StudentInterventionInstance | None) -> str | None:
        if instance is None:
            return None
        held = [m for m in self._by_instance.get(instance.id, ())
                if m.status is MeetingStatus.HELD and m.stage_order == instance.stage_order and m.outcome]
        if not held:
            return None
        latest = max(held, key=lambda m: (m.held_on or date.min, m.updated_at))
        return latest.outcome.value if latest.outcome else None

    def no_shows(self, instance: StudentInterventionInstance | None) -> int:
        if instance is None:
            return 0
        return sum(m.status is MeetingStatus.NO_SHOW for m in self._by_instance.get(instance.id, ()))

    def facts(self, recorded: InstanceFacts, instance: StudentInterventionInstance | None) -> InstanceFacts:
        """`recorded` with the instance's last meeting outcome and no-shows filled in."""
        if instance is None or instance.id not in self._by_instance:
            return recorded
        return replace(recorded, last_meeting_outcome=self.last_outcome(instance),
                       no_shows=self.no_shows(instance))

    def plan(self, student_id: str, day: date) -> MedicalPlan | None:
        plan = self._plans.get(student_id)
        return plan if plan is not None and plan.holds_on(day) else None

    def plans_on(self, day: date) -> list[MedicalPlan]:
        return [p for p in self._plans.values() if p.holds_on(day)]


def _medical(status: Status, code: str | None, codes: frozenset[str]) -> bool:
    return status not in _ABSENT or (code or "").upper() in codes


def held_still(plan: MedicalPlan, rows: Mapping[date, DailySummary], school_days: Iterable[date],
               jurisdiction: Jurisdiction | str) -> bool:
    """True while every absence on `school_days` (the school days from the day after the plan was
    agreed through tonight) is medical-coded. A day with no row counts as no absence."""
    codes = MEDICAL_CODES.get(str(jurisdiction), frozenset())
    for day in school_days:
        row = rows.get(day)
        if row is None or day <= plan.since:
            continue
        if not (_medical(row.am_status, row.am_reason_code, codes)
                and _medical(row.pm_status, row.pm_reason_code, codes)):
            return False
    return True
