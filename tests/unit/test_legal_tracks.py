"""The law's own tracks beside the support ladder, through the simulation (which runs the
nightly's `run_night` itself), written from the regulations' text:

- England, "Working together to improve school attendance" (DfE, August 2024), paras 174-200,
  and the national framework for penalty notices: a penalty notice must be considered when a
  pupil has 10 sessions of unauthorised absence (G, N, O, U) within a rolling period of 10
  school weeks; authorised absence never counts; at most two notices to the same parent for the
  same pupil within three years, after which other action is considered instead.
- Ireland, Education (Welfare) Act 2000 s.21(4)(a): the principal informs the educational
  welfare officer when a student is suspended for six days or more.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.attendance.summaries import DailySummary
from domain.ladder.model import InstanceStatus, StudentRef
from domain.ladder.rule_facts import simulate_rule_set
from domain.ladder.simulation import Timeline
from domain.rules import load_presets, parse_rule_set
from domain.rules.validation import RuleSetInvalid
from tests.unit.rules_examples import DAY_CAL, ENG, ENG_CAL, IE, days, pupil, rows, sessions

S = StudentRef("t", "s", "st-1")
SUPPORT, LEGAL = load_presets("ENG")
END = date(2025, 7, 22)


def england(absences: dict[date, tuple[str, str]]) -> list[DailySummary]:
    return list(rows(ENG_CAL, sessions(ENG_CAL, END, absences), END, ENG, pupil()).values())


def week(first: date, last: date, codes: tuple[str, str]) -> dict[date, tuple[str, str]]:
    return dict.fromkeys(ENG_CAL.school_days_between(first, last), codes)


def milestones(timeline: Timeline) -> list[tuple[date, str, int]]:
    return [(e.on, e.kind.value, e.stage_order) for e in timeline.entries]


HOLIDAY = week(date(2025, 2, 3), date(2025, 2, 7), ("G", "G"))  # a term-time holiday: 10 sessions


def test_the_threshold_met_while_attendance_is_above_90_percent_is_flagged_that_day() -> None:
    """10 sessions of G in one week of February: attendance stays about 95%, so the support
    ladder never starts, but the penalty framework's threshold is met on the Friday."""
    year = england(HOLIDAY)
    on_friday = next(r for r in year if r.date == date(2025, 2, 7))
    assert on_friday.attendance_percent is not None and on_friday.attendance_percent > 90
    assert simulate_rule_set(SUPPORT, S, year, ENG_CAL).entries == ()
    legal = simulate_rule_set(LEGAL, S, year, ENG_CAL, until=date(2025, 2, 7))
    assert milestones(legal) == [(date(2025, 2, 7), "STAGE_ENTERED", 1), (date(2025, 2, 7), "ESCALATED", 1)]
    assert simulate_rule_set(LEGAL, S, year, ENG_CAL, until=date(2025, 2, 6)).entries == ()  # 8 sessions
    count, listed = legal.entries[0].evidence
    assert count == ("10 sessions (5 days) of unauthorised absence that counts towards a penalty notice "
                     "in the last 10 school weeks")
    assert listed == ("the sessions that count: " + "; ".join(
        f"{d} February 2025 morning (G) and afternoon (G)" for d in range(3, 8)))


def test_a_pupil_absent_only_through_illness_never_enters_the_legal_track() -> None:
    """Authorised absence can neither start nor advance the legal track: ill every Monday and a
    whole week in November (72% attendance) climbs the support ladder only."""
    ill = {**{d: ("I", "I") for d in ENG_CAL.school_days if d.weekday() == 0},
           **week(date(2024, 11, 18), date(2024, 11, 22), ("I", "I"))}
    year = england(ill)
    assert simulate_rule_set(SUPPORT, S, year, ENG_CAL).entries  # the support ladder does its job
    legal = simulate_rule_set(LEGAL, S, year, ENG_CAL)
    assert legal.entries == () and legal.instance is None


def test_a_pupil_whose_support_letters_stopped_on_recovery_is_still_flagged() -> None:
    """Ill in the second week: the letters start and stop once attendance recovers (22 Nov). A
    June holiday later meets the threshold; the stopped ladder does not gate the legal track."""
    june = week(date(2025, 6, 2), date(2025, 6, 6), ("G", "G"))
    year = england({**week(date(2024, 9, 9), date(2024, 9, 13), ("I", "I")), **june})
    support = simulate_rule_set(SUPPORT, S, year, ENG_CAL)
    assert milestones(support)[-1] == (date(2024, 11, 22), "STOPPED", 3)  # and never again this year
    legal = simulate_rule_set(LEGAL, S, year, ENG_CAL)
    assert milestones(legal) == [(date(2025, 6, 6), "STAGE_ENTERED", 1), (date(2025, 6, 6), "ESCALATED", 1)]
    assert "September" not in " ".join(legal.entries[0].evidence)  # the illness is not listed


def test_two_notices_within_three_years_then_other_action_is_considered() -> None:
    """Truant every Monday: a notice on the 5th Monday, another on sessions not counted before,
    and from the third time the track proposes other action instead of a third notice."""
    legal = simulate_rule_set(LEGAL, S, england({d: ("O", "O") for d in ENG_CAL.school_days
                                                  if d.weekday() == 0}), ENG_CAL)
    entered = [(on, order) for on, kind, order in milestones(legal) if kind == "STAGE_ENTERED"]
    assert entered[:3] == [(date(2024, 9, 30), 1), (date(2024, 11, 11), 1), (date(2024, 12, 16), 2)]
    assert {order for _, order in entered[3:]} == {2}
    second, third = legal.entries[2].evidence, legal.entries[4].evidence
    assert "after 30 September 2024 (counted then for the last step)" in second[0]
    assert "30 September" not in second[1] and second[1].startswith("the sessions that count: 7 October 2024")
    assert third[0].startswith('"Consider a penalty notice (or first a notice to improve)" was already '
                               "acted on 2 times in the last 3 years (on 30 September 2024 and "
                               "11 November 2024)")
    assert "Consider other action" in third[0]


def test_notices_older_than_three_years_do_not_count_towards_the_limit() -> None:
    """The limit looks back three years from the day: a notice of 2021 and one of 2023 leave
    room for one more in February 2025 (the 2021 one has lapsed), none after 2022-02-08 would."""
    year = england(HOLIDAY)
    first = simulate_rule_set(LEGAL, S, year, ENG_CAL, until=date(2025, 2, 7)).instance
    assert first is not None and first.status is InstanceStatus.ESCALATED

    def notice(on: date, n: int):  # type: ignore[no-untyped-def]
        return replace(first, id=f"old-{n}", started_on=on, stage_entered_on=on, action_done_on=on,
                       closed_on=on)
    lapsed = [notice(date(2021, 11, 8), 1), notice(date(2023, 3, 6), 2)]
    assert milestones(simulate_rule_set(LEGAL, S, year, ENG_CAL, history=lapsed))[0] == (
        date(2025, 2, 7), "STAGE_ENTERED", 1)
    recent = [notice(date(2022, 3, 7), 1), notice(date(2023, 3, 6), 2)]
    assert milestones(simulate_rule_set(LEGAL, S, year, ENG_CAL, history=recent))[0] == (
        date(2025, 2, 7), "STAGE_ENTERED", 2)


def test_ireland_a_six_day_suspension_is_reported_on_its_own_track() -> None:
    """s.21(4)(a): suspended 3 days in October and 3 in November, with good attendance
    otherwise: the letters never start, the report is due the day the 6th day is reached."""
    letters, tusla, suspension = load_presets("IE")
    codes = {**dict.fromkeys(DAY_CAL.school_days_between(date(2024, 10, 8), date(2024, 10, 10)), "D"),
             **dict.fromkeys(DAY_CAL.school_days_between(date(2024, 11, 18), date(2024, 11, 20)), "D")}
    year = list(rows(DAY_CAL, days(DAY_CAL, date(2025, 6, 20), codes), date(2025, 6, 20), IE).values())
    assert simulate_rule_set(letters, S, year, DAY_CAL).entries == ()
    assert simulate_rule_set(tusla, S, year, DAY_CAL).entries == ()
    report = simulate_rule_set(suspension, S, year, DAY_CAL)
    assert milestones(report) == [(date(2024, 11, 20), "STAGE_ENTERED", 1),
                                  (date(2024, 11, 20), "ESCALATED", 1)]  # once a school year
    count, listed = report.entries[0].evidence
    assert count == "6 days of suspension this school year"
    assert listed.startswith("the sessions that count: 8 October 2024 morning (D) and afternoon (D)")
    five = {d: c for d, c in codes.items() if d != date(2024, 11, 20)}
    year = list(rows(DAY_CAL, days(DAY_CAL, date(2025, 6, 20), five), date(2025, 6, 20), IE).values())
    assert simulate_rule_set(suspension, S, year, DAY_CAL).entries == ()


@pytest.mark.parametrize(("change", "field"), [
    ({"stages": [{**LEGAL.stages[0].to_json(), "type": "LETTER_1"}]}, "stages[0].type"),
    ({"limit": None, "stages": [LEGAL.stages[0].to_json()]}, "repeatWithinYear"),
    ({"stages": [LEGAL.stages[0].to_json()]}, "stages"),
    ({"stages": [{**LEGAL.stages[0].to_json(), "entry": {
        "type": "absenceCountThreshold", "threshold": 6, "categories": ["explained", "suspended"]}}],
      "limit": None}, "stages[0].entry"),
])
def test_a_statutory_track_is_validated_on_write_naming_the_field(change, field) -> None:  # type: ignore[no-untyped-def]
    body = {**LEGAL.to_json(), **change}
    if change.get("limit", 1) is None:
        body.pop("limit")
    if field == "repeatWithinYear":
        body["track"] = "SUPPORT"
    with pytest.raises(RuleSetInvalid) as refused:
        parse_rule_set(body)
    assert field in [path for path, _ in refused.value.problems], refused.value.problems
