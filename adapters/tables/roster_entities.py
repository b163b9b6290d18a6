"""Reference-data rows: schools, calendars, students, guardians and their links as table entities.

Dates are ISO strings and the postal address JSON, so a row read back compares equal to the model
it was written from (the roster import relies on that to skip unchanged rows).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from adapters.storage.keys import escape_key_part, key
from adapters.storage.tables import Entity
from domain.attendance.calendar import SchoolCalendar
from domain.roster.schools import Guardian, PostalAddress, School, Student, StudentGuardian

SCHOOLS = "schools"
CALENDARS = "calendars"
CODE_MAPPINGS = "codemappings"
STUDENTS = "students"
GUARDIANS = "guardians"
STUDENT_GUARDIANS = "studentguardians"
TABLES = [SCHOOLS, CALENDARS, CODE_MAPPINGS, STUDENTS, GUARDIANS, STUDENT_GUARDIANS]


def school_partition(tenant_id: str, school_id: str) -> str:
    return key(tenant_id, school_id)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def school_entity(s: School) -> dict[str, Any]:
    return {"PartitionKey": escape_key_part(s.tenant_id), "RowKey": escape_key_part(s.school_id),
            "tenantId": s.tenant_id, "schoolId": s.school_id, "name": s.name,
            "jurisdiction": s.jurisdiction.value, "timeZone": s.time_zone, "language": s.language,
            "sisSchoolId": s.sis_school_id, "keepSourceLetter": s.keep_source_letter}


def school_of(row: Entity) -> School:
    return School(tenant_id=row["tenantId"], school_id=row["schoolId"], name=row["name"],
                  jurisdiction=row["jurisdiction"], time_zone=row["timeZone"],
                  language=row["language"], sis_school_id=row.get("sisSchoolId"),
                  keep_source_letter=bool(row.get("keepSourceLetter")))


def calendar_entity(tenant_id: str, school_id: str, c: SchoolCalendar) -> dict[str, Any]:
    # start/end beside the JSON: calendar_for picks the year without parsing every calendar
    return {"PartitionKey": school_partition(tenant_id, school_id),
            "RowKey": escape_key_part(c.school_year), "schoolYear": c.school_year,
            "firstDay": c.start.isoformat(), "lastDay": c.end.isoformat(),
            "calendar": json.dumps(c.to_dict(), sort_keys=True)}


def calendar_of(row: Entity) -> SchoolCalendar:
    return SchoolCalendar.from_dict(json.loads(row["calendar"]))


def mapping_entity(tenant_id: str, school_id: str, sis_code: str, code: str) -> dict[str, Any]:
    return {"PartitionKey": school_partition(tenant_id, school_id),
            "RowKey": escape_key_part(sis_code), "sisCode": sis_code, "code": code}


def student_entity(s: Student) -> dict[str, Any]:
    return {"PartitionKey": school_partition(s.tenant_id, s.school_id),
            "RowKey": escape_key_part(s.student_id), "studentId": s.student_id, "sisId": s.sis_id,
            "upi": s.upi, "forename": s.forename, "surname": s.surname,
            "dateOfBirth": _iso(s.date_of_birth), "yearGroup": s.year_group,
            "registrationClass": s.registration_class, "enrolmentStart": _iso(s.enrolment_start),
            "enrolmentEnd": _iso(s.enrolment_end)}


def student_of(tenant_id: str, school_id: str, row: Entity) -> Student:
    return Student(tenant_id=tenant_id, school_id=school_id, student_id=row["studentId"],
                   sis_id=row["sisId"], upi=row.get("upi"), forename=row["forename"],
                   surname=row["surname"], date_of_birth=_day(row.get("dateOfBirth")),
                   year_group=row.get("yearGroup"), registration_class=row.get("registrationClass"),
                   enrolment_start=date.fromisoformat(row["enrolmentStart"]),
                   enrolment_end=_day(row.get("enrolmentEnd")))


def guardian_entity(g: Guardian) -> dict[str, Any]:
    address = g.address.model_dump(mode="json") if g.address else None
    return {"PartitionKey": school_partition(g.tenant_id, g.school_id),
            "RowKey": escape_key_part(g.guardian_id), "guardianId": g.guardian_id,
            "sisId": g.sis_id, "title": g.title, "forename": g.forename, "surname": g.surname,
            "email": g.email, "mobile": g.mobile, "telephone": g.telephone,
            "address": json.dumps(address, sort_keys=True) if address else None,
            "preferredLanguage": g.preferred_language, "contactPreference": g.contact_preference.value}


def guardian_of(tenant_id: str, school_id: str, row: Entity) -> Guardian:
    address = PostalAddress.model_validate(json.loads(row["address"])) if row.get("address") else None
    return Guardian(tenant_id=tenant_id, school_id=school_id, guardian_id=row["guardianId"],
                    sis_id=row.get("sisId"), title=row.get("title"), forename=row["forename"],
                    surname=row["surname"], email=row.get("email"), mobile=row.get("mobile"),
                    telephone=row.get("telephone"), address=address,
                    preferred_language=row["preferredLanguage"],
                    contact_preference=row["contactPreference"])


def link_entity(link: StudentGuardian) -> dict[str, Any]:
    return {"PartitionKey": school_partition(link.tenant_id, link.school_id),
            "RowKey": key(link.student_id, link.guardian_id), "studentId": link.student_id,
            "guardianId": link.guardian_id, "relationship": link.relationship,
            "parentalResponsibility": link.parental_responsibility, "priority": link.priority,
            "livesWithPupil": link.lives_with_pupil}


def link_of(tenant_id: str, school_id: str, row: Entity) -> StudentGuardian:
    return StudentGuardian(tenant_id=tenant_id, school_id=school_id, student_id=row["studentId"],
                           guardian_id=row["guardianId"], relationship=row.get("relationship"),
                           parental_responsibility=row["parentalResponsibility"],
                           priority=row["priority"], lives_with_pupil=row["livesWithPupil"])
