"""Bench (e), mid-term: a night with many instances at the meeting stage, entered on many days.

The England preset's meeting stage escalates on `noImprovement`, which compares attendance since
the stage began with attendance on the day it began. Instances that keep that day's counters
(`StageBaseline`) need no row of it; instances stored before baselines make the night read the
school's rows of every distinct entry day. This seeds such instances (built with the real ladder
transitions, saved through the real store), runs the night without baselines, adds them, and
runs it again: the same decisions (a fixpoint: nothing is due yet), far fewer rows read.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bootstrap import Composition
from domain.attendance.calendar import SchoolCalendar
from domain.ladder.events import InterventionEvent
from domain.ladder.model import Finding, StudentInterventionInstance, StudentRef
from domain.ladder.rule_facts import ladder_of
from domain.ladder.transitions import approve, escalate_to_next, mark_done, queue_action, start
from domain.rules import InterventionRuleSet
from domain.rules.baseline import StageBaseline
from services.interventions.effects import Collected
from services.interventions.ports import StudentChange


def _at_meeting(rule_set: InterventionRuleSet, calendar: SchoolCalendar, student: StudentRef, on: date,
                baseline: StageBaseline) -> tuple[StudentInterventionInstance, list[InterventionEvent]]:
    """Letters 1 and 2 sent and the meeting held on `on` (escalated through: the waits waived)."""
    ladder, events = ladder_of(rule_set), list[InterventionEvent]()
    instance, new = start(ladder, student, None, Finding(True, ("seeded by the bench",)), on=on,
                          calendar=calendar, baseline=baseline)
    events += new
    for step in range(3):
        for move in (queue_action, approve, mark_done):
            instance, new = move(instance, on=on)
            events += new
        if step < 2:
            instance, new = escalate_to_next(instance, ladder, on=on, reason="bench", calendar=calendar,
                                             baseline=baseline)
            events += new
    return instance, events


def seed(container: Composition, tenant_id: str, school_id: str, rule_set: InterventionRuleSet, day: date,
         every: int = 2) -> list[StudentInterventionInstance]:
    """Every `every`-th student on roll on `day` without an instance gets one at the meeting
    stage, entered on one of the school days before `day` in turn; stored without baselines."""
    calendar = container.roster.reader.calendar_for(tenant_id, school_id, day)
    earlier = [d for d in calendar.school_days if d < day]
    taken = {i.student_id for i in container.interventions.store.instances(tenant_id, school_id)}
    on_roll = sorted(container.attendance.summary_store.on_dates(tenant_id, school_id, {day}).get(day, {}))
    chosen = [sid for sid in on_roll if sid not in taken][::every]
    entry = {sid: earlier[n % len(earlier)] for n, sid in enumerate(chosen)}
    rows = container.attendance.summary_store.on_dates(tenant_id, school_id, set(entry.values()))
    changes = []
    for sid, on in entry.items():
        instance, events = _at_meeting(rule_set, calendar, StudentRef(tenant_id, school_id, sid), on,
                                       StageBaseline.of(rows[on][sid]))
        found = Collected(sid, None)
        found.add(replace(instance, stage_baseline=None), events, None, on=on,
                  now=container.platform.clock.now())
        changes.append(found.change())
    refused = container.interventions.store.save(tenant_id, school_id, [c for c in changes if c is not None])
    assert not refused, refused
    return list(container.interventions.store.instances(tenant_id, school_id))


def add_baselines(container: Composition, tenant_id: str, school_id: str,
                  instances: list[StudentInterventionInstance]) -> int:
    """What a stage entered after this change keeps: the counters of its entry day."""
    old = [i for i in instances if i.stage_baseline is None and i.status.value == "ACTIVE"]
    rows = container.attendance.summary_store.on_dates(tenant_id, school_id,
                                                       {i.stage_entered_on for i in old})
    changes = [StudentChange(i.student_id, ((replace(i, stage_baseline=StageBaseline.of(
        rows[i.stage_entered_on][i.student_id])), ()),)) for i in old]
    refused = container.interventions.store.save(tenant_id, school_id, changes)
    assert not refused, refused
    return len(changes)
