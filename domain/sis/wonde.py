"""Parsing Wonde's students-with-contacts response into Student, Guardian and StudentGuardian.

Liberal in what it accepts (dates as `YYYY-MM-DD` or Wonde's `{"date": ...}` object, includes
wrapped in `{"data": ...}` or not, numbers where text is expected), precise in what it rejects:
every problem names the field by its Wonde path (`education_details.data.admission_date`,
`contacts.data[1].relationship.priority`). A student that cannot be stored is rejected; a contact
or an optional contact value that cannot be used is dropped with a warning, so one parent's typo
does not take a pupil out of the attendance figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.platform.errors import ValidationFailed
from domain.roster.schools import Guardian, Student, StudentGuardian
from domain.sis.contacts import parse_contacts
from domain.sis.values import (
    Warn,
    as_object,
    first_present,
    first_text,
    model,
    nested,
    parse_wonde_date,
    plain,
    text,
)

__all__ = ["MAX_STUDENTS", "Issue", "ParsedRoster", "RosterRecord", "parse_roster", "parse_student",
           "parse_wonde_date"]

MAX_STUDENTS = 5000


@dataclass(frozen=True, slots=True)
class Issue:
    """A rejected record or a warning about one: `index` in `data`, the student id if known."""

    index: int
    id: str | None
    field: str
    reason: str


@dataclass(frozen=True)
class RosterRecord:
    student: Student
    guardians: tuple[Guardian, ...]
    links: tuple[StudentGuardian, ...]


@dataclass
class ParsedRoster:
    records: list[RosterRecord] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


# --- students --------------------------------------------------------------------------------------

def _enrolment(record: dict[str, Any]) -> tuple[date, date | None]:
    start_field, start_raw = first_present([
        nested(record, "education_details", "admission_date"), plain(record, "admission_date"),
        plain(record, "enrolment_start")])
    start = parse_wonde_date(start_raw, start_field)
    if start is None:
        raise ValidationFailed("is required (the enrolment start)", field=start_field)
    end_field, end_raw = first_present([
        nested(record, "education_details", "leaving_date"), plain(record, "leaving_date"),
        plain(record, "enrolment_end")])
    end = parse_wonde_date(end_raw, end_field)
    if end is not None and end < start:
        raise ValidationFailed(f"{end} is before the admission date {start}", field=end_field)
    return start, end


def parse_student(raw: Any, *, tenant_id: str, school_id: str, default_language: str,
                  warn: Warn) -> RosterRecord:
    """One element of `data`; raises ValidationFailed naming the field that makes it unusable."""
    record = as_object(raw, "record")
    student_id = first_text([("id", record.get("id"))], required_field="id", max_length=128)
    start, end = _enrolment(record)
    student: Student = model(lambda: Student(
        tenant_id=tenant_id, school_id=school_id, student_id=student_id,
        sis_id=first_text([plain(record, "mis_id")], max_length=128) or student_id,
        upi=text(record.get("upi"), "upi", max_length=64),
        forename=first_text([plain(record, "forename"), plain(record, "legal_forename")],
                            required_field="forename", max_length=100),
        surname=first_text([plain(record, "surname"), plain(record, "legal_surname")],
                           required_field="surname", max_length=100),
        date_of_birth=parse_wonde_date(record.get("date_of_birth"), "date_of_birth"),
        year_group=first_text([nested(record, "year", "code"), nested(record, "year", "name"),
                               plain(record, "year"), plain(record, "year_group")], max_length=32),
        registration_class=first_text(
            [nested(record, "form_group", "name"), nested(record, "registration_group", "name"),
             nested(record, "registration", "name"), plain(record, "registration_class"),
             plain(record, "form_group")], max_length=64),
        enrolment_start=start, enrolment_end=end), "")
    guardians, links = parse_contacts(record.get("contacts"), student=student,
                                      default_language=default_language, warn=warn)
    return RosterRecord(student, tuple(guardians), tuple(links))


def _shown_id(raw: Any) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def parse_roster(payload: Any, *, tenant_id: str, school_id: str,
                 default_language: str = "en") -> ParsedRoster:
    """The whole `{"data": [...], "meta": ...}` response. A payload that is not that shape, or holds
    more than MAX_STUDENTS students, raises; each record is otherwise judged on its own, and a
    rejected record's warnings are dropped with it."""
    students = as_object(payload, "body").get("data")
    if not isinstance(students, list):
        raise ValidationFailed("expected `data`: a list of students", field="data")
    if len(students) > MAX_STUDENTS:
        raise ValidationFailed(f"{len(students)} students: send at most {MAX_STUDENTS} a request",
                               field="data")
    result, seen = ParsedRoster(), set[str]()
    for index, raw in enumerate(students):
        shown_id, warnings = _shown_id(raw), list[Issue]()

        def warn(name: str, reason: str, index: int = index, shown_id: str | None = shown_id,
                 into: list[Issue] = warnings) -> None:
            into.append(Issue(index, shown_id, name, reason))
        try:
            record = parse_student(raw, tenant_id=tenant_id, school_id=school_id,
                                   default_language=default_language, warn=warn)
        except ValidationFailed as exc:
            result.rejected.append(Issue(index, shown_id, exc.field or "record", exc.detail))
            continue
        if record.student.student_id in seen:
            result.rejected.append(Issue(index, shown_id, "id",
                                         "the same student id appears earlier in this request"))
            continue
        seen.add(record.student.student_id)
        result.records.append(record)
        result.warnings.extend(warnings)
    return result
