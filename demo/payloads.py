"""The demo data as the APIs take it: Wonde's students-with-contacts shape for the roster import,
Wonde's session-attendance shape for mark ingestion (chunked to the request limits), and the
camelCase school and calendar bodies. docs/demo.md describes every field."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice
from typing import Any, Protocol

from domain.attendance.calendar import SchoolCalendar
from domain.roster.schools import Guardian, PostalAddress, School, Student, StudentGuardian

MARKS_PER_REQUEST = 10_000  # POST /api/attendance/marks
STUDENTS_PER_REQUEST = 5_000  # POST /api/roster/import


class MarkFields(Protocol):
    """A MarkRow or an AttendanceMark: both have these attributes."""

    @property
    def student_id(self) -> str: ...
    @property
    def date(self) -> date: ...
    @property
    def session(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def comment(self) -> str | None: ...
    @property
    def minutes_late(self) -> int | None: ...


def wonde_date(day: date | None) -> dict[str, Any] | None:
    """Wonde's date object: midnight UTC of the day."""
    if day is None:
        return None
    return {"date": f"{day.isoformat()} 00:00:00.000000", "timezone_type": 3, "timezone": "UTC"}


def _address(address: PostalAddress | None) -> dict[str, Any]:
    """Our lines back into Wonde's parts: "12 Oak Road" -> house_number 12, street Oak Road; a
    "Sacramento, CA" town -> town and county (the importer joins them again)."""
    if address is None:
        return {}
    first, *rest = address.lines or ("",)
    number, _, street = first.partition(" ")
    home: dict[str, Any] = ({"house_number": number, "street": street} if number.isdigit() and street
                            else {"street": first or None})
    for n, line in enumerate(rest, start=1):
        home[f"address_line_{n}"] = line
    town, _, county = (address.town or "").partition(", ")
    home.update(town=town or None, county=county or None, postcode=address.postcode, country=address.country)
    return {"home": home}


def _contact(link: StudentGuardian, guardian: Guardian) -> dict[str, Any]:
    return {
        "id": guardian.guardian_id, "mis_id": guardian.sis_id, "title": guardian.title,
        "forename": guardian.forename, "surname": guardian.surname,
        "relationship": {"relationship": link.relationship,
                         "parental_responsibility": link.parental_responsibility,
                         "priority": link.priority, "lives_with_pupil": link.lives_with_pupil},
        "contact_details": {"data": {
            "emails": {"email": guardian.email},
            "telephones": {"mobile": guardian.mobile, "home": guardian.telephone},
            "addresses": _address(guardian.address)}},
        # not Wonde fields: SIS integrations add them; the roster importer reads both
        "preferred_language": guardian.preferred_language,
        "contact_preference": guardian.contact_preference.value,
    }


def to_wonde_students(students: Iterable[Student], guardians: Iterable[Guardian],
                      links: Iterable[StudentGuardian]) -> dict[str, Any]:
    """`{"data": [student, ...]}` with contacts (priority order), year, form group and enrolment."""
    by_id = {g.guardian_id: g for g in guardians}
    contacts: dict[str, list[StudentGuardian]] = defaultdict(list)
    for link in links:
        contacts[link.student_id].append(link)
    data = []
    for student in students:
        record: dict[str, Any] = {
            "id": student.student_id, "mis_id": student.sis_id, "upi": student.upi,
            "forename": student.forename, "surname": student.surname,
            "date_of_birth": wonde_date(student.date_of_birth),
            "education_details": {"data": {"admission_date": wonde_date(student.enrolment_start),
                                           "leaving_date": wonde_date(student.enrolment_end)}},
        }
        if student.year_group:
            record["year"] = {"data": {"name": student.year_group}}
        if student.registration_class:
            record["form_group"] = {"data": {"name": student.registration_class}}
        ordered = sorted(contacts.get(student.student_id, ()), key=lambda k: (k.priority, k.guardian_id))
        record["contacts"] = {"data": [_contact(link, by_id[link.guardian_id]) for link in ordered]}
        data.append(record)
    return {"data": data}


def wonde_student_batches(students: Iterable[Student], guardians: Iterable[Guardian],
                          links: Iterable[StudentGuardian], size: int = STUDENTS_PER_REQUEST,
                          ) -> Iterator[dict[str, Any]]:
    """`to_wonde_students` in request-sized pieces, students in order."""
    guardians, links, pending = tuple(guardians), tuple(links), iter(tuple(students))
    while chunk := tuple(islice(pending, size)):
        ids = {s.student_id for s in chunk}
        yield to_wonde_students(chunk, guardians, [k for k in links if k.student_id in ids])


def to_wonde_marks(marks: Iterable[MarkFields]) -> dict[str, Any]:
    """`{"data": [{"student", "date", "session", "attendance_code", "comment", "minutes_late"}]}`."""
    return {"data": [{"student": m.student_id, "date": m.date.isoformat(), "session": str(m.session),
                      "attendance_code": m.code, "comment": m.comment, "minutes_late": m.minutes_late}
                     for m in marks]}


def wonde_mark_batches(marks: Iterable[MarkFields],
                       size: int = MARKS_PER_REQUEST) -> Iterator[dict[str, Any]]:
    """`to_wonde_marks` in pieces of at most `size` marks (one POST each), streaming."""
    if size < 1:
        raise ValueError("size must be at least 1")
    pending = iter(marks)
    while chunk := list(islice(pending, size)):
        yield to_wonde_marks(chunk)


def school_body(school: School) -> dict[str, Any]:
    """PUT /api/schools/{schoolId}."""
    return {"name": school.name, "jurisdiction": school.jurisdiction.value, "timeZone": school.time_zone,
            "language": school.language, "sisSchoolId": school.sis_school_id}


def calendar_body(calendar: SchoolCalendar) -> dict[str, Any]:
    """PUT /api/calendars/{schoolYear}?schoolId=... (the path carries `calendar.school_year`)."""
    body = calendar.to_dict()
    del body["schoolYear"]
    return body
