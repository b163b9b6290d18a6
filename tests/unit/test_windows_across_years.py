"""Windows that reach back across the summer into the previous school year.

DfE, "Working together to improve school attendance" (August 2024), and its National framework
for penalty notices: the national threshold is "10 sessions of unauthorised absence in a rolling
period of 10 school weeks"; "a school week means any week in which there is at least one school
session"; and "the period of 10 school weeks can also span different terms or school years (e.g.
2 sessions of unauthorised absence in the Summer Term and a further 8 within the Autumn Term)".

The same reach applies to every windowed condition: a count of the last N school days on the
second day of September counts the end of July. Where the year before cannot be counted, the
evidence says so (docs/rules.md, Windows)."""

from __future__ import annotations

from datetime import date

from domain.attendance.summaries import DailySummary
from domain.ladder.model import StudentRef
from domain.ladder.rule_facts import rule_set_impact, simulate_rule_set
from domain.rules import parse_rule_set
from domain.rules.conditions import (
    AbsenceCountThreshold,
    AttendancePercentThreshold,
    TardyCountThreshold,
    TruancyThreshold,
)
from domain.rules.evaluate import required_days
from domain.rules.required import previous_year_from
from tests.unit.rules_examples import CA, ENG, ENG_CAL, ENG_PREVIOUS, check, days, pupil, rows, sessions

D = date
PENALTY = AbsenceCountThreshold(threshold=10, categories=["penalty"], window_school_weeks=10)
ON_ROLL = pupil(D(2023, 9, 1))  # on roll both years


def _years(last_year: dict[date, tuple[str, str]], this_year: dict[date, tuple[str, str]],
           through: date) -> tuple[dict[date, DailySummary], dict[date, DailySummary]]:
    before = rows(ENG_PREVIOUS, sessions(ENG_PREVIOUS, ENG_PREVIOUS.end, last_year), ENG_PREVIOUS.end, ENG,
                  student=ON_ROLL)
    after = rows(ENG_CAL, sessions(ENG_CAL, through, this_year), through, ENG, student=ON_ROLL)
    return before, after


# the guidance's own example: 2 sessions in the summer term, a further 8 in the autumn term
SUMMER = {D(2024, 7, 18): ("G", "G")}  # a term-time holiday on the last Thursday of 2023/24
AUTUMN = {D(2024, 9, 9): ("N", "N"), D(2024, 9, 10): ("N", "N"), D(2024, 9, 11): ("O", "O"),
          D(2024, 9, 12): ("U", "U")}


def test_two_sessions_in_the_summer_term_and_eight_in_the_autumn_meet_the_threshold() -> None:
    last_year, this_year = _years(SUMMER, AUTUMN, D(2024, 9, 13))
    both = {**last_year, **this_year}
    met = check(PENALTY, ENG_CAL, both, D(2024, 9, 12), previous_calendar=ENG_PREVIOUS)
    assert met == (True, ("10 sessions (5 days) of unauthorised absence that counts towards a penalty notice "
                          "in the last 10 school weeks",))
    # the day before, 8 of them: 2 in July and 6 in September
    assert not check(PENALTY, ENG_CAL, both, D(2024, 9, 11), previous_calendar=ENG_PREVIOUS).met


def test_without_last_years_calendar_or_rows_the_evidence_says_what_was_not_counted() -> None:
    last_year, this_year = _years(SUMMER, AUTUMN, D(2024, 9, 13))
    unknown = check(PENALTY, ENG_CAL, {**last_year, **this_year}, D(2024, 9, 12))
    assert unknown == (False, (
        "8 sessions (4 days) of unauthorised absence that counts towards a penalty notice in the last 10 "
        "school weeks",
        "the 8 school weeks before this school year could not be counted: the previous school year's "
        "calendar is not stored"))
    unrecorded = check(PENALTY, ENG_CAL, this_year, D(2024, 9, 12), previous_calendar=ENG_PREVIOUS)
    assert unrecorded.evidence[1:] == ("nothing is recorded for the student in the last 8 school weeks of "
                                       "2023-24",)
    assert not unrecorded.met
    # Fri 15 Nov is in the 10th school week (half term is not one): the window is this year's
    _, autumn = _years({}, AUTUMN, D(2024, 11, 15))
    assert check(PENALTY, ENG_CAL, autumn, D(2024, 11, 15)) == (False, (
        "8 sessions (4 days) of unauthorised absence that counts towards a penalty notice in the last 10 "
        "school weeks",))


def test_a_school_day_window_reaches_back_too() -> None:
    """On Tue 3 Sep 2024 (the year's 2nd school day) the last 5 school days are 17-19 July and
    2-3 September; the row before them is Tuesday 16 July's."""
    last_year, this_year = _years({D(2024, 7, 17): ("N", "N"), D(2024, 7, 16): ("O", "O")},
                                  {D(2024, 9, 3): ("G", "/")}, D(2024, 9, 3))
    five_days = AbsenceCountThreshold(threshold=3, categories=["penalty"], window_school_days=5)
    assert required_days(five_days, ENG_CAL, D(2024, 9, 3), previous_calendar=ENG_PREVIOUS) == {
        D(2024, 7, 19), D(2024, 7, 16)}
    both = {**last_year, **this_year}
    assert check(five_days, ENG_CAL, both, D(2024, 9, 3), previous_calendar=ENG_PREVIOUS) == (
        True, ("3 sessions (1.5 days) of unauthorised absence that counts towards a penalty notice in the "
               "last 5 school days",))  # 17 Jul's two and 3 Sep's one; 16 Jul's are outside
    percent = AttendancePercentThreshold(threshold=80, window_school_days=5)
    assert check(percent, ENG_CAL, both, D(2024, 9, 3), previous_calendar=ENG_PREVIOUS) == (
        True, ("attendance in the last 5 school days is 70% (80% or more is expected)",))
    late = TardyCountThreshold(threshold=1, window_school_days=5)
    assert check(late, ENG_CAL, both, D(2024, 9, 3)).evidence == (
        "late 0 times in the last 5 school days",
        "the 3 school days before this school year could not be counted: the previous school year's "
        "calendar is not stored")


def test_a_californian_truancy_window_reaches_back() -> None:
    """A district counting truancies in the last 10 school days (EC 48260 counts the school year;
    a district may look at a shorter window too): two in June, one on the first day back."""
    june = days(ENG_PREVIOUS, ENG_PREVIOUS.end, {D(2024, 7, 17): "U", D(2024, 7, 18): "T30"})
    last_year = rows(ENG_PREVIOUS, june, ENG_PREVIOUS.end, CA, student=ON_ROLL)
    this_year = rows(ENG_CAL, days(ENG_CAL, D(2024, 9, 2), {D(2024, 9, 2): "U"}), D(2024, 9, 2), CA,
                     student=ON_ROLL)
    ten_days = TruancyThreshold(threshold=3, window_school_days=10)
    outcome = check(ten_days, ENG_CAL, {**last_year, **this_year}, D(2024, 9, 2),
                    previous_calendar=ENG_PREVIOUS)
    assert outcome == (True, ("truant 3 times in the last 10 school days: 2 days absent without a valid "
                              "excuse and 1 time late or absent for more than 30 minutes without one",))


PENALTY_ONLY = parse_rule_set({
    "id": "penalty", "jurisdiction": "ENG", "name": "The national threshold",
    "stages": [{"order": 1, "type": "ESCALATION", "name": "Consider a penalty notice", "waitSchoolDays": 0,
                "requiresApproval": True, "entry": PENALTY.model_dump(mode="json", by_alias=True)}]})


def test_simulate_counts_last_years_sessions_from_the_first_day_it_needs() -> None:
    last_year, this_year = _years(SUMMER, AUTUMN, D(2024, 9, 20))
    # on the year's first day the window takes 9 weeks of 2023/24, skipping its half term
    assert previous_year_from(PENALTY_ONLY, ENG_CAL, ENG_PREVIOUS) == D(2024, 5, 10)
    assert previous_year_from(PENALTY_ONLY, ENG_CAL, None) is None
    student = StudentRef("t", "s", ON_ROLL.student_id)
    with_last_year = simulate_rule_set(PENALTY_ONLY, student, list(this_year.values()), ENG_CAL,
                                       previous_calendar=ENG_PREVIOUS, previous_rows=list(last_year.values()))
    assert with_last_year.stage_dates() == [(1, D(2024, 9, 12))]
    assert with_last_year.entries[0].evidence[0].startswith("10 sessions (5 days)")
    this_year_only = simulate_rule_set(PENALTY_ONLY, student, list(this_year.values()), ENG_CAL)
    assert this_year_only.stage_dates() == []  # only 8 sessions this year
    impact = rule_set_impact(PENALTY_ONLY, ("t", "s"), {ON_ROLL.student_id: list(this_year.values())},
                             ENG_CAL, today=D(2024, 9, 20), previous_calendar=ENG_PREVIOUS,
                             previous_rows={ON_ROLL.student_id: list(last_year.values())})
    assert impact.entered == {1: 1}
