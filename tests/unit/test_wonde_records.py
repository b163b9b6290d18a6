"""Wonde session marks, deletions, employees and classes read into typed values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from adapters.wonde.regions import base_url, domain_for
from domain.sis.records import (
    SessionMark,
    parse_class,
    parse_deletion,
    parse_each,
    parse_employee,
    parse_session_mark,
    parse_wonde_datetime,
)

WONDE_DAY = {"date": "2025-09-08 00:00:00.000000", "timezone_type": 3, "timezone": "UTC"}


def test_a_mark_reads_the_same_with_its_includes_expanded_or_as_plain_ids() -> None:
    plain = {"id": "M1", "student": "S1", "date": WONDE_DAY, "session": "am", "attendance_code": "C9",
             "comment": " Dentist ", "minutes_late": "12"}
    expanded = {**plain, "student": {"data": {"id": "S1", "forename": "Ruth"}},
                "attendance_code": {"data": {"id": "C9", "code": "M", "description": "Medical"}}}

    assert parse_session_mark(plain) == SessionMark("S1", date(2025, 9, 8), "AM", "C9", comment="Dentist",
                                                    minutes_late=12, id="M1")
    assert parse_session_mark(expanded) == SessionMark("S1", date(2025, 9, 8), "AM", "C9", code="M",
                                                       comment="Dentist", minutes_late=12, id="M1")


def test_a_mark_becomes_the_record_the_mark_ingester_reads() -> None:
    mark = parse_session_mark({"student_id": "S1", "date": "2025-09-08", "session": "PM",
                               "attendance_code_id": "C9"})

    assert mark.record() == {"student": "S1", "date": "2025-09-08", "session": "PM", "attendance_code": "C9",
                             "comment": None, "minutes_late": None}


@pytest.mark.parametrize(("record", "field"), [
    ({"date": "2025-09-08", "attendance_code": "C9"}, "student"),
    ({"student": "S1", "attendance_code": "C9"}, "date"),
    ({"student": "S1", "date": "2025-09-08"}, "attendance_code"),
    ({"student": {"data": {}}, "date": "2025-09-08", "attendance_code": "C9"}, "student.data.id"),
    ({"student": "S1", "date": "2025-09-08", "attendance_code": "C9", "minutes_late": -3}, "minutes_late"),
])
def test_an_unusable_mark_is_an_issue_naming_its_field_and_the_rest_are_kept(
        record: dict[str, Any], field: str) -> None:
    good = {"student": "S2", "date": "2025-09-08", "session": "AM", "attendance_code": "C1"}

    marks, issues = parse_each([good, record], parse_session_mark)

    assert [m.student_id for m in marks] == ["S2"]
    assert [(i.index, i.field) for i in issues] == [(1, field)]


def test_wonde_date_objects_read_as_aware_datetimes() -> None:
    assert parse_wonde_datetime({"date": "2015-10-29 14:53:44.000000", "timezone": "UTC"}, "at") == \
        datetime(2015, 10, 29, 14, 53, 44, tzinfo=UTC)
    london = parse_wonde_datetime({"date": "2025-07-01 09:00:00.000000", "timezone": "Europe/London"}, "at")
    assert london is not None and london.astimezone(UTC) == datetime(2025, 7, 1, 8, tzinfo=UTC)
    assert parse_wonde_datetime(None, "at") is None


def test_a_deletion_and_a_restored_one() -> None:
    gone = parse_deletion({"type": "Student", "id": "S1", "mis_id": "9919",
                           "deleted_at": {"date": "2025-09-10 07:00:00.000000", "timezone": "UTC"}})
    back = parse_deletion({"type": "contact", "id": "C1", "restored_at": "2025-09-11 07:00:00"})

    assert (gone.type, gone.id, gone.mis_id, gone.restored) == ("student", "S1", "9919", False)
    assert back.restored


def test_employees_and_classes_carry_their_memberships_from_either_shape() -> None:
    teacher = parse_employee({"id": "E1", "title": "Ms", "forename": "Helen", "surname": "Carter",
                              "contact_details": {"data": {"emails": {"email": "h.carter@example.org"}}},
                              "employment_details": {"data": {"teaching_staff": True}},
                              "classes": {"data": [{"id": "K1"}, {"id": "K2"}, {"id": "K1"}]}})
    group = parse_class({"id": "K1", "name": "7A", "subject": "Registration", "students": ["S1", "S2"],
                         "employees": {"data": [{"id": "E1"}]}})

    assert (teacher.email, teacher.teaching_staff, teacher.class_ids) == (
        "h.carter@example.org", True, ("K1", "K2"))
    assert (group.subject, group.student_ids, group.employee_ids) == ("Registration", ("S1", "S2"), ("E1",))


@pytest.mark.parametrize(("region", "domain"), [
    ("GBR", "api.wonde.com"), ("api.wonde.com", "api.wonde.com"), ("AUS", "api-ap-southeast-2.wonde.com"),
    ("nz", "api-ap-southeast-2.wonde.com"), ("ZAF", "api-af-south-1.wonde.com"),
    ("API-AF-SOUTH-1.WONDE.COM", "api-af-south-1.wonde.com"),
])
def test_the_regional_domain_comes_from_the_school_region(region: str, domain: str) -> None:
    assert domain_for(region) == domain
    assert base_url(region) == f"https://{domain}/v1.0"


@pytest.mark.parametrize("region", ["", "Mars", "api.example.org", "wonde.com"])
def test_an_unknown_region_is_refused_rather_than_sent_a_token(region: str) -> None:
    with pytest.raises(ValueError, match="unknown Wonde region"):
        domain_for(region)
