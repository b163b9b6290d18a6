"""Shared by the ladder and simulation tests: a calendar, ladders and fake facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.attendance.calendar import DateRange, SchoolCalendar
from domain.ladder.model import (
    Finding,
    Ladder,
    LadderStage,
    StageType,
    StudentInterventionInstance,
    StudentRef,
)
from domain.ladder.nightly import Night, run_night
from domain.ladder.transitions import start

# England 2024/25; autumn half term is 28 Oct - 1 Nov 2024.
CAL = SchoolCalendar(
    "2024/25", date(2024, 9, 2), date(2025, 7, 22),
    terms=[DateRange("Autumn", date(2024, 9, 2), date(2024, 12, 20)),
           DateRange("Spring", date(2025, 1, 6), date(2025, 4, 4)),
           DateRange("Summer", date(2025, 4, 22), date(2025, 7, 22))],
    holidays=[DateRange("Autumn half term", date(2024, 10, 28), date(2024, 11, 1)),
              DateRange("Spring half term", date(2025, 2, 17), date(2025, 2, 21))])

STUDENT = StudentRef("tenant-1", "school-1", "student-1")
MONDAY = date(2024, 9, 9)


def four_stages(*, cool_off: int = 0, between_letters: bool = False, meeting_approval: bool = True) -> Ladder:
    return Ladder("rs-1", 1, (
        LadderStage(1, StageType.LETTER_1, wait_school_days=5, template_key="letter-1"),
        LadderStage(2, StageType.LETTER_2, wait_school_days=5, template_key="letter-2"),
        LadderStage(3, StageType.MEETING, wait_school_days=3, requires_approval=meeting_approval),
        LadderStage(4, StageType.ESCALATION)),
        cool_off_school_days=cool_off, intervention_between_letters=between_letters)


@dataclass
class FakeFacts:
    """Conditions by stage order: `entry` orders whose entry holds, `stop`/`escalation` likewise.
    `asked` records what was evaluated, to check the nightly asks lazily."""

    entry: set[int] = field(default_factory=lambda: {1, 2, 3, 4})
    stop: set[int] = field(default_factory=set)
    escalation: set[int] = field(default_factory=set)
    asked: list[tuple[str, int]] = field(default_factory=list)

    def _finding(self, name: str, orders: set[int], order: int) -> Finding:
        self.asked.append((name, order))
        met = order in orders
        return Finding(met, (f"{name} {order} {'met' if met else 'not met'}",))

    def facts(self) -> _Facts:
        return _Facts(self)


@dataclass
class _Facts:
    spec: FakeFacts

    def entry(self, order: int) -> Finding:
        return self.spec._finding("entry", self.spec.entry, order)

    def stop(self, order: int) -> Finding:
        return self.spec._finding("stop", self.spec.stop, order)

    def escalation(self, order: int) -> Finding:
        return self.spec._finding("escalation", self.spec.escalation, order)


def started(ladder: Ladder | None = None, on: date = MONDAY) -> StudentInterventionInstance:
    instance, _ = start(ladder or four_stages(), STUDENT, None, Finding(True, ("14 sessions missed",)), on=on,
                        calendar=CAL)
    return instance


def night(ladder: Ladder, latest: StudentInterventionInstance | None, spec: FakeFacts, on: date) -> Night:
    return run_night(ladder, STUDENT, latest, spec.facts(), on=on, calendar=CAL)


