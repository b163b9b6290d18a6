"""Exemptions, cases and work tasks through HTTP on Azurite, with the nightly scheduler: an
exemption (or a resolved case) stops the student's intervention on the next night with the stop
event and its evidence; an exempt student is not started; tasks are created, listed and updated
with If-Match (412 when stale); every change is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.integration.test_attendance_api import add_school, mark, normalize, post
from tests.integration.test_interventions_api import FIRST, NIGHT, night, sis  # noqa: F401 - fixtures

pytestmark = pytest.mark.integration

NEXT = "2024-09-23"  # the school day after the night the letter was queued
S1 = {"schoolId": "s1"}


def evaluate(client: Any, admin: dict[str, str], day: str) -> Any:
    response = client.post("/api/interventions/evaluate", params={**S1, "date": day}, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


def history(client: Any, headers: dict[str, str], student: str) -> Any:
    response = client.get(f"/api/interventions/students/{student}", params=S1, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def audited(container: Any, tenant: str, action: str) -> list[Any]:
    records, _ = container.platform.audit.list(tenant, school_ids=frozenset({"s1"}), limit=200)
    return [r for r in records if r.action == action]


def test_an_exemption_stops_the_intervention_on_the_next_night(  # type: ignore[no-untyped-def]
        client, admin, mint, tenant, night, app_container):  # noqa: F811
    officer = mint("AttendanceOfficer", tenant, ["s1"])
    bad = client.put(f"/api/students/{night}/exemption", params=S1, headers=officer,
                     json={"reason": "x", "startsOn": "2024-10-01", "expiresOn": "2024-09-01"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "expiresOn", bad.text
    put = client.put(f"/api/students/{night}/exemption", params=S1, headers=officer,
                     json={"reason": "long-term medical treatment", "expiresOn": "2024-12-20"})
    assert put.status_code == 200 and put.json()["reason"] == "long-term medical treatment", put.text
    normalize(client, admin, NEXT)
    run = evaluate(client, admin, NEXT)
    assert run["counters"]["studentsChanged"] == 1, run
    [instance] = history(client, officer, night)["instances"]
    assert instance["instance"]["status"] == "STOPPED", instance
    stopped = instance["events"][-1]
    assert stopped["kind"] == "STOPPED", instance["events"]
    assert any("long-term medical treatment" in e for e in stopped["evidence"]), stopped
    assert [a.after for a in audited(app_container, tenant, "interventions.exemption.set")] == [
        {"reason": "long-term medical treatment", "startsOn": None, "expiresOn": "2024-12-20"}]
    ended = client.delete(f"/api/students/{night}/exemption", params=S1, headers=officer)
    assert ended.status_code == 204
    assert client.delete(f"/api/students/{night}/exemption", params=S1, headers=officer).status_code == 404
    assert len(audited(app_container, tenant, "interventions.exemption.ended")) == 1


def test_an_exempt_student_is_not_started(client, admin, mint, tenant, sis):  # type: ignore[no-untyped-def]  # noqa: F811
    """The same school as the `night` fixture, but the absent student is exempt before the night."""
    absent, *present = add_school(client, admin, "s1", 3)
    days = [FIRST + timedelta(days=i) for i in range(19) if (FIRST + timedelta(days=i)).weekday() < 5]
    post(client, sis, [mark(sid, d.isoformat(), session, "O" if sid == absent else "/")
                       for sid in (absent, *present) for d in days for session in ("AM", "PM")])
    normalize(client, admin, NIGHT)
    assert client.post("/api/interventions/rules/presets/ENG", params=S1, headers=admin).status_code == 201
    officer = mint("AttendanceOfficer", tenant, ["s1"])
    exempt = client.put(f"/api/students/{absent}/exemption", params=S1, headers=officer,
                        json={"reason": "managed move", "startsOn": "2024-09-01"})
    assert exempt.status_code == 200, exempt.text
    run = evaluate(client, admin, NIGHT)
    assert run["status"] == "SUCCEEDED" and run["counters"].get("studentsChanged", 0) == 0, run
    assert history(client, officer, absent)["instances"] == []


def test_resolving_the_case_stops_the_intervention(client, admin, mint, tenant, night, app_container):  # type: ignore[no-untyped-def]  # noqa: F811
    teacher, officer = mint("Teacher", tenant, ["s1"]), mint("AttendanceOfficer", tenant, ["s1"])
    listed = client.get("/api/cases", params={**S1, "tier": "1", "status": "OPEN"}, headers=teacher)
    [case] = listed.json()["items"]
    assert case["studentId"] == night and case["id"] == night
    assert client.get("/api/cases", params={**S1, "tier": "3"}, headers=teacher).json()["items"] == []
    resolved = client.post(f"/api/cases/{night}/resolve", params=S1, headers=officer)
    assert resolved.status_code == 200 and resolved.json()["status"] == "RESOLVED", resolved.text
    normalize(client, admin, NEXT)
    evaluate(client, admin, NEXT)
    [instance] = history(client, officer, night)["instances"]
    assert instance["instance"]["status"] == "STOPPED" and instance["events"][-1]["kind"] == "STOPPED"
    assert len(audited(app_container, tenant, "interventions.case.resolved")) == 1


def test_tasks_are_created_listed_and_updated_with_if_match(  # type: ignore[no-untyped-def]
        client, mint, tenant, night, app_container):  # noqa: F811
    officer, teacher = mint("AttendanceOfficer", tenant, ["s1"]), mint("Teacher", tenant, ["s1"])
    body = {"studentId": night, "caseId": night, "title": "Call home", "assignee": "u-7",
            "dueOn": "2024-09-27"}
    created = client.post("/api/tasks", params=S1, json=body, headers=officer)
    assert created.status_code == 201, created.text
    task, etag = created.json(), created.headers["ETag"]
    assert task["status"] == "OPEN" and task["createdBy"] and task["caseId"] == night
    no_case = client.post("/api/tasks", params=S1, json={**body, "caseId": "nobody"}, headers=officer)
    assert no_case.status_code == 422 and no_case.json()["errors"][0]["field"] == "caseId"
    listed = client.get("/api/tasks", params={**S1, "assignee": "u-7", "status": "OPEN"}, headers=teacher)
    assert [t["id"] for t in listed.json()["items"]] == [task["id"]]
    url = f"/api/tasks/{task['id']}"
    done = client.put(url, params=S1, json={"status": "DONE"}, headers={**officer, "If-Match": etag})
    assert done.status_code == 200 and done.json()["status"] == "DONE" and done.json()["title"] == "Call home"
    stale = client.put(url, params=S1, json={"status": "CANCELLED"}, headers={**officer, "If-Match": etag})
    assert stale.status_code == 412, stale.text
    detail = client.get(f"/api/cases/{night}", params=S1, headers=teacher)
    assert detail.status_code == 200, detail.text
    assert detail.json()["tier"] == 1 and detail.json()["exemption"] is None
    assert [(t["id"], t["status"]) for t in detail.json()["tasks"]] == [(task["id"], "DONE")]
    assert client.get("/api/cases/nobody", params=S1, headers=teacher).status_code == 404
    assert client.put(url, params=S1, json={}, headers=officer).status_code == 428
    assert client.get("/api/tasks", params={**S1, "status": "OPEN"}, headers=teacher).json()["items"] == []
    [update] = audited(app_container, tenant, "interventions.task.updated")
    assert (update.before["status"], update.after["status"]) == ("OPEN", "DONE")
