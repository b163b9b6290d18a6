"""The merge data for a letter, built from pure inputs (no storage, no clock).

What a parent reads (domain-reference.md §5): the child's absence days so far this school year
next to the **typical classmate's**, the attendance rate, a small chart of the child's attendance
by month, and (§7) whether the absences were mainly illness, so illness is not worded as truancy.

Definitions, all over the school year to the latest row:

* ``absenceDays``: the child's authorised + unauthorised absence sessions / 2.
* ``typicalClassmateAbsenceDays``: the **median** absence days of the other students in the same
  year group with a row on the same date and at least one possible session (the child excluded),
  rounded to the nearest half day, halves up. Rogers & Feller (2018) used the modal classmate;
  the median is used here because with a few dozen classmates and half-day counts the mode is
  often tied or unstable, while the median is one well-defined "typical" number. If the year group
  is unknown or has no other student, the rest of the school is used; with no one at all, None
  (the templates then leave the comparison out).
* ``illnessDays``: absence sessions whose reason code is an illness code of the jurisdiction
  (England ``I``, Ireland ``A``; California's shipped table has no illness code, so only codes the
  caller passes count) / 2, counted over the student's daily rows passed in.
* ``unexplainedDays``: England unauthorised absence, Ireland unexplained absence (Tusla), California
  unexcused absence (U, half days included), each sessions / 2 from the latest row's counters.
* ``mainlyIllness``: illness is more than half of all absence. The templates use it to choose
  illness wording over the wording for unexplained absence.
* ``monthly``: for each calendar month with possible sessions, the attendance percent within that
  month (the difference of the month's last row and the previous month's last row), one decimal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.attendance.summaries import DailySummary, Status, Totals, window
from domain.platform.errors import ValidationFailed
from domain.roster.schools import Guardian, Jurisdiction, School, Student
from domain.rules.ruleset import StageType

ILLNESS_CODES: Mapping[Jurisdiction, frozenset[str]] = {
    Jurisdiction.ENGLAND: frozenset({"I"}),
    Jurisdiction.IRELAND: frozenset({"A"}),
    Jurisdiction.CALIFORNIA: frozenset(),
}

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ABSENT = frozenset({Status.AUTHORISED_ABSENT, Status.UNAUTHORISED_ABSENT})
_HALF = Decimal("0.5")

# The schema every starter template declares (the contract between this module and the starters).
MERGE_FIELDS: Mapping[str, Mapping[str, Any]] = {
    "guardianName": {"type": "string", "required": True},
    "studentName": {"type": "string", "required": True},
    "studentFirstName": {"type": "string", "required": True},
    "schoolName": {"type": "string", "required": True},
    "yearGroup": {"type": "string", "required": False},
    "stageType": {"type": "string", "required": True},
    "absenceDays": {"type": "number", "required": True},
    "typicalClassmateAbsenceDays": {"type": "number", "required": False},
    "attendancePercent": {"type": "number", "required": False},
    "illnessDays": {"type": "number", "required": True},
    "unexplainedDays": {"type": "number", "required": True},
    "mainlyIllness": {"type": "boolean", "required": True},
    "monthly": {"type": "list", "required": True},
    "evidence": {"type": "list", "required": True},
    "letterDate": {"type": "date", "required": True},
    "schoolContact": {"type": "string", "required": False},
    "meetingWhen": {"type": "string", "required": False},
    "chart": {"type": "string", "required": True},
}


def number(value: Decimal) -> int | float:
    """A day count as a plain JSON number: 7 rather than 7.0, 7.5 as is."""
    return int(value) if value == value.to_integral_value() else float(value)


def nearest_half(value: Decimal) -> Decimal:
    return (value * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2


def median(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def typical_classmate_absence_days(student: Student, same_date_rows: Iterable[DailySummary],
                                   students: Iterable[Student]) -> Decimal | None:
    """The median absence days of the student's year-group classmates (see the module docstring),
    to the nearest half day; the rest of the school when the year group gives no one."""
    year_of = {s.student_id: s.year_group for s in students}
    others = [r for r in same_date_rows
              if r.student_id != student.student_id and r.totals.possible_sessions > 0]
    group = [r for r in others
             if student.year_group is not None and year_of.get(r.student_id) == student.year_group]
    chosen = group or others
    found = median([r.total_absence_days for r in chosen])
    return None if found is None else nearest_half(found)


def illness_sessions(history: Iterable[DailySummary], codes: frozenset[str]) -> int:
    count = 0
    for row in history:
        if row.am_status in _ABSENT and row.am_reason_code in codes:
            count += 1
        if row.pm_status in _ABSENT and row.pm_reason_code in codes:
            count += 1
    return count


def unexplained_sessions(jurisdiction: Jurisdiction, totals: Totals) -> int:
    if jurisdiction is Jurisdiction.IRELAND:
        return totals.unexplained_sessions
    # California: every U session, half days included (`unexcused_sessions` holds full days only)
    return totals.unauthorised_sessions


def _one_place(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def monthly_attendance(history: Iterable[DailySummary]) -> list[dict[str, Any]]:
    """[{month: "Sep 2024", attendancePercent: 93.8}, ...] in date order."""
    last_of_month: dict[tuple[int, int], DailySummary] = {}
    for row in sorted(history, key=lambda r: r.date):
        last_of_month[(row.date.year, row.date.month)] = row
    result: list[dict[str, Any]] = []
    previous: DailySummary | None = None
    for (year, month), row in sorted(last_of_month.items()):
        totals = window(row, previous)
        previous = row
        if totals.possible_sessions == 0:
            continue
        result.append({"month": f"{MONTHS[month - 1]} {year}",
                       "attendancePercent": _one_place(totals.attendance_percent)})
    return result


def guardian_name(guardian: Guardian) -> str:
    if guardian.title:
        return f"{guardian.title} {guardian.surname}"
    return f"{guardian.forename} {guardian.surname}"


def _check_rows(student: Student, latest: DailySummary, history: Sequence[DailySummary],
                same_date_rows: Iterable[DailySummary]) -> None:
    """ValidationFailed naming the argument that holds rows of the wrong student or date."""
    if latest.student_id != student.student_id:
        raise ValidationFailed("the latest summary is another student's", field="latest")
    if any(r.student_id != student.student_id for r in history):
        raise ValidationFailed("the history holds another student's rows", field="history")
    if any(r.date != latest.date for r in same_date_rows):
        raise ValidationFailed("the school's rows must be for the latest row's date",
                               field="same_date_rows")


def build_merge_data(*, school: School, student: Student, guardian: Guardian,
                     latest: DailySummary, history: Sequence[DailySummary],
                     same_date_rows: Iterable[DailySummary], students: Iterable[Student],
                     stage_type: StageType, evidence: Sequence[str], letter_date: date,
                     illness_codes: frozenset[str] | None = None,
                     school_contact: str | None = None,
                     meeting_when: str | None = None) -> dict[str, Any]:
    """The merge data (without ``chart``; `with_chart` adds it just before rendering, so the data
    stays plain JSON for a snapshot). `history` is the student's daily rows of the school year up
    to `latest`; `same_date_rows` the school's rows on `latest.date`; `students` the school's
    students (for year groups)."""
    _check_rows(student, latest, history, same_date_rows)
    codes = ILLNESS_CODES[school.jurisdiction] if illness_codes is None else illness_codes
    rows = [r for r in history if r.date <= latest.date]
    absence = latest.totals.absence_sessions
    illness = min(illness_sessions(rows, codes), absence)
    typical = typical_classmate_absence_days(student, same_date_rows, students)
    data: dict[str, Any] = {
        "guardianName": guardian_name(guardian),
        "studentName": f"{student.forename} {student.surname}",
        "studentFirstName": student.forename,
        "schoolName": school.name,
        "yearGroup": student.year_group,
        "stageType": StageType(stage_type).value,
        "absenceDays": number(latest.total_absence_days),
        "typicalClassmateAbsenceDays": None if typical is None else number(typical),
        "attendancePercent": _one_place(latest.attendance_percent),
        "illnessDays": number(Decimal(illness) / 2),
        "unexplainedDays": number(Decimal(unexplained_sessions(school.jurisdiction,
                                                               latest.totals)) / 2),
        "mainlyIllness": illness * 2 > absence,
        "monthly": monthly_attendance(rows),
        "evidence": [str(line) for line in evidence],
        "letterDate": letter_date,
        "schoolContact": school_contact,
        "meetingWhen": meeting_when,
    }
    return data


def with_chart(data: Mapping[str, Any]) -> dict[str, Any]:
    """The merge data plus ``chart``: the comparison and monthly chart as safe HTML."""
    from domain.letters.chart import attendance_chart_html

    return {**data, "chart": attendance_chart_html(
        data["monthly"], data["absenceDays"], data.get("typicalClassmateAbsenceDays"))}
