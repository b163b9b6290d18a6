"""The Wonde client against the local Wonde server over real HTTP: paging, includes,
`updated_after`, deletions, throttling and failures, and the token kept out of every log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import pytest

from adapters.wonde import RetryPolicy, Transport, WondeClient
from demo import DemoSchool, generate_district
from devhost.wonde_data import BASE_STAMP, SchoolData, WondeData, wonde_district
from devhost.wonde_server import Fault, WondeServer
from domain.attendance.codes import load_code_table
from domain.platform.errors import ValidationFailed
from domain.sis.code_mapping import map_codes
from domain.sis.wonde import parse_roster
from services.attendance.mark_validation import MarkValidator
from services.sis.ports import SisConnection, SisRefused, SisUnavailable

STUDENTS, PER_PAGE = 30, 10  # three pages of students
SICK = {"code": "SK", "description": "Sickness (illness)", "type": "authorised absence"}


@dataclass
class Rig:
    demo: DemoSchool
    data: WondeData
    school: SchoolData
    server: WondeServer
    client: WondeClient
    sleeps: list[float] = field(default_factory=list)

    @property
    def connection(self) -> SisConnection:
        return SisConnection(self.school.wonde_id, self.school.token)

    def wide(self) -> WondeClient:
        """A client asking the server's largest page, for reads of many marks."""
        return WondeClient(Transport(sleep=self.sleeps.append), base_url=self.server.url, per_page=200)


@pytest.fixture
def rig() -> Iterator[Rig]:
    district = generate_district(7, schools=1, students_per_school=STUDENTS, through=date(2025, 9, 19))
    data = wonde_district(district, custom_codes=(SICK,))
    school = next(iter(data.schools.values()))
    sleeps: list[float] = []
    transport = Transport(retry=RetryPolicy(attempts=4), sleep=sleeps.append, jitter=lambda: 0.0)
    with WondeServer(data, page_size=7) as server:
        client = WondeClient(transport, base_url=server.url, per_page=PER_PAGE)
        yield Rig(district.schools[0], data, school, server, client, sleeps)
        client.close()


def test_students_arrive_whole_across_pages_and_import_as_a_roster(rig: Rig) -> None:
    fetched = rig.client.students(rig.connection)

    assert fetched.pages == 3 and rig.server.requests == 3 == rig.client.stats.requests
    assert [r["id"] for r in fetched.items] == [s.student_id for s in rig.demo.students]
    roster = parse_roster({"data": list(fetched.items)}, tenant_id=rig.demo.school.tenant_id,
                          school_id=rig.demo.school_id)
    assert roster.rejected == [] and roster.warnings == []
    assert {r.student for r in roster.records} == set(rig.demo.students)
    assert sum(len(r.guardians) for r in roster.records) == len(rig.demo.links)
    path, query = rig.server.seen[0]
    assert path.endswith(f"/schools/{rig.school.wonde_id}/students")
    assert query["include"] == "education_details,contacts,contacts.contact_details,year,registration,classes"
    assert [q.get("page") for _, q in rig.server.seen] == [None, "2", "3"]


def test_a_student_carries_its_includes_expanded_and_leaves_out_what_was_not_asked(rig: Rig) -> None:
    first = rig.client.students(rig.connection).items[0]
    bare, _ = Transport().read_all(f"{rig.server.url}/schools/{rig.school.wonde_id}/students", {},
                                   rig.school.token, school_id=rig.school.wonde_id, what="students")

    assert set(first["registration"]["data"]) == {"name"}
    assert first["classes"]["data"][0]["name"] == first["registration"]["data"]["name"]
    assert "contact_details" in first["contacts"]["data"][0]
    assert not {"education_details", "contacts", "year", "registration", "classes"} & set(bare[0])


def test_marks_read_the_same_with_codes_expanded_or_as_ids_and_only_inside_the_window(rig: Rig) -> None:
    start, end = date(2025, 9, 8), date(2025, 9, 12)
    plain = rig.wide().session_attendance(rig.connection, start, end)
    expanded = rig.wide().session_attendance(rig.connection, start, end, include_codes=True)

    assert len(plain.items) == STUDENTS * 5 * 2 and plain.issues == []
    assert {m.date for m in plain.items} == {start + timedelta(days=n) for n in range(5)}
    assert [m.attendance_code_id for m in plain.items] == [m.attendance_code_id for m in expanded.items]
    assert {m.code for m in plain.items} == {None}
    assert {m.code for m in expanded.items} >= {"/", "\\"}
    _, query = rig.server.seen[0]
    assert (query["date_after"], query["date_before"]) == ("2025-09-07", "2025-09-13")


def test_pulled_marks_pass_the_mark_validator_once_their_codes_are_mapped(rig: Rig) -> None:
    table = load_code_table(rig.demo.school.jurisdiction, rig.demo.calendar.start)
    plan = map_codes(rig.client.attendance_codes(rig.connection).items, table)
    marks = rig.wide().session_attendance(rig.connection, date(2025, 9, 1), date(2025, 9, 19)).items
    validator = MarkValidator(rig.demo.school, rig.demo.students, plan.entries(), lambda _: rig.demo.calendar)

    checked = [validator.check(m.record()) for m in marks]
    [sick] = plan.review

    assert len(checked) == len(marks) == sum(1 for _ in rig.demo.students) * 15 * 2 - len(rig.demo.missing)
    assert (sick.code, sick.suggested) == ("SK", "I")
    with pytest.raises(ValidationFailed, match=f"attendance code '{sick.wonde_id}' is not in eng-2024"):
        validator.check({**marks[0].record(), "attendance_code": sick.wonde_id})


def test_updated_after_returns_only_what_changed_since(rig: Rig) -> None:
    changed = rig.demo.students[4].student_id
    at = BASE_STAMP + timedelta(days=2)
    rig.data.update(rig.school.wonde_id, "students", changed, at, surname="Newname")

    fetched = rig.client.students(rig.connection, updated_after=BASE_STAMP + timedelta(days=1))

    assert [(r["id"], r["surname"]) for r in fetched.items] == [(changed, "Newname")]
    assert rig.server.seen[0][1]["updated_after"] == "2025-09-01 18:00:00"


def test_deletions_list_what_left_and_the_list_no_longer_has_it(rig: Rig) -> None:
    leaver = rig.demo.students[0]
    at = BASE_STAMP + timedelta(days=3)
    rig.data.delete(rig.school.wonde_id, "students", leaver.student_id, at)
    rig.data.delete(rig.school.wonde_id, "employees", f"{rig.demo.school_id}-e001", at)

    deletions = rig.client.deletions(rig.connection, updated_after=BASE_STAMP)
    students_only = rig.client.deletions(rig.connection, type="student")

    assert [(d.type, d.id, d.mis_id, d.deleted_at) for d in students_only.items] == [
        ("student", leaver.student_id, leaver.sis_id, at)]
    assert {d.type for d in deletions.items} == {"student", "employee"}
    assert rig.client.deletions(rig.connection, updated_after=at).items == []
    assert leaver.student_id not in {r["id"] for r in rig.client.students(rig.connection).items}


def test_employees_and_classes_come_with_their_memberships(rig: Rig) -> None:
    employees = rig.client.employees(rig.connection).items
    classes = rig.client.classes(rig.connection).items
    contacts = rig.client.contacts(rig.connection).items

    forms = sorted({s.registration_class or "" for s in rig.demo.students})
    assert sorted(c.name or "" for c in classes) == forms and len(employees) == len(forms)
    for group in classes:
        assert set(group.student_ids) == {s.student_id for s in rig.demo.students
                                          if s.registration_class == group.name}
        [teacher] = [e for e in employees if e.id in group.employee_ids]
        assert teacher.class_ids == (group.id,) and teacher.teaching_staff
    assert {c["id"] for c in contacts} == {g.guardian_id for g in rig.demo.guardians}


def test_a_429_is_waited_out_for_exactly_its_retry_after(rig: Rig) -> None:
    rig.server.inject(Fault(429, retry_after="3", path="students", page=2))

    fetched = rig.client.students(rig.connection)

    assert len(fetched.items) == STUDENTS
    assert rig.sleeps == [3.0]
    assert (rig.client.stats.throttled, rig.client.stats.retries, rig.client.stats.waited) == (1, 1, 3.0)
    assert rig.server.requests == 4 == rig.client.stats.requests


def test_a_retry_after_given_as_a_date_is_waited_until_that_date() -> None:
    sleeps: list[float] = []
    now = datetime(2025, 9, 8, 7, 0, 0, tzinfo=UTC).timestamp()
    transport = Transport(sleep=sleeps.append, now=lambda: now)
    district = generate_district(7, schools=1, students_per_school=3, through=date(2025, 9, 5))
    data = wonde_district(district)
    school = next(iter(data.schools.values()))
    with WondeServer(data) as server:
        later = datetime.fromtimestamp(now + 5, tz=UTC)
        server.inject(Fault(429, retry_after=format_datetime(later, usegmt=True)))  # "..., 07:00:05 GMT"
        client = WondeClient(transport, base_url=server.url)
        client.attendance_codes(SisConnection(school.wonde_id, school.token))

    assert sleeps == [5.0]


def test_a_server_error_is_retried_with_growing_waits_until_it_succeeds(rig: Rig) -> None:
    rig.server.inject(Fault(503, times=2, path="attendance-codes"))
    rig.server.inject(Fault(0, path="attendance-codes"))  # then the connection drops once

    fetched = rig.client.attendance_codes(rig.connection)

    assert len(fetched.items) == len(load_code_table(rig.demo.school.jurisdiction).codes) + 1
    assert rig.sleeps == [0.25, 0.5, 1.0]  # base 0.5s doubling, jitter at its floor (half)
    assert rig.client.stats.requests == 3 + fetched.pages == rig.server.requests


def test_a_page_that_keeps_failing_mid_read_raises_and_returns_nothing(rig: Rig) -> None:
    rig.server.inject(Fault(500, times=99, path="attendance/session", page=2))

    with pytest.raises(SisUnavailable) as raised:
        rig.client.session_attendance(rig.connection, date(2025, 9, 1), date(2025, 9, 19))

    assert (raised.value.status, raised.value.pages_read) == (500, 1)
    assert rig.server.requests == 1 + 4 == rig.client.stats.requests
    assert len(rig.sleeps) == 3


def test_a_retry_after_longer_than_the_limit_gives_up_at_once_saying_when(rig: Rig) -> None:
    rig.server.inject(Fault(429, retry_after="3600"))

    with pytest.raises(SisUnavailable) as raised:
        rig.client.students(rig.connection)

    assert (raised.value.status, raised.value.retry_after) == (429, 3600.0)
    assert rig.sleeps == [] and rig.server.requests == 1


@pytest.mark.parametrize("token", ["wrong", "other-school"])
def test_a_refused_token_is_not_retried(rig: Rig, token: str) -> None:
    other = wonde_district(generate_district(8, schools=2, students_per_school=2,
                                             through=date(2025, 9, 5))).schools
    bad = next(iter(other.values())).token if token == "other-school" else token

    with pytest.raises(SisRefused) as raised:
        rig.client.students(SisConnection(rig.school.wonde_id, bad))

    assert raised.value.status == 401 and rig.server.requests == 1


def test_the_token_is_never_logged_nor_shown_while_the_school_id_and_counts_are(
        rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rig.server.inject(Fault(429, retry_after="1", path="students"))
    rig.server.inject(Fault(502, times=99, path="deletions"))

    rig.client.students(rig.connection)
    with pytest.raises(SisUnavailable) as raised:
        rig.client.deletions(rig.connection)

    shown = " ".join([caplog.text, str(raised.value), repr(rig.connection), repr(rig.client)])
    assert rig.school.token not in shown
    assert rig.school.wonde_id in caplog.text and f"{STUDENTS} records in 3 pages" in caplog.text


def test_a_bad_filter_is_refused_unretried(rig: Rig) -> None:
    url = f"{rig.server.url}/schools/{rig.school.wonde_id}/students"

    with pytest.raises(SisRefused) as raised:
        Transport().read_all(url, {"updated_after": "yesterday"}, rig.school.token,
                             school_id=rig.school.wonde_id, what="students")

    assert raised.value.status == 422 and rig.server.requests == 1
