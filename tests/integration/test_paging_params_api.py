"""Paging and parameters over HTTP on Azurite: `/api/jobs` filters by school in the query (a page
is never emptied by other schools' runs, and `s1` never matches `s10`); dates are ISO `YYYY-MM-DD`
only on every route (`?date=0` is a 422 naming the parameter, not 1970-01-01); the details of
404/409/412 problems name fields and ids, never tables or their keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import bootstrap
from domain.platform.jobs import JobRun, JobStatus
from tests.integration.test_attendance_api import add_school

pytestmark = pytest.mark.integration


def seed_runs(container: Any, tenant: str, scopes: list[str], kind: str = "normalize") -> None:
    for scope in scopes:
        container.platform.jobs._repo.create(JobRun(  # noqa: SLF001 - seeding
            tenant_id=tenant, kind=kind, scope=scope, status=JobStatus.SUCCEEDED,
            started_at=datetime.now(UTC)))


def every_page(client: Any, headers: dict[str, str], **params: Any) -> list[list[str]]:
    pages, token = [], None
    while True:
        answer = client.get("/api/jobs", params={**params, **({"continuationToken": token} if token else {})},
                            headers=headers)
        assert answer.status_code == 200, answer.text
        pages.append([r["scope"] for r in answer.json()["items"]])
        token = answer.json()["continuationToken"]
        if not token:
            return pages


def test_jobs_are_filtered_by_school_in_the_query_so_no_page_is_emptied(  # type: ignore[no-untyped-def]
        client, mint, tenant, app_container):
    # other schools' runs sort first (kind|scope order) and outnumber the page size
    seed_runs(app_container, tenant, [f"s0/2024-09-{d:02d}" for d in range(2, 12)])
    seed_runs(app_container, tenant, ["s1/2024-09-02", "s10/2024-09-02", "s3/2024-09-02"])
    seed_runs(app_container, tenant, ["s1/2024-09-03"], kind="interventions")
    admin = mint("SchoolAdmin", tenant, ["s1", "s3"])

    first = client.get("/api/jobs", params={"schoolId": "s1", "limit": 2}, headers=admin)

    assert first.status_code == 200, first.text
    # was empty with a token: the page read s0's runs first, then dropped them
    assert sorted(r["scope"] for r in first.json()["items"]) == ["s1/2024-09-02", "s1/2024-09-03"], first.text
    assert every_page(client, admin, schoolId="s3", limit=1)[0] == ["s3/2024-09-02"]
    one = every_page(client, admin, schoolId="s1", kind="normalize", limit=1)
    assert [s for p in one for s in p] == ["s1/2024-09-02"]  # not s10's
    district = mint("DistrictAdmin", tenant)
    assert len([s for p in every_page(client, district, limit=5) for s in p]) == 14
    assert [s for p in every_page(client, district, schoolId="s10") for s in p] == ["s10/2024-09-02"]


@pytest.mark.parametrize("bad", ["0", "1700000000", "2024-09-02T00:00:00", "2024-9-2", "02/09/2024",
                                 "2024-02-30"])
def test_dates_are_iso_only_on_every_route(client, admin, tenant, bad):  # type: ignore[no-untyped-def]
    add_school(client, admin, "s1", 1)
    s1 = {"schoolId": "s1"}
    calls = [
        ("GET", "/api/attendance/schools/summary", {**s1, "date": bad}, None, "date"),
        ("POST", "/api/attendance/normalize", {**s1, "date": bad}, None, "date"),
        ("GET", "/api/attendance/students/s1-st0/summaries", {**s1, "from": bad, "to": "2024-09-30"}, None,
         "from"),
        ("GET", "/api/interventions/queue", {**s1, "date": bad}, None, "date"),
        ("POST", "/api/interventions/evaluate", {**s1, "date": bad}, None, "date"),
        ("GET", "/api/meetings", {**s1, "to": bad}, None, "to"),
        ("GET", f"/api/letters/print-batches/{bad.replace('/', '-')}", s1, None, "date"),
        ("GET", "/api/audit", {"since": bad}, None, "since"),
        ("POST", "/api/tasks", s1, {"studentId": "s1-st0", "title": "t", "assignee": "u", "dueOn": bad},
         "dueOn"),
        ("PUT", "/api/students/s1-st0/exemption", s1, {"reason": "r", "startsOn": bad}, "startsOn"),
    ]
    for method, url, params, body, field in calls:
        if bad == "2024-09-02T00:00:00" and field == "since":
            continue  # a date and time is what `since` takes
        answer = client.request(method, url, params=params, json=body, headers=admin)
        assert answer.status_code == 422, (url, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in answer.json()["errors"]], (url, answer.text)
    # numbers in JSON are not dates either
    numeric = client.post("/api/tasks", params=s1, headers=admin,
                          json={"studentId": "s1-st0", "title": "t", "assignee": "u", "dueOn": 0})
    assert numeric.status_code == 422 and numeric.json()["errors"][0]["field"] == "dueOn"


def test_iso_dates_still_work(client, admin, tenant):  # type: ignore[no-untyped-def]
    add_school(client, admin, "s1", 1)
    summary = client.get("/api/attendance/schools/summary", params={"schoolId": "s1", "date": "2024-09-02"},
                         headers=admin)
    assert summary.status_code == 200 and summary.json()["date"] == "2024-09-02", summary.text
    audit = client.get("/api/audit", params={"since": "2024-09-02T08:30:00Z"}, headers=admin)
    assert audit.status_code == 200, audit.text


def test_problem_details_name_ids_never_tables_or_keys(client, admin, mint, tenant):  # type: ignore[no-untyped-def]
    [student] = add_school(client, admin, "s1", 1)
    officer, s1 = mint("AttendanceOfficer", tenant, ["s1"]), {"schoolId": "s1"}
    task = client.post("/api/tasks", params=s1, headers=officer, json={
        "studentId": student, "title": "Call home", "assignee": "u-1", "dueOn": "2024-10-01"})
    url = f"/api/tasks/{task.json()['id']}"
    assert client.put(url, params=s1, json={"status": "DONE"},
                      headers={**officer, "If-Match": task.headers["ETag"]}).status_code == 200
    answers = [
        client.get("/api/meetings/no-such", params=s1, headers=officer),
        client.put("/api/meetings/no-such", params=s1, json={"status": "CANCELLED"},
                   headers={**officer, "If-Match": "W/\"x\""}),
        client.put("/api/tasks/no-such", params=s1, json={"status": "DONE"},
                   headers={**officer, "If-Match": "x"}),
        client.put(url, params=s1, json={"status": "CANCELLED"},
                   headers={**officer, "If-Match": task.headers["ETag"]}),  # stale
        client.get("/api/letters/artifacts/no-such", params=s1, headers=officer),
        client.post("/api/interventions/queue/no-such/approve", params=s1, json={}, headers=officer),
        client.get("/api/interventions/rules/no-such", headers=admin),
        client.get("/api/letters/print-batches/2024-09-02", params=s1, headers=officer),
        client.get("/api/calendars/2023-24", params=s1, headers=admin),
        client.get("/api/students/no-such", params=s1, headers=officer),
    ]
    assert sorted({a.status_code for a in answers}) == [404, 412], [(a.url, a.status_code) for a in answers]
    for answer in answers:
        detail = answer.json().get("detail", "")
        assert detail, answer.text
        assert tenant not in detail and "|" not in detail, (answer.url, detail)
        assert "PartitionKey" not in detail and "RowKey" not in detail, (answer.url, detail)
        assert not any(f"{table}:" in detail or f"'{table}'" in detail for table in bootstrap.TABLES), detail
