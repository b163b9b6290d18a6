"""domain/attendance/normalize.py and domain/attendance/summaries.py: daily summary rows from worked
examples."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from domain.attendance.calendar import DateRange, SchoolCalendar
from domain.attendance.codes import UnknownCode, load_code_table
from domain.attendance.normalize import (
    BaselineMismatch,
    SessionMark,
    baseline_date,
    full_year,
    group_marks,
    recompute,
)
from domain.attendance.summaries import DailySummary, Status, Totals, window
from domain.roster.schools import Jurisdiction, Student

ENG = load_code_table(Jurisdiction.ENGLAND)
IE = load_code_table(Jurisdiction.IRELAND)
CA = load_code_table(Jurisdiction.CALIFORNIA)

CAL = SchoolCalendar(
    "2024/25", date(2024, 9, 2), date(2025, 7, 22),
    holidays=[DateRange("Autumn half term", date(2024, 10, 28), date(2024, 11, 1)),
              DateRange("Christmas", date(2024, 12, 21), date(2025, 1, 5)),
              DateRange("Easter", date(2025, 4, 5), date(2025, 4, 21)),
              DateRange("Early May bank holiday", date(2025, 5, 5), date(2025, 5, 5))])
DAY_BASED = SchoolCalendar("2024/25", date(2024, 8, 28), date(2025, 6, 27))


def pupil(start: date = date(2024, 9, 1), end: date | None = None) -> Student:
    return Student(tenant_id="t", school_id="s", student_id="st-1", sis_id="1", forename="A", surname="B",
                   enrolment_start=start, enrolment_end=end)


def sessions(*days: tuple[date, str, str]) -> dict:
    """(date, AM code, PM code) per day; "" leaves a session unmarked."""
    return group_marks(SessionMark(d, s, c) for d, am, pm in days for s, c in (("AM", am), ("PM", pm)) if c)


def whole_days(*days: tuple[date, str]) -> dict:
    return group_marks(SessionMark(d, "DAY", c) for d, c in days)


def rows_by_date(marks: dict, end: date, codes=ENG, cal=CAL, student=None) -> dict[date, DailySummary]:
    return {r.date: r for r in full_year(student or pupil(), cal, marks, end, codes=codes)}


def random_year(seed: int) -> list[SessionMark]:
    rnd = random.Random(seed)
    pool = ["/"] * 12 + ["L", "I", "N", "G", "M", "B", "X", "O", "U", "Y1", ""]
    return [SessionMark(d, s, c) for d in CAL.school_days for s in ("AM", "PM") if (c := rnd.choice(pool))]


def test_a_present_day() -> None:
    row = rows_by_date(sessions((date(2024, 9, 2), "/", "\\")), date(2024, 9, 2))[date(2024, 9, 2)]
    assert (row.am_status, row.pm_status) == (Status.PRESENT, Status.PRESENT)
    assert (row.am_reason_code, row.pm_reason_code) == ("/", "\\")
    assert row.school_day_index == 1
    assert row.attendance_percent == Decimal("100.00")


def test_half_day_absence_is_half_a_day() -> None:
    """totalAbsenceDaysYTD = absence sessions (authorised + unauthorised) / 2, .5 allowed."""
    row = rows_by_date(sessions((date(2024, 9, 2), "/", "I")), date(2024, 9, 2))[date(2024, 9, 2)]
    assert (row.am_status, row.pm_status) == (Status.PRESENT, Status.AUTHORISED_ABSENT)
    assert row.pm_reason_code == "I"
    assert row.total_absence_days == Decimal("0.5")
    assert row.attendance_percent == Decimal("50.00")
    assert row.consecutive_absence_days == 0  # a session attended breaks (here: never starts) a run


@pytest.mark.parametrize("code", ["X", "Y1", "Y2", "Y3", "Y4", "Z", "#", "D"])
def test_not_required_sessions_are_not_possible(code: str) -> None:
    """A possible session is any session not NOT_REQUIRED; attendancePercent is null when there
    are no possible sessions."""
    row = rows_by_date(sessions((date(2024, 9, 2), code, code)), date(2024, 9, 2))[date(2024, 9, 2)]
    assert (row.am_status, row.pm_status) == (Status.NOT_REQUIRED, Status.NOT_REQUIRED)
    assert row.totals.possible_sessions == 0
    assert row.attendance_percent is None
    assert not row.persistent_absence


def test_late_is_attended_and_u_is_unauthorised_and_penalty_countable() -> None:
    """attendancePercent = (present + late + approved-activity sessions) / possible x 100."""
    marks = sessions((date(2024, 9, 2), "L", "U"), (date(2024, 9, 3), "B", "G"), (date(2024, 9, 4), "I", "M"))
    totals = rows_by_date(marks, date(2024, 9, 4))[date(2024, 9, 4)].totals
    assert totals == Totals(possible_sessions=6, late_sessions=1, approved_activity_sessions=1,
                            authorised_sessions=2, unauthorised_sessions=2, penalty_sessions=2)
    assert totals.attendance_percent == Decimal("33.33")


def test_no_mark_is_possible_and_missing() -> None:
    """NO_MARK on a school day counts as possible and is reported as missing (missing_marks)."""
    rows = rows_by_date(sessions((date(2024, 9, 2), "/", "")), date(2024, 9, 3))
    first, second = rows[date(2024, 9, 2)], rows[date(2024, 9, 3)]
    assert (first.pm_status, first.pm_reason_code) == (Status.NO_MARK, None)
    assert (second.am_status, second.pm_status) == (Status.NO_MARK, Status.NO_MARK)
    assert second.totals.possible_sessions == 4
    assert second.totals.missing_marks == 3
    assert second.totals.absence_sessions == 0
    assert second.attendance_percent == Decimal("25.00")


def test_a_run_bridges_a_weekend_and_a_bank_holiday() -> None:
    """consecutiveAbsenceDays = school days in a row, ending on this date, on which every possible
    session was an absence; days with no possible session neither count nor break the run."""
    marks = sessions((date(2025, 5, 1), "I", "I"), (date(2025, 5, 2), "N", "O"),
                     (date(2025, 5, 6), "I", "I"), (date(2025, 5, 7), "/", "I"))
    rows = rows_by_date(marks, date(2025, 5, 7))
    assert date(2025, 5, 5) not in rows  # the bank holiday has no row
    assert [rows[date(2025, 5, d)].consecutive_absence_days for d in (1, 2, 6, 7)] == [1, 2, 3, 0]


def test_a_day_with_no_possible_session_keeps_the_run_and_half_not_required_counts() -> None:
    marks = sessions((date(2024, 9, 2), "I", "I"), (date(2024, 9, 3), "Y1", "Y1"),
                     (date(2024, 9, 4), "X", "N"), (date(2024, 9, 5), "I", "/"))
    rows = rows_by_date(marks, date(2024, 9, 5))
    assert [rows[date(2024, 9, d)].consecutive_absence_days for d in (2, 3, 4, 5)] == [1, 1, 2, 0]


def test_no_mark_breaks_a_run() -> None:
    """Our choice: a NO_MARK session is possible but not an absence, so the day is not one on which
    every possible session was an absence, and the run restarts. Unknown days are not claimed as
    absences; when the mark arrives, the corrected-mark recompute rebuilds the run."""
    marks = sessions((date(2024, 9, 2), "I", "I"), (date(2024, 9, 3), "I", ""), (date(2024, 9, 4), "N", "N"))
    rows = rows_by_date(marks, date(2024, 9, 4))
    assert [rows[date(2024, 9, d)].consecutive_absence_days for d in (2, 3, 4)] == [1, 0, 1]


def test_one_absent_session_in_early_september_is_persistent_and_severe() -> None:
    """Persistent absence: absence >= 10% of possible sessions; severe: >= 50%; severe students are
    also persistent. The DfE definition has no minimum denominator, so the raw flags fire on day
    one; rules apply their own guard using the exposed possible_sessions."""
    row = rows_by_date(sessions((date(2024, 9, 2), "/", "N")), date(2024, 9, 2))[date(2024, 9, 2)]
    assert row.totals.possible_sessions == 2
    assert row.persistent_absence
    assert row.severe_absence


@pytest.mark.parametrize(("absent", "possible", "persistent", "severe"), [
    (1, 10, True, False), (1, 11, False, False), (5, 10, True, True), (4, 9, True, False),
    (0, 0, False, False)])
def test_flag_thresholds_are_inclusive(absent: int, possible: int, persistent: bool, severe: bool) -> None:
    totals = Totals(possible_sessions=possible, authorised_sessions=absent)
    assert (totals.persistent_absence, totals.severe_absence) == (persistent, severe)


@pytest.mark.parametrize(("attended", "possible", "percent"), [
    (1, 800, "0.13"), (3, 800, "0.38"), (2, 3, "66.67"), (1, 3, "33.33"), (380, 380, "100.00")])
def test_percent_rounds_half_up(attended: int, possible: int, percent: str) -> None:
    """Rounded to 2 decimals with ROUND_HALF_UP: 0.125 is 0.13, where banker's rounding gives 0.12."""
    totals = Totals(possible_sessions=possible, present_sessions=attended)
    assert totals.attendance_percent == Decimal(percent)


def test_a_corrected_october_mark_recomputes_the_later_days() -> None:
    """A corrected past mark recomputes that student from the corrected date onward, given the
    last row before it; the result equals a full recompute with the corrected marks."""
    original = random_year(7)
    fixed_day = date(2024, 10, 8)
    original = [m for m in original if m.date != fixed_day] + [SessionMark(fixed_day, "AM", "/"),
                                                                SessionMark(fixed_day, "PM", "\\")]
    corrected = [*original, SessionMark(fixed_day, "AM", "O")]  # the later mark for the session wins
    before = full_year(pupil(), CAL, group_marks(original), CAL.end, codes=ENG)
    after = full_year(pupil(), CAL, group_marks(corrected), CAL.end, codes=ENG)

    base_day = baseline_date(pupil(), CAL, fixed_day)
    previous = next(r for r in before if r.date == base_day)
    rebuilt = recompute(pupil(), CAL, group_marks(corrected), previous, fixed_day, CAL.end, codes=ENG)

    assert base_day == date(2024, 10, 7)
    assert rebuilt == [r for r in after if r.date >= fixed_day]
    assert before[-1].totals.unauthorised_sessions + 1 == after[-1].totals.unauthorised_sessions
    assert [r for r in before if r.date < fixed_day] == [r for r in after if r.date < fixed_day]


def test_the_nightly_rollover_continues_from_yesterday() -> None:
    marks = group_marks(random_year(3))
    full = full_year(pupil(), CAL, marks, CAL.end, codes=ENG)
    today = CAL.day_at(120)
    yesterday = full[118]
    assert recompute(pupil(), CAL, marks, yesterday, today, today, codes=ENG) == [full[119]]
    assert recompute(pupil(), CAL, marks, yesterday, date(2025, 2, 15), date(2025, 2, 15), codes=ENG) == []


def test_a_wrong_baseline_is_refused() -> None:
    marks = group_marks(random_year(3))
    full = rows_by_date(marks, CAL.end)
    with pytest.raises(BaselineMismatch):
        recompute(pupil(), CAL, marks, None, date(2024, 10, 8), CAL.end, codes=ENG)
    with pytest.raises(BaselineMismatch):
        recompute(pupil(), CAL, marks, full[date(2024, 10, 4)], date(2024, 10, 8), CAL.end, codes=ENG)


def test_rows_exist_only_while_enrolled() -> None:
    """One row per student per school day; the student must be enrolled that day."""
    student = pupil(date(2024, 9, 10), date(2024, 9, 20))
    rows = full_year(student, CAL, {}, CAL.end, codes=ENG)
    assert [r.date.day for r in rows] == [10, 11, 12, 13, 16, 17, 18, 19, 20]
    assert rows[0].school_day_index == CAL.index_of(date(2024, 9, 10))
    assert baseline_date(student, CAL, date(2024, 9, 2)) is None


def test_an_irish_day_mark_counts_as_two_sessions() -> None:
    """A day-based mark counts as two sessions: a DAY mark sets both am and pm statuses."""
    marks = whole_days((date(2024, 9, 2), "P"), (date(2024, 9, 3), "A"), (date(2024, 9, 4), "F"))
    row = rows_by_date(marks, date(2024, 9, 4), IE, DAY_BASED)[date(2024, 9, 4)]
    assert (row.am_status, row.pm_status, row.am_reason_code) == (Status.UNAUTHORISED_ABSENT,) * 2 + ("F",)
    assert row.totals.possible_sessions == 6  # three days of two sessions each
    assert row.totals.present_sessions == 2
    assert (row.totals.explained_days, row.totals.unexplained_days) == (Decimal(1), Decimal(1))
    assert row.total_absence_days == Decimal(2)
    assert row.consecutive_absence_days == 2


def test_a_session_mark_wins_over_a_day_mark_whatever_the_order() -> None:
    monday, tuesday = date(2024, 9, 2), date(2024, 9, 3)
    marks = group_marks([SessionMark(monday, "DAY", "P"), SessionMark(monday, "PM", "A"),
                         SessionMark(tuesday, "AM", "A"), SessionMark(tuesday, "DAY", "P")])
    rows = rows_by_date(marks, tuesday, IE, DAY_BASED)
    assert (rows[monday].am_status, rows[monday].pm_status) == (Status.PRESENT, Status.AUTHORISED_ABSENT)
    assert (rows[tuesday].am_status, rows[tuesday].pm_status) == (Status.AUTHORISED_ABSENT, Status.PRESENT)


def test_a_california_tardy_over_30_minutes_is_one_truancy_occasion() -> None:
    """EC 48260: truant after 3 full days absent without valid excuse, or tardy or absent more than
    30 minutes on 3 occasions. A DAY T30 is one occasion, attended, not two."""
    marks = whole_days((date(2024, 9, 2), "T30"), (date(2024, 9, 3), "U"), (date(2024, 9, 4), "T"),
                       (date(2024, 9, 5), "E"))
    totals = rows_by_date(marks, date(2024, 9, 5), CA, DAY_BASED)[date(2024, 9, 5)].totals
    assert totals.tardies_over_30 == 1
    assert totals.unexcused_days == Decimal(1)
    assert totals.late_sessions == 4
    assert totals.absence_days == Decimal(2)


def test_windows_by_subtraction_equal_a_direct_count() -> None:
    """Any window of school days is the difference of two rows."""
    rows = rows_by_date(group_marks(random_year(11)), CAL.end)
    for end, n in [(date(2024, 12, 11), 30), (date(2025, 5, 6), 10), (date(2024, 9, 12), 20), (CAL.end, 1)]:
        earlier_day = CAL.nth_school_day_before(end, n)
        totals = window(rows[end], rows[earlier_day] if earlier_day else None)
        days = [rows[d] for d in CAL.last_n_school_days(end, n)]
        statuses = [s for r in days for s in (r.am_status, r.pm_status)]
        codes = [c for r in days for c in (r.am_reason_code, r.pm_reason_code)]
        assert totals.possible_sessions == sum(s is not Status.NOT_REQUIRED for s in statuses)
        assert totals.unauthorised_sessions == statuses.count(Status.UNAUTHORISED_ABSENT)
        assert totals.authorised_sessions == statuses.count(Status.AUTHORISED_ABSENT)
        assert totals.attended_sessions == sum(s in {Status.PRESENT, Status.LATE, Status.APPROVED_ACTIVITY}
                                               for s in statuses)
        assert totals.missing_marks == statuses.count(Status.NO_MARK)
        assert totals.penalty_sessions == sum(c in {"G", "N", "O", "U"} for c in codes)


def test_a_window_needs_an_earlier_row_of_the_same_student() -> None:
    rows = full_year(pupil(), CAL, {}, date(2024, 9, 6), codes=ENG)
    with pytest.raises(ValueError, match="earlier row"):
        window(rows[0], rows[1])


def test_an_unknown_code_in_a_mark_is_reported() -> None:
    with pytest.raises(UnknownCode):
        full_year(pupil(), CAL, sessions((date(2024, 9, 2), "H", "/")), date(2024, 9, 2), codes=ENG)


def test_record_round_trip() -> None:
    rows = full_year(pupil(), CAL, group_marks(random_year(5)), date(2024, 11, 20), codes=ENG)
    record = rows[-1].to_record()
    assert record["amStatus"] == rows[-1].am_status.value
    assert record["totalAbsenceDaysYTD"] == float(rows[-1].total_absence_days)
    assert record["possibleSessions"] == rows[-1].totals.possible_sessions
    assert DailySummary.from_record(record) == rows[-1]
