"""Wonde list records besides students, as typed values: session marks, deletions, employees and
classes (with their student and employee memberships).

An include may come expanded (`"attendance_code": {"data": {"id": ..., "code": "I"}}`) or as a
plain id; both read the same. Each list is judged record by record: one that cannot be used
becomes an `Issue` naming its field, the others are kept. A mark read here is only well formed;
whether its student, day and code are right for the school is `MarkValidator`'s call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.platform.errors import ValidationFailed
from domain.sis.values import as_object, data_of, first_present, flag, parse_wonde_date, text, whole_number
from domain.sis.wonde import Issue

T = TypeVar("T")
ID_LENGTH = 128
# A comment is only carried here; its limit for storage is the ingester's (MAX_COMMENT)
MAX_CARRIED_TEXT = 100_000


def ref(value: Any, field: str) -> str | None:
    """An id given plainly or as an expanded one-include `{"data": {"id": ...}}`."""
    inner = data_of(value)
    if isinstance(inner, dict):
        return text(inner.get("id"), f"{field}.data.id", max_length=ID_LENGTH)
    return text(inner, field, max_length=ID_LENGTH)


def refs(value: Any, field: str) -> tuple[str, ...]:
    """The ids of a many-include: `{"data": [{"id": ...}, ...]}`, a list of ids, or nothing."""
    inner = data_of(value)
    if inner is None:
        return ()
    if not isinstance(inner, list):
        raise ValidationFailed("expected a list", field=field)
    found = (ref(item, f"{field}.data[{index}]") for index, item in enumerate(inner))
    return tuple(dict.fromkeys(r for r in found if r))


def parse_wonde_datetime(value: Any, field: str) -> datetime | None:
    """`{"date": "2015-10-29 14:53:44.000000", "timezone": "UTC"}` or `2016-06-24 00:00:00`, as
    an aware datetime (UTC unless the object names another zone); None when absent."""
    if value is None or value == "":
        return None
    zone_name = value.get("timezone") if isinstance(value, dict) else None
    raw = value.get("date") if isinstance(value, dict) else value
    try:
        stamp = datetime.fromisoformat(raw.strip()) if isinstance(raw, str) else None
    except ValueError:
        stamp = None
    if stamp is None:
        raise ValidationFailed("expected a date and time or a Wonde date object", field=field)
    if stamp.tzinfo is not None:
        return stamp
    try:
        zone = ZoneInfo(zone_name) if isinstance(zone_name, str) and zone_name not in ("", "UTC") else UTC
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(f"unknown time zone {zone_name!r}", field=f"{field}.timezone") from None
    return stamp.replace(tzinfo=zone)


def _required(value: Any, field: str) -> str:
    found = text(value, field, max_length=ID_LENGTH)
    if found is None:
        raise ValidationFailed("is required", field=field)
    return found


def _required_ref(value: Any, field: str) -> str:
    found = ref(value, field)
    if found is None:
        expanded = isinstance(data_of(value), dict)
        raise ValidationFailed("is required", field=f"{field}.data.id" if expanded else field)
    return found


@dataclass(frozen=True, slots=True)
class SessionMark:
    """One row of `attendance/session`; `code` is the letter when the code include was expanded."""

    student_id: str
    date: date
    session: str
    attendance_code_id: str
    code: str | None = None
    comment: str | None = None
    minutes_late: int | None = None
    id: str | None = None
    updated_at: datetime | None = None

    def record(self) -> dict[str, Any]:
        """The record shape POST /api/attendance/marks takes and `MarkValidator.check` reads."""
        return {"student": self.student_id, "date": self.date.isoformat(), "session": self.session,
                "attendance_code": self.attendance_code_id, "comment": self.comment,
                "minutes_late": self.minutes_late}


def parse_session_mark(record: dict[str, Any]) -> SessionMark:
    student_field, student = first_present((n, record.get(n)) for n in ("student", "student_id"))
    code_field, code = first_present((n, record.get(n)) for n in ("attendance_code", "attendance_code_id"))
    day = parse_wonde_date(record.get("date"), "date")
    if day is None:
        raise ValidationFailed("is required", field="date")
    expanded = data_of(code)
    letter = text(expanded.get("code"), f"{code_field}.data.code", max_length=16) \
        if isinstance(expanded, dict) else None
    return SessionMark(
        student_id=_required_ref(student, student_field), date=day,
        session=(text(record.get("session"), "session", max_length=8) or "").upper(),
        attendance_code_id=_required_ref(code, code_field), code=letter,
        comment=text(record.get("comment"), "comment", max_length=MAX_CARRIED_TEXT),
        minutes_late=whole_number(record.get("minutes_late"), "minutes_late"),
        id=text(record.get("id"), "id", max_length=ID_LENGTH),
        updated_at=parse_wonde_datetime(record.get("updated_at"), "updated_at"))


@dataclass(frozen=True, slots=True)
class Deletion:
    """A top-level object gone from the MIS; `restored_at` set when it came back with its MIS id."""

    type: str
    id: str
    mis_id: str | None = None
    deleted_at: datetime | None = None
    restored_at: datetime | None = None

    @property
    def restored(self) -> bool:
        return self.restored_at is not None


def parse_deletion(record: dict[str, Any]) -> Deletion:
    return Deletion(type=_required(record.get("type"), "type").lower(), id=_required(record.get("id"), "id"),
                    mis_id=text(record.get("mis_id"), "mis_id", max_length=ID_LENGTH),
                    deleted_at=parse_wonde_datetime(record.get("deleted_at"), "deleted_at"),
                    restored_at=parse_wonde_datetime(record.get("restored_at"), "restored_at"))


@dataclass(frozen=True, slots=True)
class Employee:
    id: str
    forename: str | None
    surname: str | None
    upi: str | None = None
    mis_id: str | None = None
    title: str | None = None
    email: str | None = None
    teaching_staff: bool | None = None
    class_ids: tuple[str, ...] = ()


def _include(record: dict[str, Any], name: str) -> dict[str, Any]:
    inner = data_of(record.get(name))
    return inner if isinstance(inner, dict) else {}


def parse_employee(record: dict[str, Any]) -> Employee:
    emails = data_of(_include(record, "contact_details").get("emails"))
    emails = emails if isinstance(emails, dict) else {}
    at = "contact_details.data.emails"
    _, email = first_present((f"{at}.{k}", emails.get(k)) for k in ("email", "work", "primary"))
    return Employee(
        id=_required(record.get("id"), "id"),
        forename=text(record.get("forename"), "forename", max_length=100),
        surname=text(record.get("surname"), "surname", max_length=100),
        upi=text(record.get("upi"), "upi", max_length=64),
        mis_id=text(record.get("mis_id"), "mis_id", max_length=ID_LENGTH),
        title=text(record.get("title"), "title", max_length=20),
        email=text(email, f"{at}.email", max_length=254),
        teaching_staff=flag(_include(record, "employment_details").get("teaching_staff"),
                            "employment_details.data.teaching_staff"),
        class_ids=refs(record.get("classes"), "classes"))


@dataclass(frozen=True, slots=True)
class SchoolClass:
    id: str
    name: str | None
    mis_id: str | None = None
    code: str | None = None
    description: str | None = None
    subject: str | None = None
    student_ids: tuple[str, ...] = ()
    employee_ids: tuple[str, ...] = ()


def parse_class(record: dict[str, Any]) -> SchoolClass:
    subject = record.get("subject")
    subject_name = (text(_include(record, "subject").get("name"), "subject.data.name")
                    if isinstance(subject, dict) else text(subject, "subject"))
    return SchoolClass(
        id=_required(record.get("id"), "id"), name=text(record.get("name"), "name"),
        mis_id=text(record.get("mis_id"), "mis_id", max_length=ID_LENGTH),
        code=text(record.get("code"), "code"), description=text(record.get("description"), "description"),
        subject=subject_name, student_ids=refs(record.get("students"), "students"),
        employee_ids=refs(record.get("employees"), "employees"))


def _shown_id(raw: Any) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def parse_each(records: Iterable[Any], parse: Callable[[dict[str, Any]], T]) -> tuple[list[T], list[Issue]]:
    """Every usable record, and an Issue (index, id, field, reason) for each one that is not."""
    items: list[T] = []
    issues: list[Issue] = []
    for index, raw in enumerate(records):
        try:
            items.append(parse(as_object(raw, "record")))
        except ValidationFailed as exc:
            issues.append(Issue(index, _shown_id(raw), exc.field or "record", exc.detail))
    return items, issues
