"""domain/rules: each attendance condition from worked examples on hand-made calendars and marks.

Every context holds only the rows `required_days` asked for, so these also prove that list is
enough; `test_windows_agree_with_counting_day_by_day` checks the windows against brute force."""

from __future__ import annotations

import random
from datetime import date

import pytest

from domain.attendance.normalize import SessionMark, group_marks
from domain.attendance.summaries import Status
from domain.rules.conditions import (
    AbsenceCountThreshold,
    All,
    Any,
    AttendancePercentThreshold,
    ConsecutiveAbsenceDays,
    DateWindow,
    Not,
    TardyCountThreshold,
    TruancyThreshold,
)
from domain.rules.evaluate import evaluate, required_days
from tests.unit.rules_examples import (
    CA,
    DAY_CAL,
    ENG,
    ENG_CAL,
    ENG_PREVIOUS,
    IE,
    check,
    context,
    days,
    pupil,
    rows,
    sessions,
)

D = date


# --- absence counts -------------------------------------------------------------------------------

IRISH_AUTUMN = {D(2024, 9, 10): "A", D(2024, 9, 11): "A",  # before the window
                D(2024, 10, 4): "F",  # the last day before the 40-day window: not counted
                D(2024, 10, 7): "A", D(2024, 10, 8): "A", D(2024, 11, 4): "B",
                D(2024, 11, 5): "F", D(2024, 11, 6): "F", D(2024, 11, 20): "F", D(2024, 12, 6): "H"}


def test_sessions_missed_in_the_last_40_school_days_with_the_unexplained_ones() -> None:
    """Fri 6 Dec: the last 40 school days are 7 Oct - 6 Dec (the October break is not counted).
    7 days missed in them, 3 of them unexplained (F); a day-based mark is two sessions."""
    all_rows = rows(DAY_CAL, days(DAY_CAL, D(2024, 12, 6), IRISH_AUTUMN), D(2024, 12, 6), IE)
    condition = AbsenceCountThreshold(threshold=14, window_school_days=40)
    outcome = check(condition, DAY_CAL, all_rows, D(2024, 12, 6))
    assert outcome.met
    assert outcome.evidence == (
        "14 sessions (7 days) missed in the last 40 school days, 6 of them unexplained",)
    fifteen = condition.model_copy(update={"threshold": 15})
    assert not check(fifteen, DAY_CAL, all_rows, D(2024, 12, 6)).met


def test_counting_in_days_and_year_to_date() -> None:
    all_rows = rows(DAY_CAL, days(DAY_CAL, D(2024, 12, 6), IRISH_AUTUMN), D(2024, 12, 6), IE)
    outcome = check(AbsenceCountThreshold(threshold=10, unit="days"), DAY_CAL, all_rows, D(2024, 12, 6))
    assert outcome == (True, ("10 days missed this school year, 4 of them unexplained",))
    more = AbsenceCountThreshold(threshold=10.5, unit="days")
    assert not check(more, DAY_CAL, all_rows, D(2024, 12, 6)).met


@pytest.mark.parametrize(("categories", "count", "phrase"), [
    (("unexplained",), 4, "of absence with no reason given"),
    (("explained",), 6, "of absence with a reason given"),
    (("authorised",), 6, "of authorised absence"),
    (("explained", "unexplained"), 10,
     "missed (absence with a reason given or absence with no reason given)"),
])
def test_chosen_categories(categories: tuple[str, ...], count: int, phrase: str) -> None:
    all_rows = rows(DAY_CAL, days(DAY_CAL, D(2024, 12, 6), IRISH_AUTUMN), D(2024, 12, 6), IE)
    condition = AbsenceCountThreshold(threshold=count, unit="days", categories=categories)
    outcome = check(condition, DAY_CAL, all_rows, D(2024, 12, 6))
    assert outcome.met
    assert outcome.evidence == (f"{count} days {phrase} this school year",)
    one_more = condition.model_copy(update={"threshold": count + 1})
    assert not check(one_more, DAY_CAL, all_rows, D(2024, 12, 6)).met


def test_the_irish_20_days_are_reached_by_illness_alone() -> None:
    """s.21(4)(b): 20 days absent for any reason, explained ones included."""
    ill = {d: "A" for d in DAY_CAL.school_days_between(D(2025, 1, 6), D(2025, 1, 31))}  # 20 school days
    all_rows = rows(DAY_CAL, days(DAY_CAL, D(2025, 1, 31), ill), D(2025, 1, 31), IE)
    twenty = AbsenceCountThreshold(threshold=20, unit="days")
    assert check(twenty, DAY_CAL, all_rows, D(2025, 1, 31)) == (True, ("20 days missed this school year",))
    assert not check(twenty, DAY_CAL, all_rows, D(2025, 1, 30)).met  # 19 the day before
    unexplained = AbsenceCountThreshold(threshold=20, unit="days", categories=["unexplained"])
    assert not check(unexplained, DAY_CAL, all_rows, D(2025, 1, 31)).met


# --- England's penalty framework: 10 G/N/O/U sessions in a rolling 10 school weeks -------------------

PENALTY = AbsenceCountThreshold(threshold=10, categories=["penalty"], window_school_weeks=10)
AUTUMN_ABSENCES = {
    D(2024, 9, 20): ("O", "O"),  # the Friday before the 10 school weeks: outside
    D(2024, 9, 23): ("N", "N"),  # the Monday they start: inside, because half term is not a school week
    D(2024, 10, 1): ("I", "I"),  # illness is authorised: never counted
    D(2024, 11, 18): ("G", "G"), D(2024, 11, 19): ("G", "G"),
    D(2024, 11, 20): ("G", "G"), D(2024, 11, 21): ("U", "/"), D(2024, 11, 22): ("/", "U"),
}


def test_penalty_window_spans_the_half_term() -> None:
    """Fri 6 Dec 2024: the last 10 school weeks run from Mon 23 Sep, skipping the half-term week,
    so the N sessions of 23 Sep count (ten calendar weeks would start on 30 Sep)."""
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 12, 9), AUTUMN_ABSENCES), D(2024, 12, 9), ENG)
    outcome = check(PENALTY, ENG_CAL, all_rows, D(2024, 12, 6))
    assert outcome.met
    assert outcome.evidence == ("10 sessions (5 days) of unauthorised absence that counts towards a "
                                "penalty notice in the last 10 school weeks",)
    assert required_days(PENALTY, ENG_CAL, D(2024, 12, 6)) == {D(2024, 9, 20)}


def test_penalty_window_rolls_on_and_the_weekend_keeps_fridays_answer() -> None:
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 12, 9), AUTUMN_ABSENCES), D(2024, 12, 9), ENG)
    assert check(PENALTY, ENG_CAL, all_rows, D(2024, 12, 8)).met  # Sunday: Friday's window
    monday = check(PENALTY, ENG_CAL, all_rows, D(2024, 12, 9))  # a new school week: 23 Sep drops out
    assert not monday.met and monday.evidence[0].startswith("8 sessions (4 days)")


def test_a_week_of_the_current_one_counts_as_a_school_week() -> None:
    """Wed 2 Oct: weeks of 2 Sep ... 30 Sep are five school weeks; all unauthorised absence so far."""
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 10, 2), AUTUMN_ABSENCES), D(2024, 10, 2), ENG)
    outcome = check(PENALTY.model_copy(update={"threshold": 4, "window_school_weeks": 5}),
                    ENG_CAL, all_rows, D(2024, 10, 2))
    assert outcome.met and outcome.evidence[0].startswith("4 sessions (2 days)")
    one_week = PENALTY.model_copy(update={"threshold": 1, "window_school_weeks": 1})
    assert not check(one_week, ENG_CAL, all_rows, D(2024, 10, 2)).met  # 30 Sep - 2 Oct: only illness


def test_penalty_window_reaches_into_the_previous_school_year() -> None:
    """Fri 13 Sep 2024 is in the second school week of the year, so the other eight come from the
    end of 2023/24: 20 May - 19 Jul 2024 (the May half term is not a school week)."""
    before = {D(2024, 5, 17): ("G", "G"),  # before those eight weeks
              D(2024, 5, 20): ("G", "G"), D(2024, 7, 18): ("O", "O")}
    last_year = rows(ENG_PREVIOUS, sessions(ENG_PREVIOUS, D(2024, 7, 19), before), D(2024, 7, 19), ENG,
                     student=pupil(D(2023, 9, 1)))
    this_year = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 9, 13), {
        D(2024, 9, 9): ("N", "N"), D(2024, 9, 10): ("N", "N"), D(2024, 9, 11): ("G", "G")}),
        D(2024, 9, 13), ENG)
    all_rows = {**last_year, **this_year}
    # last year's final row, and the row before its part of the window
    assert required_days(PENALTY, ENG_CAL, D(2024, 9, 13), previous_calendar=ENG_PREVIOUS) == {
        D(2024, 7, 19), D(2024, 5, 17)}
    outcome = check(PENALTY, ENG_CAL, all_rows, D(2024, 9, 13), previous_calendar=ENG_PREVIOUS)
    assert outcome.met and outcome.evidence[0].startswith("10 sessions (5 days)")  # 4 last year + 6
    eleven = PENALTY.model_copy(update={"threshold": 11})
    assert not check(eleven, ENG_CAL, all_rows, D(2024, 9, 13), previous_calendar=ENG_PREVIOUS).met
    # without last year's calendar, or its rows, only this year's 6 count
    assert not check(PENALTY, ENG_CAL, all_rows, D(2024, 9, 13)).met
    assert not check(PENALTY, ENG_CAL, this_year, D(2024, 9, 13), previous_calendar=ENG_PREVIOUS).met
    # Fri 8 Nov is in the 9th school week (half term skipped) and still reaches back one week;
    # Fri 15 Nov is in the 10th: the window is this year's from its first day, no row needed
    assert required_days(PENALTY, ENG_CAL, D(2024, 11, 8), previous_calendar=ENG_PREVIOUS) == {
        D(2024, 7, 19), D(2024, 7, 12)}
    assert required_days(PENALTY, ENG_CAL, D(2024, 11, 15), previous_calendar=ENG_PREVIOUS) == set()


# --- attendance percentage ------------------------------------------------------------------------

SEPTEMBER = {D(2024, 9, 10): ("I", "I"), D(2024, 9, 17): ("N", "/"), D(2024, 9, 20): ("M", "M")}
PA = AttendancePercentThreshold(threshold=90, min_possible_sessions=30)


def test_attendance_below_the_expected_percentage() -> None:
    """Fri 27 Sep: 20 school days, 40 sessions, 5 missed: 35 / 40 = 87.5%."""
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 9, 27), SEPTEMBER), D(2024, 9, 27), ENG)
    assert check(PA, ENG_CAL, all_rows, D(2024, 9, 27)) == (
        True, ("attendance this school year is 87.5% (90% or more is expected)",))
    assert not check(PA.model_copy(update={"threshold": 87.5}), ENG_CAL, all_rows, D(2024, 9, 27)).met


def test_too_few_possible_sessions_are_not_judged() -> None:
    """Fri 13 Sep: 20 possible sessions, 2 missed (90%), below the 30-session guard."""
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 9, 13), SEPTEMBER), D(2024, 9, 13), ENG)
    strict = PA.model_copy(update={"threshold": 95})
    assert check(strict, ENG_CAL, all_rows, D(2024, 9, 13)) == (
        False, ("only 20 sessions could be attended this school year; attendance is judged from 30 on",))
    lower_guard = strict.model_copy(update={"min_possible_sessions": 20})
    assert check(lower_guard, ENG_CAL, all_rows, D(2024, 9, 13)).met


def test_at_or_below_matches_the_dfe_persistent_absence_line() -> None:
    """36 / 40 = 90.0% exactly: persistent absence (absence >= 10%) but not below 90%."""
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 9, 27), {**SEPTEMBER, D(2024, 9, 17): ("/", "/")}),
                    D(2024, 9, 27), ENG)
    assert all_rows[D(2024, 9, 27)].persistent_absence
    assert not check(PA, ENG_CAL, all_rows, D(2024, 9, 27)).met
    at_or_below = PA.model_copy(update={"at_or_below": True})
    assert check(at_or_below, ENG_CAL, all_rows, D(2024, 9, 27)) == (
        True, ("attendance this school year is 90% (more than 90% is expected)",))


def test_attendance_in_a_window_and_unmarked_sessions_are_mentioned() -> None:
    """Mon 23 - Fri 27 Sep: one session missed and one never marked: 8 / 10 attended."""
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 9, 27), {**SEPTEMBER, D(2024, 9, 24): ("N", ""),
                                                                 }), D(2024, 9, 27), ENG)
    outcome = check(AttendancePercentThreshold(threshold=95, window_school_days=5), ENG_CAL, all_rows,
                    D(2024, 9, 27))
    assert outcome == (True, ("attendance in the last 5 school days is 80% (95% or more is expected); "
                              "1 session still has no mark",))


# --- runs, lateness, truancy ----------------------------------------------------------------------

def test_consecutive_absence_days_across_a_weekend() -> None:
    ill = {D(2024, 10, 3): ("I", "I"), D(2024, 10, 4): ("I", "I"), D(2024, 10, 7): ("N", "N")}
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 10, 8), ill), D(2024, 10, 8), ENG)
    three = ConsecutiveAbsenceDays(threshold=3)
    assert check(three, ENG_CAL, all_rows, D(2024, 10, 7)) == (
        True, ("absent 3 school days in a row, up to 7 October 2024",))
    assert not check(ConsecutiveAbsenceDays(threshold=4), ENG_CAL, all_rows, D(2024, 10, 7)).met
    assert check(three, ENG_CAL, all_rows, D(2024, 10, 8)) == (
        False, ("not absent all day on 8 October 2024",))


def test_late_sessions_in_a_window() -> None:
    late = {D(2024, 9, 3): ("L", "/"), D(2024, 9, 16): ("L", "/"), D(2024, 9, 17): ("L", "L"),
            D(2024, 9, 20): ("U", "/")}  # U: after the register closed, an absence, not a late
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 9, 20), late), D(2024, 9, 20), ENG)
    assert check(TardyCountThreshold(threshold=4), ENG_CAL, all_rows, D(2024, 9, 20)) == (
        True, ("late 4 times this school year",))
    in_window = TardyCountThreshold(threshold=4, window_school_days=5)
    assert check(in_window, ENG_CAL, all_rows, D(2024, 9, 20)) == (
        False, ("late 3 times in the last 5 school days",))


def test_late_days_on_a_day_based_register() -> None:
    """A day-based L fills both sessions: count it once with unit days."""
    all_rows = rows(DAY_CAL, days(DAY_CAL, D(2024, 9, 13), {D(2024, 9, 3): "L", D(2024, 9, 9): "L"}),
                    D(2024, 9, 13), IE)
    assert check(TardyCountThreshold(threshold=2, unit="days"), DAY_CAL, all_rows, D(2024, 9, 13)) == (
        True, ("late on 2 days this school year",))
    assert not check(TardyCountThreshold(threshold=3, unit="days"), DAY_CAL, all_rows, D(2024, 9, 13)).met


CALIFORNIA_SEPTEMBER = {D(2024, 9, 4): "U", D(2024, 9, 5): "E", D(2024, 9, 10): "T30", D(2024, 9, 11): "T",
                        D(2024, 9, 12): "E", D(2024, 9, 18): "U"}


def test_tardies_over_30_minutes() -> None:
    all_rows = rows(DAY_CAL, days(DAY_CAL, D(2024, 9, 20), CALIFORNIA_SEPTEMBER), D(2024, 9, 20), CA)
    assert check(TardyCountThreshold(threshold=1, kind="over30"), DAY_CAL, all_rows, D(2024, 9, 20)) == (
        True, ("late or absent for more than 30 minutes without a valid excuse 1 time this school year",))
    assert not check(TardyCountThreshold(threshold=2, kind="over30"), DAY_CAL, all_rows, D(2024, 9, 20)).met


def test_truancy_counts_unexcused_days_and_long_tardies_together() -> None:
    """EC 48260: 2 unexcused days + 1 unexcused tardy over 30 minutes = truant (3); excused
    absences (E) and short tardies (T) do not count."""
    all_rows = rows(DAY_CAL, days(DAY_CAL, D(2024, 9, 20), CALIFORNIA_SEPTEMBER), D(2024, 9, 20), CA)
    outcome = check(TruancyThreshold(threshold=3), DAY_CAL, all_rows, D(2024, 9, 20))
    assert outcome == (True, ("truant 3 times this school year: 2 days absent without a valid excuse and "
                              "1 time late or absent for more than 30 minutes without one",))
    assert not check(TruancyThreshold(threshold=3), DAY_CAL, all_rows, D(2024, 9, 17)).met  # 2 so far
    assert not check(TruancyThreshold(threshold=4), DAY_CAL, all_rows, D(2024, 9, 20)).met


# --- dates and combinators ------------------------------------------------------------------------

def test_date_window_by_term_and_by_dates() -> None:
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 12, 6), {}), D(2024, 12, 6), ENG)
    assert check(DateWindow(term="autumn"), ENG_CAL, all_rows, D(2024, 12, 6)) == (
        True, ("6 December 2024 is in the autumn term",))
    assert not check(DateWindow(term="Spring"), ENG_CAL, all_rows, D(2024, 12, 6)).met
    window = DateWindow.model_validate({"type": "dateWindow", "from": "2024-09-01", "to": "2024-10-31"})
    assert check(window, ENG_CAL, all_rows, D(2024, 12, 6)) == (
        False, ("6 December 2024 is not between 1 September 2024 and 31 October 2024",))
    assert check(DateWindow(to_date=D(2024, 12, 6)), ENG_CAL, all_rows, D(2024, 12, 6)).met


def test_all_any_not_and_their_evidence() -> None:
    """A met `all` shows every part; an unmet one only the parts that failed. A met `any` shows
    the parts that held; an unmet one all of them. `not` passes its part's evidence on."""
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 9, 27), SEPTEMBER), D(2024, 9, 27), ENG)
    low = PA  # met: 87.5%
    autumn = DateWindow(term="Autumn")  # met
    run = ConsecutiveAbsenceDays(threshold=3)  # not met
    pct = "attendance this school year is 87.5% (90% or more is expected)"
    term = "27 September 2024 is in the Autumn term"
    no_run = "not absent all day on 27 September 2024"
    assert check(All(conditions=(low, autumn)), ENG_CAL, all_rows, D(2024, 9, 27)) == (True, (pct, term))
    assert check(All(conditions=(low, run)), ENG_CAL, all_rows, D(2024, 9, 27)) == (False, (no_run,))
    assert check(Any(conditions=(run, low)), ENG_CAL, all_rows, D(2024, 9, 27)) == (True, (pct,))
    assert check(Any(conditions=(run, Not(condition=low))), ENG_CAL, all_rows, D(2024, 9, 27)) == (
        False, (no_run, pct))
    nested = All(conditions=(Not(condition=run), Any(conditions=(run, low))))
    assert check(nested, ENG_CAL, all_rows, D(2024, 9, 27)) == (True, (no_run, pct))


# --- edges and the window arithmetic --------------------------------------------------------------

def test_nothing_recorded_yet() -> None:
    outcome = check(PA, ENG_CAL, {}, D(2024, 8, 30))
    assert outcome == (False, ("no attendance has been recorded for this school year yet",))


def test_a_window_reaching_before_enrolment_counts_from_the_first_day_on_roll() -> None:
    """Joined Mon 4 Nov: the row before the 40-day window (4 Oct) does not exist; all their
    absence so far is inside it."""
    joiner = pupil(D(2024, 11, 4))
    marks = days(DAY_CAL, D(2024, 12, 6), {D(2024, 11, 5): "F", D(2024, 11, 6): "A"})
    all_rows = rows(DAY_CAL, marks, D(2024, 12, 6), IE, student=joiner)
    outcome = check(AbsenceCountThreshold(threshold=4, window_school_days=40), DAY_CAL, all_rows,
                    D(2024, 12, 6))
    assert outcome == (
        True, ("4 sessions (2 days) missed in the last 40 school days, 2 of them unexplained",))


def test_required_days() -> None:
    friday = D(2024, 12, 6)
    assert required_days(PA, ENG_CAL, friday) == set()  # year to date: today's row only
    assert required_days(AbsenceCountThreshold(threshold=1, window_school_days=40), ENG_CAL, friday) == {
        D(2024, 10, 4)}  # the window is 7 Oct - 6 Dec: eight school weeks, the half term skipped
    both = All(conditions=(AbsenceCountThreshold(threshold=1, window_school_days=5), Not(condition=PENALTY)))
    assert required_days(both, ENG_CAL, D(2024, 12, 8)) == {D(2024, 11, 29), D(2024, 9, 20)}


_COUNTED = {"any": {Status.AUTHORISED_ABSENT, Status.UNAUTHORISED_ABSENT}}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_windows_agree_with_counting_day_by_day(seed: int) -> None:
    """Random marks: every window's count equals the sessions counted one by one over its days."""
    rnd = random.Random(seed)
    pool = ["/"] * 10 + ["L", "I", "N", "G", "O", "U", "M", "X", ""]
    year = ENG_CAL.school_days_between(ENG_CAL.start, D(2025, 3, 28))
    marks = group_marks(SessionMark(d, s, c) for d in year for s in ("AM", "PM") if (c := rnd.choice(pool)))
    all_rows = rows(ENG_CAL, marks, D(2025, 3, 28), ENG)
    for as_of in (D(2024, 9, 6), D(2024, 11, 4), D(2024, 12, 15), D(2025, 2, 24), D(2025, 3, 28)):
        for window in ({"window_school_days": 1}, {"window_school_days": 17}, {"window_school_weeks": 1},
                       {"window_school_weeks": 10}, {}):
            n_days, n_weeks = window.get("window_school_days"), window.get("window_school_weeks")
            end = ENG_CAL.last_school_day_on_or_before(as_of)
            covered = (ENG_CAL.last_n_school_days(end, n_days) if n_days else
                       ENG_CAL.last_n_school_weeks(end, n_weeks) if n_weeks else
                       ENG_CAL.school_days_between(ENG_CAL.start, end))
            statuses = [(r.am_status, r.am_reason_code) for r in map(all_rows.get, covered)] + [
                (r.pm_status, r.pm_reason_code) for r in map(all_rows.get, covered)]
            expected = {"any": sum(s in _COUNTED["any"] for s, _ in statuses),
                        "penalty": sum(code in {"G", "N", "O", "U"} for _, code in statuses)}
            for category, count in expected.items():
                exact = AbsenceCountThreshold(threshold=max(count, 1), categories=[category], **window)
                assert check(exact, ENG_CAL, all_rows, as_of).met is (count >= 1), (as_of, window, category)
                above = exact.model_copy(update={"threshold": count + 1})
                assert not check(above, ENG_CAL, all_rows, as_of).met, (as_of, window, category)


def test_evaluation_reads_no_more_than_the_rows_it_was_given() -> None:
    """The context is what evaluate sees: with the window's earlier row withheld the count is the
    year's, which shows the window really is the difference of two rows."""
    all_rows = rows(DAY_CAL, days(DAY_CAL, D(2024, 12, 6), IRISH_AUTUMN), D(2024, 12, 6), IE)
    condition = AbsenceCountThreshold(threshold=1, window_school_days=40)
    full = context(condition, DAY_CAL, all_rows, D(2024, 12, 6))
    assert len(full.rows) == 1
    withheld = type(full)(DAY_CAL, D(2024, 12, 6), full.today, {})
    assert evaluate(condition, full).evidence[0].startswith("14 sessions")
    assert evaluate(condition, withheld).evidence[0].startswith("20 sessions")
