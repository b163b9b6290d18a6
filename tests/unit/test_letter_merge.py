"""Merge data for a letter: the child's absences next to the typical classmate's (median of the
year group, the child excluded), illness vs unexplained days, and attendance by month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from domain.attendance.summaries import DailySummary, Status, Totals
from domain.letters.merge import (
    MERGE_FIELDS,
    build_merge_data,
    median,
    monthly_attendance,
    nearest_half,
    typical_classmate_absence_days,
    with_chart,
)
from domain.platform.errors import ValidationFailed
from domain.roster.schools import Guardian, Jurisdiction, School, Student
from domain.rules.ruleset import StageType

P, A, U = Status.PRESENT, Status.AUTHORISED_ABSENT, Status.UNAUTHORISED_ABSENT


def school(jurisdiction: Jurisdiction = Jurisdiction.ENGLAND) -> School:
    return School(tenant_id="t", school_id="s", name="Hill Primary", jurisdiction=jurisdiction)


def student(sid: str = "st-1", year: str | None = "Y4", forename: str = "Aoife") -> Student:
    return Student(tenant_id="t", school_id="s", student_id=sid, sis_id=sid, forename=forename,
                   surname="Kelly", year_group=year, enrolment_start=date(2024, 9, 1))


def guardian(title: str | None = "Ms") -> Guardian:
    return Guardian(tenant_id="t", school_id="s", guardian_id="g-1", title=title,
                    forename="Mary", surname="Kelly")


def history(sid: str, days: list[tuple[date, Status, str | None]]) -> list[DailySummary]:
    """Whole-day marks (AM = PM) accumulated into year-to-date totals."""
    rows, possible, present, auth, unauth = [], 0, 0, 0, 0
    for index, (day, status, code) in enumerate(days, start=1):
        possible += 2
        present += 2 if status is P else 0
        auth += 2 if status is A else 0
        unauth += 2 if status is U else 0
        totals = Totals(possible_sessions=possible, present_sessions=present,
                        authorised_sessions=auth, unauthorised_sessions=unauth)
        rows.append(DailySummary(sid, day, index, status, status, code, code, totals, 0))
    return rows


def row_with_absence(sid: str, day: date, absence_sessions: int, possible: int = 40) -> DailySummary:
    totals = Totals(possible_sessions=possible, present_sessions=possible - absence_sessions,
                    authorised_sessions=absence_sessions)
    return DailySummary(sid, day, 20, P, P, None, None, totals, 0)


SEP = [date(2024, 9, d) for d in (2, 3, 4, 5)]
OCT = [date(2024, 10, d) for d in (1, 2, 3, 4, 7)]


def child_history(code: str | None = "I", status: Status = A) -> list[DailySummary]:
    marks = [(SEP[0], P, None), (SEP[1], status, code), (SEP[2], P, None), (SEP[3], P, None),
             (OCT[0], status, code), (OCT[1], status, code), (OCT[2], P, None),
             (OCT[3], U, None), (OCT[4], P, None)]
    return history("st-1", marks)


def build(rows: list[DailySummary], **kw: Any) -> dict[str, Any]:
    latest = rows[-1]
    classmates = kw.pop("same_date_rows", [])
    return build_merge_data(
        school=kw.pop("school", school()), student=kw.pop("student", student()),
        guardian=kw.pop("guardian", guardian()), latest=latest, history=rows,
        same_date_rows=classmates, students=kw.pop("students", [student()]),
        stage_type=StageType.LETTER_1, evidence=["Phone call 3 Oct"],
        letter_date=date(2024, 10, 8), **kw)


def test_the_typical_classmate_is_the_year_group_median_without_the_child() -> None:
    day = date(2024, 10, 7)
    y4 = [student(f"c{i}") for i in range(5)]
    y5 = [student(f"o{i}", year="Y5") for i in range(3)]
    # Y4 classmates' absence days 1, 2, 2.5, 4, 10 → median 2.5; the child (9 days) and the Y5
    # students (20 days each) are left out.
    rows = [row_with_absence(s.student_id, day, n) for s, n in zip(y4, (2, 4, 5, 8, 20), strict=True)]
    rows += [row_with_absence(s.student_id, day, 40) for s in y5]
    rows.append(row_with_absence("st-1", day, 18))
    assert typical_classmate_absence_days(student(), rows, [student(), *y4, *y5]) == D("2.5")


def test_an_even_count_takes_the_mean_of_the_middle_two_to_the_nearest_half_day() -> None:
    assert median([D(1), D(2), D("2.5"), D(7)]) == D("2.25")
    assert nearest_half(D("2.25")) == D("2.5")
    assert nearest_half(D("2.2")) == D("2")
    assert median([]) is None
    day = date(2024, 10, 7)
    mates = [student(f"c{i}") for i in range(4)]
    rows = [row_with_absence(s.student_id, day, n) for s, n in zip(mates, (2, 4, 5, 14), strict=True)]
    assert typical_classmate_absence_days(student(), rows, [student(), *mates]) == D("2.5")


def test_no_year_group_falls_back_to_the_school_and_no_one_gives_none() -> None:
    day = date(2024, 10, 7)
    others = [student("c1", year="Y6"), student("c2", year="Y6"), student("c3", year="Y6")]
    rows = [row_with_absence(s.student_id, day, n) for s, n in zip(others, (2, 6, 8), strict=True)]
    assert typical_classmate_absence_days(student(), rows, [student(), *others]) == D(3)
    assert typical_classmate_absence_days(student(year=None), rows, others) == D(3)
    assert typical_classmate_absence_days(student(), [], [student()]) is None
    no_possible = [row_with_absence("c1", day, 0, possible=0)]
    assert typical_classmate_absence_days(student(), no_possible, others) is None


def test_the_merge_data_for_a_worked_example() -> None:
    rows = child_history()
    day = rows[-1].date
    mates = [student(f"c{i}") for i in range(3)]
    same_day = [row_with_absence(s.student_id, day, n, possible=18)
                for s, n in zip(mates, (0, 2, 6), strict=True)] + [rows[-1]]
    data = build(rows, same_date_rows=same_day, students=[student(), *mates])
    assert data["guardianName"] == "Ms Kelly"
    assert data["studentName"] == "Aoife Kelly" and data["studentFirstName"] == "Aoife"
    assert data["schoolName"] == "Hill Primary" and data["yearGroup"] == "Y4"
    assert data["absenceDays"] == 4 and isinstance(data["absenceDays"], int)
    assert data["typicalClassmateAbsenceDays"] == 1
    assert data["attendancePercent"] == 55.6  # 5 of 9 days
    assert (data["illnessDays"], data["unexplainedDays"]) == (3, 1)
    assert data["mainlyIllness"] is True
    assert data["monthly"] == [{"month": "Sep 2024", "attendancePercent": 75.0},
                               {"month": "Oct 2024", "attendancePercent": 40.0}]
    assert data["letterDate"] == date(2024, 10, 8) and data["stageType"] == "LETTER_1"
    assert data["evidence"] == ["Phone call 3 Oct"]
    assert set(data) | {"chart"} == set(MERGE_FIELDS)


def test_unexplained_absence_is_not_mainly_illness() -> None:
    data = build(child_history(code=None, status=U))
    assert (data["illnessDays"], data["unexplainedDays"], data["mainlyIllness"]) == (0, 4, False)
    assert data["typicalClassmateAbsenceDays"] is None
    other_reason = build(child_history(code="M"))
    assert other_reason["mainlyIllness"] is False and other_reason["illnessDays"] == 0


def test_exactly_half_illness_is_not_mainly_illness() -> None:
    marks = [(SEP[0], A, "I"), (SEP[1], U, None), (SEP[2], P, None)]
    data = build(history("st-1", marks))
    assert (data["illnessDays"], data["absenceDays"], data["mainlyIllness"]) == (1, 2, False)


def test_illness_codes_follow_the_jurisdiction_or_the_caller() -> None:
    ie = build(child_history(code="A"), school=school(Jurisdiction.IRELAND))
    assert ie["illnessDays"] == 3 and ie["mainlyIllness"]
    ca = build(child_history(code="E"), school=school(Jurisdiction.CALIFORNIA))
    assert ca["illnessDays"] == 0
    ca_ill = build(child_history(code="E"), school=school(Jurisdiction.CALIFORNIA),
                   illness_codes=frozenset({"E"}))
    assert ca_ill["illnessDays"] == 3


def test_a_guardian_without_a_title_is_named_in_full_and_half_days_stay_halves() -> None:
    rows = child_history()
    half = DailySummary("st-1", date(2024, 10, 8), 10, P, A, None, "I",
                        rows[-1].totals._replace(possible_sessions=20, authorised_sessions=7,
                                                 present_sessions=9), 0)
    data = build([*rows, half], guardian=guardian(title=None))
    assert data["guardianName"] == "Mary Kelly"
    assert data["absenceDays"] == 4.5 and data["illnessDays"] == 3.5


def test_rows_of_another_student_or_date_are_refused() -> None:
    rows = child_history()
    with pytest.raises(ValidationFailed) as err:
        build(rows, student=student("st-2"))
    assert err.value.field == "latest"
    with pytest.raises(ValidationFailed) as err:
        build(rows, same_date_rows=[row_with_absence("c1", date(2024, 9, 2), 2)])
    assert err.value.field == "same_date_rows"


def test_months_without_possible_sessions_are_left_out() -> None:
    rows = child_history()
    empty = DailySummary("st-1", date(2024, 11, 1), 11, Status.NOT_REQUIRED,
                         Status.NOT_REQUIRED, None, None, rows[-1].totals, 0)
    assert [m["month"] for m in monthly_attendance([*rows, empty])] == ["Sep 2024", "Oct 2024"]


def test_with_chart_adds_the_chart_and_keeps_the_data() -> None:
    data = build(child_history())
    charted = with_chart(data)
    assert set(charted) == set(data) | {"chart"}
    assert "Attendance by month" in charted["chart"] and "Sep 2024" in charted["chart"]
    assert with_chart(data)["chart"] == charted["chart"]
