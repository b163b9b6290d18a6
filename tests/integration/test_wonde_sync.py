"""The Wonde sync through the API, on Azurite, against the local Wonde server over real HTTP:
a first sync, a quiet re-run, a failure half-way and its resume, the lease, codes under review,
deletions and a re-enrolled pupil, and the timer's fan-out to the queue function."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from adapters.wonde import RetryPolicy, Transport, WondeClient
from demo import DemoSchool, calendar_body, generate_district
from devhost.wonde_data import SchoolData, WondeData, wonde_district
from devhost.wonde_server import Fault, WondeServer
from services.sis.jobs import SyncRequest

STUDENTS = 12
SICK = {"code": "SK", "description": "Sickness (illness)", "type": "authorised absence"}


@dataclass
class Rig:
    demo: DemoSchool
    data: WondeData
    wonde: SchoolData
    server: WondeServer
    client: Any
    headers: dict[str, str]
    container: Any

    @property
    def school_id(self) -> str:
        return self.demo.school_id

    def sync(self) -> Any:
        return self.client.post(f"/api/sis/sync?schoolId={self.school_id}", headers=self.headers)

    def status(self) -> dict[str, Any]:
        answer = self.client.get(f"/api/sis/status?schoolId={self.school_id}", headers=self.headers)
        assert answer.status_code == 200, answer.text
        return {r["resource"]: r for r in answer.json()["resources"]}

    def students(self) -> list[dict[str, Any]]:
        answer = self.client.get(f"/api/students?schoolId={self.school_id}&limit=500", headers=self.headers)
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])

    def later(self, minutes: int = 1) -> datetime:
        return datetime.now(UTC) + timedelta(minutes=minutes)


@pytest.fixture
def rig(client, admin, tenant, app_container, monkeypatch) -> Iterator[Rig]:  # type: ignore[no-untyped-def]
    district = generate_district(11, tenant_id=tenant, schools=1, students_per_school=STUDENTS,
                                 through=date(2025, 9, 26))
    demo = district.schools[0]
    data = wonde_district(district, custom_codes=(SICK,))
    wonde = next(iter(data.schools.values()))
    app_container.roster.service.put_school(None, demo.school)
    year = demo.calendar.school_year
    cal = client.put(f"/api/calendars/{year}?schoolId={demo.school_id}", headers=admin,
                     json=calendar_body(demo.calendar))
    assert cal.status_code in (200, 201), cal.text
    monkeypatch.setenv(f"WONDE_TOKEN_{wonde.wonde_id.upper()}", wonde.token)
    with WondeServer(data, page_size=5) as server:
        transport = Transport(retry=RetryPolicy(attempts=2), sleep=lambda _: None, jitter=lambda: 0.0)
        before = app_container.sis.__dict__.get("source")
        app_container.sis.source = WondeClient(transport, base_url=server.url, per_page=5)
        for name in ("sync", "codes", "jobs"):
            app_container.sis.__dict__.pop(name, None)  # rebuilt on the test's source
        connect = client.put(f"/api/sis/connection?schoolId={demo.school_id}", headers=admin,
                             json={"wondeSchoolId": wonde.wonde_id, "region": "GBR"})
        assert connect.status_code == 200, connect.text
        yield Rig(demo, data, wonde, server, client, admin, app_container)
        for name in ("source", "sync", "codes", "jobs"):
            app_container.sis.__dict__.pop(name, None)
        if before is not None:
            app_container.sis.source = before


def _marks(demo: DemoSchool) -> int:
    from demo import iter_mark_rows
    return sum(1 for _ in iter_mark_rows(demo))


def test_a_first_sync_brings_the_school_in_and_a_rerun_changes_nothing(rig: Rig) -> None:
    answer = rig.sync()
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "SUCCEEDED" and body["changed"] is True
    assert body["counts"]["students"]["created"] == STUDENTS
    assert body["counts"]["marks"]["created"] == _marks(rig.demo) and body["counts"]["marks"]["rejected"] == 0
    assert body["counts"]["codes"]["review"] == 1  # SK, the school's own code
    assert body["run"]["status"] == "SUCCEEDED" and body["run"]["counters"]["students.created"] == STUDENTS
    assert {s["studentId"] for s in rig.students()} == {s.student_id for s in rig.demo.students}
    status = rig.status()
    assert all(status[r]["status"] == "SUCCEEDED" and status[r]["watermark"] for r in status)
    assert status["marks"]["counts"]["created"] == _marks(rig.demo)

    again = rig.sync().json()
    assert again["status"] == "SUCCEEDED" and again["changed"] is False
    assert again["counts"]["students"]["read"] == 0 and again["counts"]["marks"]["created"] == 0
    # the second read asked only for what changed since the first
    assert any("updated_after" in q for p, q in rig.server.seen if p.endswith("/students"))


def test_a_sync_failing_half_way_resumes_from_its_watermark(rig: Rig) -> None:
    rig.server.inject(Fault(503, times=10, path="attendance/session", page=2))
    failed = rig.sync().json()
    assert failed["status"] == "FAILED" and failed["failed"] == "marks"
    assert "SisUnavailable" in failed["error"] and failed["run"]["status"] == "FAILED"
    status = rig.status()
    assert status["students"]["status"] == "SUCCEEDED" and status["marks"]["status"] == "FAILED"
    assert status["marks"]["watermark"] is None and status["marks"]["error"]
    rig.server.faults.clear()

    resumed = rig.sync().json()
    assert resumed["status"] == "SUCCEEDED", resumed
    assert resumed["counts"]["marks"]["created"] == _marks(rig.demo)
    assert resumed["counts"]["students"]["read"] == 0  # students resumed from their own watermark


def test_a_second_sync_while_one_runs_is_refused(rig: Rig) -> None:
    now = datetime.now(UTC)
    assert rig.container.sis.state.acquire(rig.demo.school.tenant_id, rig.school_id, "other", now,
                                           now + timedelta(minutes=5))
    answer = rig.sync()
    assert answer.status_code == 409, answer.text
    rig.container.sis.state.release(rig.demo.school.tenant_id, rig.school_id, "other")
    assert rig.sync().status_code == 200


def test_marks_with_an_unreviewed_code_wait_until_an_admin_maps_it(rig: Rig) -> None:
    assert rig.sync().json()["status"] == "SUCCEEDED"
    mark_id = next(iter(rig.wonde.resources["attendance/session"]))
    rig.data.update(rig.wonde.wonde_id, "attendance/session", mark_id, rig.later(),
                    attendance_code="custom-01")
    second = rig.sync().json()
    assert second["counts"]["marks"]["held"] == 1 and second["counts"]["marks"]["replaced"] == 0

    codes = rig.client.get(f"/api/sis/codes?schoolId={rig.school_id}", headers=rig.headers).json()["items"]
    sk = next(c for c in codes if c["codeId"] == "custom-01")
    assert sk["status"] == "UNREVIEWED" and sk["suggested"] == "I" and sk["heldMarks"] == 1
    bad = rig.client.put(f"/api/sis/codes/custom-01?schoolId={rig.school_id}", headers=rig.headers,
                         json={"code": "ZZ"})
    assert bad.status_code == 422
    mapped = rig.client.put(f"/api/sis/codes/custom-01?schoolId={rig.school_id}", headers=rig.headers,
                            json={"code": "I"})
    assert mapped.status_code == 200, mapped.text
    assert mapped.json()["code"]["status"] == "MAPPED" and mapped.json()["marks"]["released"] == 1
    assert mapped.json()["marks"]["replaced"] + mapped.json()["marks"]["created"] == 1
    third = rig.sync().json()
    assert third["counts"]["codes"]["review"] == 0 and third["counts"]["marks"]["held"] == 0


def test_deletions_end_the_enrolment_and_a_reenrolled_pupil_keeps_one_history(rig: Rig) -> None:
    assert rig.sync().json()["status"] == "SUCCEEDED"
    gone = rig.demo.students[0]
    record = dict(rig.wonde.resources["students"][gone.student_id].record)
    rig.data.delete(rig.wonde.wonde_id, "students", gone.student_id, rig.later())
    ended = rig.sync().json()
    assert ended["counts"]["deletions"]["applied"] == 1
    stored = {s["studentId"]: s for s in rig.students()}
    assert stored[gone.student_id]["enrolmentEnd"] is not None

    back = {**record, "id": gone.student_id + "-new", "upi": gone.upi}
    rig.wonde.resources["students"][back["id"]] = type(rig.wonde.resources["students"][
        rig.demo.students[1].student_id])(back, rig.later(2))
    rig.data.update(rig.wonde.wonde_id, "students", back["id"], rig.later(2))
    merged = rig.sync().json()
    assert merged["status"] == "SUCCEEDED" and merged["counts"]["students"]["created"] == 0
    stored = {s["studentId"]: s for s in rig.students()}
    assert back["id"] not in stored and stored[gone.student_id]["enrolmentEnd"] is None
    assert len(stored) == STUDENTS


def test_the_timer_fans_out_a_message_per_connected_school_and_the_queue_function_syncs(rig: Rig) -> None:
    sent: list[Any] = []
    jobs = rig.container.sis.jobs
    jobs._send = lambda body, **_: sent.append(body)  # noqa: SLF001 (the queue is read back here)
    run = jobs.fan_out("intraday-test-" + rig.demo.school.tenant_id)  # a slot of its own
    mine = [m for m in sent if m.tenant_id == rig.demo.school.tenant_id]
    assert run.counters["schools"] == len(sent) and len(mine) == 1
    slot = "intraday-test-" + rig.demo.school.tenant_id
    assert jobs.fan_out(slot).counters == run.counters  # a replayed occurrence is skipped
    report = jobs.handle(SyncRequest.model_validate_json(mine[0].model_dump_json(by_alias=True)))
    assert report is not None and report.failed is None and report.changed


def test_the_status_of_a_school_never_connected_is_404(client, admin, tenant) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/api/sis/status?schoolId=nowhere", headers=admin)
    assert answer.status_code == 404
