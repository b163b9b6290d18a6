"""A demo district as Wonde holds it, for the local Wonde server (devhost/wonde_server.py).

Per school: students with every include expanded (education_details, contacts with their
contact_details, year, registration, classes), contacts with their students, one registration
teacher per class as employees, the registration classes with their memberships, the school's
attendance codes (its jurisdiction's table, plus any custom codes) and its session marks. Each
record remembers when it last changed (`updated_at`), so `updated_after` can be answered, and a
deleted one leaves a `deletions` entry. The server strips the includes a request did not ask for.

Deterministic: built from `generate_district`, stamped from BASE_STAMP, tokens from the seed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from demo import DemoDistrict, DemoSchool, iter_mark_rows, to_wonde_students, wonde_date
from domain.attendance.codes import CodeCategory, load_code_table

BASE_STAMP = datetime(2025, 8, 31, 18, 0, tzinfo=UTC)  # when the demo's records reached Wonde
MARKED_AT = time(16, 0, tzinfo=UTC)  # registers are closed by then
SINGULAR = {"students": "student", "contacts": "contact", "employees": "employee", "classes": "class",
            "attendance/session": "attendance"}
# The server's words for Wonde's `type` of a code: Wonde's own vocabulary is not documented.
CODE_TYPES = {CodeCategory.PRESENT: "present", CodeCategory.LATE_PRESENT: "present",
              CodeCategory.APPROVED_ACTIVITY: "approved educational activity",
              CodeCategory.AUTHORISED_ABSENCE: "authorised absence",
              CodeCategory.UNAUTHORISED_ABSENCE: "unauthorised absence",
              CodeCategory.NOT_POSSIBLE: "attendance not required",
              CodeCategory.ADMINISTRATIVE: "attendance not required"}
_TEACHERS = (("Ms", "Helen", "Carter"), ("Mr", "David", "Okafor"), ("Mrs", "Priya", "Shah"),
             ("Mr", "Tom", "Fletcher"), ("Ms", "Aisling", "Byrne"), ("Mrs", "Maria", "Lopez"))


def wonde_datetime(moment: datetime) -> dict[str, Any]:
    moment = moment.astimezone(UTC)
    return {"date": moment.strftime("%Y-%m-%d %H:%M:%S.000000"), "timezone_type": 3, "timezone": "UTC"}


@dataclass
class Row:
    record: dict[str, Any]
    updated_at: datetime


@dataclass
class SchoolData:
    wonde_id: str
    demo_school_id: str
    name: str
    token: str = field(repr=False)
    resources: dict[str, dict[str, Row]] = field(default_factory=dict)
    deletions: list[Row] = field(default_factory=list)

    def rows(self, resource: str) -> list[Row]:
        return list(self.resources.get(resource, {}).values())


@dataclass
class WondeData:
    schools: dict[str, SchoolData]

    def school(self, wonde_id: str) -> SchoolData:
        return self.schools[wonde_id]

    def for_demo(self, demo_school_id: str) -> SchoolData:
        return next(s for s in self.schools.values() if s.demo_school_id == demo_school_id)

    def update(self, wonde_id: str, resource: str, record_id: str, at: datetime, **changes: Any) -> None:
        """Change a record in place and stamp it, as an edit in the MIS would."""
        row = self.schools[wonde_id].resources[resource][record_id]
        row.record.update(changes, updated_at=wonde_datetime(at))
        row.updated_at = at

    def delete(self, wonde_id: str, resource: str, record_id: str, at: datetime) -> None:
        """Remove a record; `deletions` lists it from `at`."""
        school = self.schools[wonde_id]
        record = school.resources[resource].pop(record_id).record
        school.deletions.append(Row({"type": SINGULAR[resource], "id": record_id,
                                     "mis_id": record.get("mis_id"), "deleted_at": wonde_datetime(at),
                                     "restored_at": None}, at))


def _rows(records: list[dict[str, Any]], at: datetime = BASE_STAMP) -> dict[str, Row]:
    return {r["id"]: Row({**r, "updated_at": wonde_datetime(at)}, at) for r in records}


def attendance_codes(school: DemoSchool, custom: tuple[dict[str, str], ...] = ()) -> list[dict[str, Any]]:
    table = load_code_table(school.school.jurisdiction, school.calendar.start)
    codes = [{"id": f"{table.version}-{n:02d}", "code": info.code, "description": info.description,
              "type": CODE_TYPES[info.category]} for n, info in enumerate(table.codes.values(), start=1)]
    codes += [{"id": f"custom-{n:02d}", **extra} for n, extra in enumerate(custom, start=1)]
    return codes


Records = list[dict[str, Any]]


def _classes(school: DemoSchool) -> tuple[Records, Records, dict[str, dict[str, Any]]]:
    """(classes, employees, the class summary per student id): a teacher per registration class."""
    names = sorted({s.registration_class for s in school.students if s.registration_class})
    classes, employees, of_student = [], [], {}
    for n, name in enumerate(names, start=1):
        title, forename, surname = _TEACHERS[(n - 1) % len(_TEACHERS)]
        teacher = {"id": f"{school.school_id}-e{n:03d}", "mis_id": str(5000 + n), "title": title,
                   "forename": forename, "surname": surname}
        summary = {"id": f"{school.school_id}-c{n:03d}", "mis_id": str(900 + n), "name": name, "code": name,
                   "description": f"Registration {name}"}
        pupils = [{"id": s.student_id, "forename": s.forename, "surname": s.surname}
                  for s in school.students if s.registration_class == name]
        classes.append({**summary, "subject": {"data": {"name": "Registration", "code": "REG"}},
                        "students": {"data": pupils}, "employees": {"data": [teacher]}})
        employees.append({**teacher, "contact_details": {"data": {"emails": {
            "email": f"{forename}.{surname}@example.org".lower()}}},
            "employment_details": {"data": {"teaching_staff": True, "current": True}},
            "classes": {"data": [summary]}})
        of_student.update({p["id"]: summary for p in pupils})
    return classes, employees, of_student


def _students_and_contacts(school: DemoSchool,
                           class_of: dict[str, dict[str, Any]]) -> tuple[Records, Records]:
    students = to_wonde_students(school.students, school.guardians, school.links)["data"]
    contacts: dict[str, dict[str, Any]] = {}
    for record in students:
        form = record.pop("form_group", None)
        if form is not None:  # Wonde calls the registration group `registration`
            record["registration"] = form
        record["classes"] = {"data": [class_of[record["id"]]] if record["id"] in class_of else []}
        for contact in record["contacts"]["data"]:
            entry = contacts.setdefault(contact["id"], {
                **{k: v for k, v in contact.items() if k != "relationship"}, "students": {"data": []}})
            entry["students"]["data"].append({"id": record["id"], "relationship": contact["relationship"]})
    return students, list(contacts.values())


def _marks(school: DemoSchool, code_ids: dict[str, str]) -> dict[str, Row]:
    rows = {}
    for n, mark in enumerate(iter_mark_rows(school), start=1):
        at = datetime.combine(mark.date, MARKED_AT)
        mark_id = f"{school.school_id}-m{n}"
        rows[mark_id] = Row({"id": mark_id, "student": mark.student_id, "date": wonde_date(mark.date),
                             "session": mark.session, "attendance_code": code_ids[mark.code],
                             "comment": mark.comment, "minutes_late": mark.minutes_late,
                             "updated_at": wonde_datetime(at)}, at)
    return rows


def school_data(school: DemoSchool, token: str, custom_codes: tuple[dict[str, str], ...] = ()) -> SchoolData:
    classes, employees, class_of = _classes(school)
    students, contacts = _students_and_contacts(school, class_of)
    codes = attendance_codes(school, custom_codes)
    code_ids = {c["code"]: c["id"] for c in reversed(codes)}  # a custom twin never hides a table code
    data = SchoolData(f"A{school.school.sis_school_id}", school.school_id, school.school.name, token)
    data.resources = {"students": _rows(students), "contacts": _rows(contacts), "employees": _rows(employees),
                      "classes": _rows(classes), "attendance-codes": _rows(codes),
                      "attendance/session": _marks(school, code_ids)}
    return data


def wonde_district(district: DemoDistrict, *, custom_codes: tuple[dict[str, str], ...] = ()) -> WondeData:
    """Every school of the district; each token is 40 hex digits drawn from the seed, like Wonde's."""
    schools = {}
    for school in district.schools:
        token = hashlib.sha256(f"{district.seed}/{school.school_id}/wonde".encode()).hexdigest()[:40]
        data = school_data(school, token, custom_codes)
        schools[data.wonde_id] = data
    return WondeData(schools)
