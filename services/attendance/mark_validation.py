"""Reading and checking Wonde session-attendance records, one record at a time.

A record is `{"student", "date", "session", "attendance_code", "comment", "minutes_late"}`
(Wonde's writeback names `student_id` and `attendance_code_id` are accepted too). Each problem
raises ValidationFailed naming the record's field, so the ingester rejects that record with its
reason and keeps the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.codes import CodeMapping, load_code_table
from domain.attendance.stored_marks import Mark
from domain.platform.errors import DomainError, NotFound, ValidationFailed
from domain.roster.schools import School, Student
from domain.sis.values import first_present, parse_wonde_date, text, whole_number

MAX_MARKS = 10_000
MAX_COMMENT = 2000
MAX_MINUTES_LATE = 24 * 60


class TooManyMarks(DomainError):
    status = 413
    title = "Payload too large"


def parse_payload(raw: bytes) -> list[Any]:
    """The records of `{"data": [...]}` (Wonde's list shape) or of a bare list."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("the body is not JSON", field="body") from None
    except RecursionError:  # callers other than HTTP (demo, bench) pass no depth limit
        raise ValidationFailed("the body nests too deep", field="body") from None
    records = body.get("data") if isinstance(body, dict) else body
    if not isinstance(records, list):
        raise ValidationFailed('expected {"data": [...]} or a list of marks', field="data")
    check_count(records)
    return records


def check_count(records: Sequence[Any]) -> None:
    if len(records) > MAX_MARKS:
        raise TooManyMarks(f"{len(records)} marks; send at most {MAX_MARKS} a request", field="data")


def _field(record: dict[str, Any], *names: str) -> tuple[str, Any]:
    """The first of `names` present in the record (its name and value), else the first name."""
    return first_present((name, record.get(name)) for name in names)


class MarkValidator:
    """Checks records against one school's students, calendars and code mapping, all read once."""

    def __init__(self, school: School, students: Iterable[Student], mapping: dict[str, str],
                 calendar_for: Callable[[date], SchoolCalendar]) -> None:
        self._school = school
        self._students: dict[str, Student] = {}
        for student in students:
            self._students.setdefault(student.sis_id, student)
        for student in self._students.copy().values():
            self._students[student.student_id] = student  # our id wins over a SIS id
        self._mapping = mapping
        self._calendar_for = calendar_for
        self._calendars: list[SchoolCalendar] = []
        self._uncovered: set[date] = set()
        self._mappings: dict[str, CodeMapping | ValidationFailed] = {}

    def check(self, record: Any) -> Mark:
        """The mark, or ValidationFailed naming the offending field."""
        if not isinstance(record, dict):
            raise ValidationFailed("expected a JSON object", field="record")
        student_field, student_value = _field(record, "student", "student_id")
        student_ref = text(student_value, student_field, max_length=128)
        if student_ref is None:
            raise ValidationFailed("is required", field=student_field)
        day = parse_wonde_date(record.get("date"), "date")
        if day is None:
            raise ValidationFailed("is required", field="date")
        session = self._session(record.get("session"))
        code_field, code_value = _field(record, "attendance_code", "attendance_code_id")
        sis_code = text(code_value, code_field, max_length=64)
        if sis_code is None:
            raise ValidationFailed("is required", field=code_field)
        comment = text(record.get("comment"), "comment", max_length=MAX_COMMENT)
        minutes_late = whole_number(record.get("minutes_late"), "minutes_late")
        if minutes_late is not None and minutes_late > MAX_MINUTES_LATE:
            raise ValidationFailed(f"at most {MAX_MINUTES_LATE} minutes", field="minutes_late")

        student = self._students.get(student_ref)
        if student is None:
            raise ValidationFailed(f"{student_ref!r} is not a student of this school", field=student_field)
        calendar = self._calendar(day)
        if not calendar.is_school_day(day):
            raise ValidationFailed(f"{day} is not a school day of {calendar.school_year}", field="date")
        if not student.enrolled_on(day):
            raise ValidationFailed(f"the student is not enrolled on {day}", field=student_field)
        try:
            code = self._code_mapping(calendar).resolve(sis_code)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.detail, field=code_field) from None
        return Mark(student.student_id, day, session, code, sis_code=sis_code, comment=comment,
                    minutes_late=minutes_late)

    def _session(self, value: Any) -> str:
        session = (text(value, "session", max_length=8) or "").upper()
        allowed = self._school.jurisdiction.sessions
        if session in allowed:
            return session
        if session == "DAY":
            raise ValidationFailed("this school records AM and PM sessions, not DAY", field="session")
        if session in ("AM", "PM"):
            raise ValidationFailed("an Irish school records attendance by the day, as Tusla counts days: "
                                   "send DAY (a late arrival is L)", field="session")
        raise ValidationFailed(f"expected {', '.join(allowed[:-1])} or {allowed[-1]}" if len(allowed) > 1
                               else f"expected {allowed[0]}", field="session")

    def _calendar(self, day: date) -> SchoolCalendar:
        for calendar in self._calendars:
            if calendar.start <= day <= calendar.end:
                return calendar
        if day not in self._uncovered:
            try:
                calendar = self._calendar_for(day)
            except NotFound:
                self._uncovered.add(day)
            else:
                self._calendars.append(calendar)
                return calendar
        raise ValidationFailed(f"no school calendar of this school covers {day}", field="date")

    def _code_mapping(self, calendar: SchoolCalendar) -> CodeMapping:
        """The year's code table (the version in force on its first day) with the school's map."""
        found = self._mappings.get(calendar.school_year)
        if found is None:
            try:
                table = load_code_table(self._school.jurisdiction, calendar.start)
                found = CodeMapping(table, self._mapping)
            except ValidationFailed as exc:  # remembered: every record of the year fails alike
                found = exc
            self._mappings[calendar.school_year] = found
        if isinstance(found, ValidationFailed):
            raise found
        return found
