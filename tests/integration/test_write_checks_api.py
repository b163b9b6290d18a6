"""Ids are checked before anything is written, over HTTP on Azurite: an exemption, a work task, a
meeting or a letter for a student the school does not have (unknown, or another school's) is a
404 problem naming `studentId`, and nothing is stored or audited; a task on another student's case is a 422
naming `caseId`; a task update with `If-Match: *` is refused (412) like a stale ETag."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.casework.cases import Case, CaseStatus
from services.interventions.ports import StudentChange
from tests.integration.test_attendance_api import add_school

pytestmark = pytest.mark.integration

S1 = {"schoolId": "s1"}
WRITES = ("interventions.exemption.set", "interventions.task.created", "meetings.scheduled",
          "letter.generate")


@pytest.fixture
def schools(client, admin, mint, tenant, app_container) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """s1 and s2 with two students each; the officer covers both schools."""
    ours, theirs = add_school(client, admin, "s1", 2), add_school(client, admin, "s2", 2)
    return {"ours": ours, "theirs": theirs, "officer": mint("AttendanceOfficer", tenant, ["s1", "s2"])}


def audited(container: Any, tenant: str) -> list[str]:
    records, _ = container.platform.audit.list(tenant, limit=500)
    return [r.action for r in records if r.action in WRITES]


def assert_missing_student(response: Any) -> None:
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "studentId", response.text


@pytest.mark.parametrize("who", ["unknown", "another school's"])
def test_writes_for_a_student_the_school_does_not_have_are_refused_and_leave_no_trace(  # type: ignore[no-untyped-def]
        client, tenant, schools, app_container, who):
    student = "nobody-1" if who == "unknown" else schools["theirs"][0]
    officer = schools["officer"]

    exemption = client.put(f"/api/students/{student}/exemption", params=S1, headers=officer,
                           json={"reason": "managed move"})
    task = client.post("/api/tasks", params=S1, headers=officer, json={
        "studentId": student, "title": "Call home", "assignee": "u-1", "dueOn": "2024-10-01"})
    meeting = client.post("/api/meetings", params=S1, headers=officer, json={
        "studentId": student, "startsAt": "2024-10-15T09:00:00+00:00", "endsAt": "2024-10-15T09:30:00+00:00"})

    letters = client.post("/api/letters/generate", params=S1, headers=officer, json={"studentId": student})
    for response in (exemption, task, meeting, letters):
        assert_missing_student(response)
    assert app_container.casework.store.exemption(tenant, "s1", student) is None
    assert client.get("/api/tasks", params=S1, headers=officer).json()["items"] == []
    assert client.get("/api/meetings", params=S1, headers=officer).json()["items"] == []
    assert audited(app_container, tenant) == []
    # the same writes for a student of the school go through, audited once each
    own = schools["ours"][0]
    assert client.put(f"/api/students/{own}/exemption", params=S1, headers=officer,
                      json={"reason": "managed move"}).status_code == 200
    assert client.post("/api/tasks", params=S1, headers=officer, json={
        "studentId": own, "title": "Call home", "assignee": "u-1", "dueOn": "2024-10-01"}).status_code == 201
    assert client.post("/api/meetings", params=S1, headers=officer, json={
        "studentId": own, "startsAt": "2024-10-15T09:00:00+00:00",
        "endsAt": "2024-10-15T09:30:00+00:00"}).status_code == 201
    assert sorted(audited(app_container, tenant)) == sorted(WRITES[:3])


def test_a_task_on_another_students_case_names_the_case(  # type: ignore[no-untyped-def]
        client, tenant, schools, app_container):
    first, second = schools["ours"]
    case = Case(tenant, "s1", second, 1, CaseStatus.OPEN, date(2024, 9, 20), date(2024, 9, 20), ())
    assert app_container.interventions.store.save(tenant, "s1", [StudentChange(second, (), (), case)]) == []

    refused = client.post("/api/tasks", params=S1, headers=schools["officer"], json={
        "studentId": first, "caseId": second, "title": "Call home", "assignee": "u-1", "dueOn": "2024-10-01"})

    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "caseId", refused.text
    assert audited(app_container, tenant) == []


def test_a_task_update_with_if_match_star_is_refused_like_a_stale_etag(  # type: ignore[no-untyped-def]
        client, tenant, schools, app_container):
    officer, student = schools["officer"], schools["ours"][0]
    created = client.post("/api/tasks", params=S1, headers=officer, json={
        "studentId": student, "title": "Call home", "assignee": "u-1", "dueOn": "2024-10-01"})
    assert created.status_code == 201, created.text
    url = f"/api/tasks/{created.json()['id']}"

    star = client.put(url, params=S1, json={"status": "DONE"}, headers={**officer, "If-Match": "*"})

    assert star.status_code == 412, star.text
    assert star.headers["content-type"].startswith("application/problem+json")
    [task] = client.get("/api/tasks", params=S1, headers=officer).json()["items"]
    assert task["status"] == "OPEN"
    records, _ = app_container.platform.audit.list(tenant, limit=500)
    assert "interventions.task.updated" not in [r.action for r in records]
    done = client.put(url, params=S1, json={"status": "DONE"},
                      headers={**officer, "If-Match": created.headers["ETag"]})
    assert done.status_code == 200 and done.json()["status"] == "DONE", done.text
