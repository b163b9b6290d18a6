"""Simulation: replay a student's school year through the ladder, night by night.

Each of the student's school days runs `run_night`, the same function the nightly scheduler
runs, so a simulation agrees with real nightly runs over the same data by construction. What
staff would do in between is assumed, and the dates are therefore the earliest the ladder allows:

- every queued action is approved, and done (letter sent, meeting scheduled, escalation
  made), the same school day it was queued; nobody skips or snoozes;
- where the rule set asks for an intervention between two letters, one is logged the day the
  first letter is sent (`assume_interventions=False` shows where the ladder would wait instead);
- meetings, cases and exemptions are whatever `facts_for` reports; the simulation invents none.

The assumed staff steps carry the actor `SIMULATED`, the nightly's own steps the system's (None).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.summaries import DailySummary
from domain.ladder.events import EventKind, InterventionEvent
from domain.ladder.model import (
    ActionState,
    InstanceStatus,
    Ladder,
    StageFacts,
    StudentInterventionInstance,
    StudentRef,
)
from domain.ladder.nightly import run_night
from domain.ladder.transitions import approve, log_intervention, mark_done
from domain.rules.baseline import StageBaseline
from domain.rules.ruleset import StageType

SIMULATED = "simulation"

# Today's facts for a student, given today's row and their latest instance (None: never started).
FactsFor = Callable[[DailySummary, StudentInterventionInstance | None], StageFacts]

_MILESTONES = (EventKind.STAGE_ENTERED, EventKind.STOPPED, EventKind.ESCALATED, EventKind.COMPLETED)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    on: date
    kind: EventKind  # STAGE_ENTERED, STOPPED, ESCALATED or COMPLETED
    stage_order: int
    stage_type: StageType
    evidence: tuple[str, ...]
    reason: str | None


@dataclass(frozen=True, slots=True)
class Timeline:
    student_id: str
    entries: tuple[TimelineEntry, ...]
    events: tuple[InterventionEvent, ...]  # every event, across the student's instances
    instance: StudentInterventionInstance | None  # the latest instance at the end

    def stage_dates(self) -> list[tuple[int, date]]:
        """(stage order, date entered), in order; a restarted ladder appears again."""
        return [(e.stage_order, e.on) for e in self.entries if e.kind is EventKind.STAGE_ENTERED]


def assume_staff(instance: StudentInterventionInstance | None, ladder: Ladder, on: date, *,
                 assume_interventions: bool = True) -> tuple[StudentInterventionInstance | None,
                                                             list[InterventionEvent]]:
    """What the simulation assumes staff do on `on`: approve, do, and log an intervention."""
    events: list[InterventionEvent] = []
    if instance is None or instance.status is not InstanceStatus.ACTIVE:
        return instance, events
    if instance.action is ActionState.QUEUED:
        instance, new = approve(instance, on=on, actor=SIMULATED)
        events += new
    if instance.action is ActionState.APPROVED:
        instance, new = mark_done(instance, on=on, actor=SIMULATED)
        events += new
    following = ladder.next_after(instance.stage_order)
    letters_next = instance.stage_type.is_letter and following is not None and following.type.is_letter
    if (assume_interventions and ladder.intervention_between_letters and letters_next
            and instance.status is InstanceStatus.ACTIVE and instance.action is ActionState.DONE
            and not instance.intervention_since_done):
        instance, new = log_intervention(instance, on=on, actor=SIMULATED,
                                         reason="assumed: an intervention between the letters")
        events += new
    return instance, events


def simulate(ladder: Ladder, student: StudentRef, rows: Iterable[DailySummary], calendar: SchoolCalendar,
             facts_for: FactsFor, *, until: date | None = None,
             assume_interventions: bool = True) -> Timeline:
    """Replay `rows` (the student's daily summaries, one per enrolled school day) up to `until`."""
    latest: StudentInterventionInstance | None = None
    events: list[InterventionEvent] = []
    for row in sorted(rows, key=lambda r: r.date):
        if until is not None and row.date > until:
            break
        night = run_night(ladder, student, latest, facts_for(row, latest), on=row.date, calendar=calendar,
                          baseline=StageBaseline.of(row))  # as the nightly keeps it
        latest, assumed = assume_staff(night.instance, ladder, row.date,
                                       assume_interventions=assume_interventions)
        events += (*night.events, *assumed)
    types = {s.order: s.type for s in ladder.stages}
    entries = tuple(TimelineEntry(e.on, e.kind, e.stage_order, types[e.stage_order], e.evidence, e.reason)
                    for e in events if e.kind in _MILESTONES)
    return Timeline(student.student_id, entries, tuple(events), latest)


@dataclass(frozen=True, slots=True)
class Impact:
    """What a rule set would do to a school, from simulating every student up to `today`."""

    today: date
    students: int
    at_stage: Mapping[int, int]  # students whose instance is active at each stage today
    entering_today: Mapping[int, int]  # students entering each stage today
    entered: Mapping[int, int]  # students entering each stage at least once this year, up to today
    closed: Mapping[InstanceStatus, int]  # students with at least one instance closed each way


def impact(ladder: Ladder, school: tuple[str, str], rows_by_student: Mapping[str, Sequence[DailySummary]],
           calendar: SchoolCalendar, facts_for: Callable[[str], FactsFor], *, today: date) -> Impact:
    """Simulate each student (`facts_for(student_id)` gives their facts) and count the stages.
    `school` is (tenant id, school id)."""
    at_stage: Counter[int] = Counter()
    entering: Counter[int] = Counter()
    entered: Counter[int] = Counter()
    closed: Counter[InstanceStatus] = Counter()
    for student_id, rows in rows_by_student.items():
        timeline = simulate(ladder, StudentRef(*school, student_id), rows, calendar, facts_for(student_id),
                            until=today)
        entered.update({order for order, _ in timeline.stage_dates()})
        entering.update({order for order, on in timeline.stage_dates() if on == today})
        closed.update({_CLOSED_BY[e.kind] for e in timeline.entries if e.kind in _CLOSED_BY})
        if timeline.instance is not None and timeline.instance.status is InstanceStatus.ACTIVE:
            at_stage[timeline.instance.stage_order] += 1
    return Impact(today, len(rows_by_student), dict(at_stage), dict(entering), dict(entered), dict(closed))


_CLOSED_BY = {EventKind.STOPPED: InstanceStatus.STOPPED, EventKind.ESCALATED: InstanceStatus.ESCALATED,
              EventKind.COMPLETED: InstanceStatus.COMPLETED}
