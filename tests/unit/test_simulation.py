"""Simulation: worked examples under the shipped presets, the impact preview, and agreement with
the ladder driven night by night the way the scheduler drives it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date

import pytest

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.codes import CodeTable
from domain.attendance.summaries import DailySummary, Status, Totals
from domain.ladder.events import EventKind, InterventionEvent, verify_chain
from domain.ladder.model import ActionState, Finding, InstanceStatus, StudentInterventionInstance, StudentRef
from domain.ladder.nightly import run_night
from domain.ladder.rule_facts import RuleFacts, ladder_of, rule_set_impact, simulate_rule_set
from domain.ladder.simulation import SIMULATED, simulate
from domain.ladder.statutory import counted_days, lists_sessions
from domain.ladder.transitions import approve, log_intervention, mark_done
from domain.rules import (
    EvaluationContext,
    InterventionRuleSet,
    load_preset,
    load_presets,
    rule_set_days,
    stage_days,
)
from domain.rules.baseline import StageBaseline
from tests.unit.ladder_helpers import CAL, FakeFacts, four_stages
from tests.unit.rules_examples import CA, DAY_CAL, ENG, ENG_CAL, IE, days, pupil, rows, sessions

S = StudentRef("t", "s", "st-1")
ENG_END, DAY_END = date(2025, 7, 22), date(2025, 6, 20)


def eng_rows(absences: dict[date, tuple[str, str]], start: date = date(2024, 9, 1)) -> list[DailySummary]:
    return list(rows(ENG_CAL, sessions(ENG_CAL, ENG_END, absences), ENG_END, ENG, pupil(start)).values())


def day_rows(codes_by_day: dict[date, str], table: CodeTable) -> list[DailySummary]:
    return list(rows(DAY_CAL, days(DAY_CAL, DAY_END, codes_by_day), DAY_END, table).values())


def every(weekday: int, cal: SchoolCalendar, code: object) -> dict:
    return {d: code for d in cal.school_days if d.weekday() == weekday}


MONDAYS_TRUANT = every(0, ENG_CAL, ("O", "O"))  # 80% attendance, 2 penalty sessions a week
ILL_IN_WEEK_2 = {d: ("I", "I") for d in ENG_CAL.school_days_between(date(2024, 9, 9), date(2024, 9, 13))}


def milestones(timeline) -> list[tuple[date, str, int]]:  # type: ignore[no-untyped-def]
    return [(e.on, e.kind.value, e.stage_order) for e in timeline.entries]


def test_england_a_pupil_truant_every_monday_climbs_the_whole_ladder() -> None:
    timeline = simulate_rule_set(load_preset("ENG"), S, eng_rows(MONDAYS_TRUANT), ENG_CAL)
    assert milestones(timeline) == [
        (date(2024, 9, 20), "STAGE_ENTERED", 1),  # the 15th school day: 30 possible sessions
        (date(2024, 10, 4), "STAGE_ENTERED", 2),  # 10 school days after letter 1
        (date(2024, 10, 18), "STAGE_ENTERED", 3),
        # 20 school days after the meeting, across half term: no improvement; the meeting is the
        # support ladder's last step, so staff take it on from there
        (date(2024, 11, 22), "ESCALATED", 3),
    ]
    assert timeline.entries[0].evidence == ("attendance this school year is 80% (more than 90% is expected)",)
    assert "an improvement of 2 points or more was hoped for" in timeline.entries[3].evidence[0]
    # escalated this year: not restarted, though attendance stays at 80% until July
    assert timeline.instance is not None and timeline.instance.status is InstanceStatus.ESCALATED


def test_england_a_week_of_illness_is_stopped_once_attendance_recovers() -> None:
    timeline = simulate_rule_set(load_preset("ENG"), S, eng_rows(ILL_IN_WEEK_2), ENG_CAL)
    assert milestones(timeline) == [
        (date(2024, 9, 20), "STAGE_ENTERED", 1), (date(2024, 10, 4), "STAGE_ENTERED", 2),
        (date(2024, 10, 18), "STAGE_ENTERED", 3), (date(2024, 11, 22), "STOPPED", 3)]
    assert timeline.entries[-1].evidence == ("attendance in the last 20 school days is 100% and this school "
                                             "year 90.91% (90% or more was hoped for)",)


def test_ireland_twenty_days_for_any_reason_reaches_tusla() -> None:
    """Ill every Friday (explained absence): letters at 10 and 15 days; the report to Tusla at 20
    (Education (Welfare) Act 2000 s.21(4)(b)) on its own track, once."""
    letters, tusla, suspension = load_presets("IE")
    year = day_rows(every(4, DAY_CAL, "A"), IE)
    timeline = simulate_rule_set(letters, S, year, DAY_CAL)
    assert milestones(timeline)[:2] == [
        (date(2024, 11, 15), "STAGE_ENTERED", 1),  # the 10th Friday (none in the October break)
        (date(2024, 12, 20), "STAGE_ENTERED", 2)]
    assert [e.evidence for e in timeline.entries[:2]] == [
        ("10 days missed this school year",), ("15 days missed this school year",)]
    report = simulate_rule_set(tusla, S, year, DAY_CAL)
    assert milestones(report) == [(date(2025, 1, 24), "STAGE_ENTERED", 1),
                                  (date(2025, 1, 24), "ESCALATED", 1)]
    assert report.entries[0].evidence == ("20 days missed this school year",)
    assert simulate_rule_set(suspension, S, year, DAY_CAL).entries == ()  # illness is no suspension


def test_california_letters_wait_for_an_intervention_between_them() -> None:
    year = day_rows(every(2, DAY_CAL, "U"), CA)  # unexcused every Wednesday
    assumed = simulate_rule_set(load_preset("US-CA"), S, year, DAY_CAL)
    assert milestones(assumed) == [
        (date(2024, 9, 18), "STAGE_ENTERED", 1), (date(2024, 10, 9), "STAGE_ENTERED", 2),
        (date(2024, 10, 23), "STAGE_ENTERED", 3), (date(2024, 11, 13), "STAGE_ENTERED", 4),
        (date(2024, 11, 13), "ESCALATED", 4)]
    logged = [e for e in assumed.events if e.kind is EventKind.INTERVENTION_LOGGED]
    assert [(e.on, e.stage_order, e.actor) for e in logged] == [(date(2024, 9, 18), 1, SIMULATED)]
    strict = simulate_rule_set(load_preset("US-CA"), S, year, DAY_CAL, assume_interventions=False)
    assert milestones(strict) == [(date(2024, 9, 18), "STAGE_ENTERED", 1)]
    assert strict.instance is not None and strict.instance.action is ActionState.DONE


def test_until_cuts_the_replay_and_a_pupil_with_good_attendance_never_starts() -> None:
    cut = simulate_rule_set(load_preset("ENG"), S, eng_rows(MONDAYS_TRUANT), ENG_CAL, until=date(2024, 10, 3))
    assert milestones(cut) == [(date(2024, 9, 20), "STAGE_ENTERED", 1)]
    fine = simulate_rule_set(load_preset("ENG"), S, eng_rows({}), ENG_CAL)
    assert fine.entries == () and fine.events == () and fine.instance is None


def test_simulate_assumes_same_day_approval_and_completion() -> None:
    rows_ = [DailySummary("st-1", d, CAL.index_of(d), Status.PRESENT, Status.PRESENT, None, None, Totals(), 0)
             for d in CAL.school_days[:30]]
    timeline = simulate(four_stages(), S, rows_, CAL, lambda row, instance: FakeFacts().facts())
    sent = [(e.kind, e.actor) for e in timeline.events if e.stage_order == 1]
    assert sent == [(EventKind.STAGE_ENTERED, None), (EventKind.ACTION_QUEUED, None),
                    (EventKind.APPROVED, SIMULATED), (EventKind.LETTER_SENT, SIMULATED)]
    assert [order for order, _ in timeline.stage_dates()] == [1, 2, 3, 4]


def test_the_impact_preview_counts_students_by_stage() -> None:
    school = {"truant": eng_rows(MONDAYS_TRUANT), "ill": eng_rows(ILL_IN_WEEK_2), "fine": eng_rows({}),
              "joined-late": eng_rows(MONDAYS_TRUANT, start=date(2024, 10, 7))}
    rule_set = load_preset("ENG")
    on_4_oct = rule_set_impact(rule_set, ("t", "s"), school, ENG_CAL, today=date(2024, 10, 4))
    assert (on_4_oct.students, on_4_oct.at_stage, on_4_oct.entering_today) == (4, {2: 2}, {2: 2})
    assert on_4_oct.entered == {1: 2, 2: 2} and on_4_oct.closed == {}
    year = rule_set_impact(rule_set, ("t", "s"), school, ENG_CAL, today=ENG_END)
    assert year.entered == {1: 3, 2: 3, 3: 3} and year.at_stage == {}
    assert year.closed == {InstanceStatus.ESCALATED: 2, InstanceStatus.STOPPED: 1}


# --- the simulation agrees with the nightly ------------------------------------------------------


def drive_nightly(rule_set: InterventionRuleSet, calendar: SchoolCalendar,
                  rows_by_student: dict[str, list[DailySummary]],
                  baselines: bool = True) -> dict[str, list[InterventionEvent]]:
    """The scheduler's loop, in memory: each school day, each student's context holds only the
    rows `rule_set_days`/`stage_days` ask for, the night runs twice (a re-run), staff approve
    the queue, the letter goes the same day and an intervention is logged between letters.
    `baselines=False`: instances as stored before baselines (their conditions read the rows)."""
    ladder = ladder_of(rule_set)
    latest: dict[str, StudentInterventionInstance] = {}
    seen: dict[str, dict[str, StudentInterventionInstance]] = defaultdict(dict)  # every instance, by student
    stored: dict[str, list[InterventionEvent]] = defaultdict(list)  # by instance id
    by_date = {sid: {r.date: r for r in student_rows} for sid, student_rows in rows_by_student.items()}
    for day in calendar.school_days:
        for sid, rows_on in by_date.items():
            if day not in rows_on:
                continue
            for attempt in range(2):
                instance = latest.get(sid)
                ctx = _loaded(rule_set, calendar, rows_on, day, instance)
                baseline = StageBaseline.of(rows_on[day]) if baselines else None
                night = run_night(ladder, StudentRef("t", "s", sid), instance,
                                  RuleFacts(rule_set, ctx, instance, seen[sid].values()), on=day,
                                  calendar=calendar, baseline=baseline)
                if night.instance is not None and lists_sessions(rule_set, night.events):
                    # the scheduler's second look, with every row, for the sessions' list
                    every = replace(ctx, rows=rows_on, every_row=True)
                    night = run_night(ladder, StudentRef("t", "s", sid), instance,
                                      RuleFacts(rule_set, every, instance, seen[sid].values()), on=day,
                                      calendar=calendar, baseline=baseline)
                assert attempt == 0 or night.events == (), "a re-run of the night changed something"
                if night.instance is not None:
                    latest[sid] = seen[sid][night.instance.id] = night.instance
                    stored[night.instance.id] += night.events
            instance, due = latest.get(sid), night.due
            if instance is None or due is None:
                continue
            instance, approved = approve(instance, on=day, actor="attendance.officer")
            instance, sent = mark_done(instance, on=day)
            extra: tuple[InterventionEvent, ...] = ()
            following = ladder.next_after(instance.stage_order)
            if (instance.status is InstanceStatus.ACTIVE and ladder.intervention_between_letters
                    and instance.stage_type.is_letter and following is not None and following.type.is_letter):
                instance, extra = log_intervention(instance, on=day, actor="attendance.officer",
                                                   reason="phone call")
            latest[sid] = seen[sid][instance.id] = instance
            stored[instance.id] += (*approved, *sent, *extra)
    for instance in latest.values():  # what storage holds verifies against each instance's head
        assert verify_chain(stored[instance.id], head=instance.last_hash) is None
    by_student: dict[str, list[InterventionEvent]] = defaultdict(list)
    for events in stored.values():
        for event in events:
            by_student[event.student_id].append(event)
    return by_student


def _loaded(rule_set: InterventionRuleSet, calendar: SchoolCalendar, rows_on: dict[date, DailySummary],
            day: date, instance: StudentInterventionInstance | None) -> EvaluationContext:
    """The context the scheduler builds: today's row and only the rows the rule set asks for."""
    needed = rule_set_days(rule_set, calendar, day)
    if instance is not None and instance.status is InstanceStatus.ACTIVE and instance.stage_baseline is None:
        needed |= stage_days(rule_set.stage(instance.stage_order), calendar, day,
                             stage_entered_on=instance.stage_entered_on)
    needed |= counted_days([rule_set], [instance] if instance is not None else [], min(needed | {day}))
    return EvaluationContext(calendar, day, rows_on[day], {d: rows_on[d] for d in needed if d in rows_on})


def _story(events) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The events without who did them, nor the words staff logged an intervention with (the
    simulation's staff steps are SIMULATED, not a person)."""
    return sorted((e.on, e.instance_id, e.sequence, e.kind, e.stage_order, e.evidence,
                   None if e.kind is EventKind.INTERVENTION_LOGGED else e.reason) for e in events)


@pytest.mark.parametrize(("jurisdiction", "track", "calendar", "school"), [
    ("ENG", 0, ENG_CAL, lambda: {"truant": eng_rows(MONDAYS_TRUANT), "ill": eng_rows(ILL_IN_WEEK_2),
                                 "fine": eng_rows({}),
                                 "joined-in-january": eng_rows(MONDAYS_TRUANT, start=date(2025, 1, 13))}),
    ("ENG", 1, ENG_CAL, lambda: {"truant": eng_rows(MONDAYS_TRUANT), "ill": eng_rows(ILL_IN_WEEK_2),
                                 "holiday": eng_rows({d: ("G", "G") for d in ENG_CAL.school_days_between(
                                     date(2025, 2, 3), date(2025, 2, 7))})}),
    ("US-CA", 0, DAY_CAL, lambda: {"wednesdays": day_rows(every(2, DAY_CAL, "U"), CA),
                                   "late-on-tuesdays": day_rows(every(1, DAY_CAL, "T30"), CA)}),
    ("IE", 0, DAY_CAL, lambda: {"fridays": day_rows(every(4, DAY_CAL, "A"), IE),
                                "unexplained-mondays": day_rows(every(0, DAY_CAL, "F"), IE)}),
    ("IE", 1, DAY_CAL, lambda: {"fridays": day_rows(every(4, DAY_CAL, "A"), IE)}),
    ("IE", 2, DAY_CAL, lambda: {"suspended-mondays": day_rows(every(0, DAY_CAL, "D"), IE)}),
], ids=["ENG", "ENG-penalty", "US-CA", "IE", "IE-20-days", "IE-suspension"])
@pytest.mark.parametrize("baselines", [True, False], ids=["baselines", "stored-before-baselines"])
def test_simulation_agrees_with_the_nightly_over_the_same_data(jurisdiction: str, track: int,  # type: ignore[no-untyped-def]
                                                               calendar: SchoolCalendar, school,
                                                               baselines: bool) -> None:
    rule_set = load_presets(jurisdiction)[track]
    data = school()
    nightly = drive_nightly(rule_set, calendar, data, baselines)
    assert nightly, "nobody climbed the ladder: the comparison would prove nothing"
    for sid, student_rows in data.items():
        simulated = simulate_rule_set(rule_set, StudentRef("t", "s", sid), student_rows, calendar)
        assert _story(simulated.events) == _story(nightly.get(sid, [])), sid


def test_a_fake_fact_finding_is_the_protocol_the_rules_outcome_also_meets() -> None:
    from domain.rules import Outcome

    assert Finding(True, ("x",))._fields == Outcome(True, ("x",))._fields
