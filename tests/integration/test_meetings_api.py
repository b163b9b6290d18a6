"""Meetings through HTTP on Azurite, carried through to a real intervention on its MEETING stage
(England preset): RESOLVED, SUPPORT_PLAN, ESCALATE and repeated NO_SHOWs escalating on the
nightly; two staff recording at once (one wins, one 412); invalid transitions refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

import bootstrap
from adapters.storage.keys import key
from adapters.tables.interventions import TABLE
from domain.casework.cases import Case, CaseStatus
from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.rules.ruleset import StageType
from services.interventions.ports import StudentChange
from services.platform.ports import FixedClock
from tests.integration.test_attendance_api import add_school, mark, normalize, post

pytestmark = pytest.mark.integration

S1 = {"schoolId": "s1"}
NOW = datetime(2024, 10, 15, 12, tzinfo=UTC)  # a Tuesday, after the 09:00 meeting
START, END = "2024-10-15T09:00:00+00:00", "2024-10-15T10:00:00+00:00"


@pytest.fixture
def world(client, settings, admin, mint, tenant) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """s1 on a clock standing at NOW; its first student on the England preset's MEETING stage
    with the action queued and an open case."""
    previous = bootstrap.composition()
    container = bootstrap.Composition(settings, clock=FixedClock(NOW))
    bootstrap.use_composition(container)
    student, *_ = add_school(client, admin, "s1", 2)
    preset = client.post("/api/interventions/rules/presets/ENG", params=S1, headers=admin)
    assert preset.status_code == 201, preset.text
    body = preset.json()
    instance = StudentInterventionInstance(
        "inst-" + tenant, tenant, "s1", student, body["id"], body["version"], InstanceStatus.ACTIVE, 3,
        StageType.MEETING, ActionState.QUEUED, date(2024, 9, 20), date(2024, 10, 14), ("evidence",))
    case = Case(tenant, "s1", student, 1, CaseStatus.OPEN, date(2024, 9, 20), date(2024, 9, 20),
                (instance.id,))
    assert container.interventions.store.save(tenant, "s1", [StudentChange(student, ((instance, ()),), (),
                                                                           case)]) == []
    yield {"admin": admin, "officer": mint("AttendanceOfficer", tenant, ["s1"]), "student": student,
           "instance": instance.id, "container": container, "tenant": tenant}
    bootstrap.use_composition(previous)


def book(client: Any, w: dict[str, Any], start: str = START, end: str = END) -> Any:
    response = client.post("/api/meetings", params=S1, headers=w["officer"], json={
        "studentId": w["student"], "instanceId": w["instance"], "startsAt": start, "endsAt": end,
        "location": "Room 4"})
    assert response.status_code == 201, response.text
    assert response.headers["Location"].startswith(f"/api/meetings/{response.json()['id']}")
    return response


def record(client: Any, w: dict[str, Any], booked: Any, body: dict[str, Any], etag: str | None = None) -> Any:
    return client.put(f"/api/meetings/{booked.json()['id']}", params=S1, json=body,
                      headers={**w["officer"], "If-Match": etag or booked.headers["ETag"]})


def instance_of(client: Any, w: dict[str, Any]) -> dict[str, Any]:
    history = client.get(f"/api/interventions/students/{w['student']}", params=S1,
                         headers=w["officer"]).json()
    [found] = [i for i in history["instances"] if i["instance"]["id"] == w["instance"]]
    assert found["chain"]["verified"], found
    return found


def case_of(client: Any, w: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/cases/{w['student']}", params=S1, headers=w["officer"])
    assert response.status_code == 200, response.text
    return response.json()


def test_resolved_stops_the_intervention_and_resolves_the_case(client, world) -> None:  # type: ignore[no-untyped-def]
    booked = book(client, world)
    assert instance_of(client, world)["instance"]["action"] == "APPROVED"
    held = record(client, world, booked, {"status": "HELD", "outcome": "RESOLVED",
                                          "attendees": {"staffIds": ["officer-1"], "guardianIds": ["g1"]}})
    assert held.status_code == 200, held.text
    assert held.json()["status"] == "HELD" and held.headers["ETag"] != booked.headers["ETag"]
    found = instance_of(client, world)
    assert found["instance"]["status"] == "STOPPED"
    assert [e["kind"] for e in found["events"]][-3:] == ["MEETING_SCHEDULED", "MEETING_HELD", "STOPPED"]
    assert case_of(client, world)["status"] == "RESOLVED"


def test_support_plan_creates_the_follow_up_task(client, world) -> None:  # type: ignore[no-untyped-def]
    booked = book(client, world)
    held = record(client, world, booked, {"status": "HELD", "outcome": "SUPPORT_PLAN",
                                          "followUp": {"assignee": "officer-2", "dueOn": "2024-10-25"}})
    assert held.status_code == 200, held.text
    tasks = client.get("/api/tasks", params=S1, headers=world["officer"]).json()["items"]
    assert [(t["assignee"], t["dueOn"], t["studentId"]) for t in tasks] == [
        ("officer-2", "2024-10-25", world["student"])]
    assert instance_of(client, world)["instance"]["status"] == "ACTIVE"


def test_escalate_hands_the_case_on_at_tier_3(client, world) -> None:  # type: ignore[no-untyped-def]
    """The meeting is England's last support step (the penalty notices are a track of their
    own): its ESCALATE outcome closes the ladder there and is itself the hand-over."""
    held = record(client, world, book(client, world), {"status": "HELD", "outcome": "ESCALATE"})
    assert held.status_code == 200, held.text
    found = instance_of(client, world)["instance"]
    assert (found["status"], found["stageOrder"]) == ("ESCALATED", 3)
    assert case_of(client, world)["tier"] == 3
    table = world["container"].platform.tables(TABLE)
    staged = [r for r in table.partition(key(world["tenant"], "s1")) if r.get("outbox")]
    assert [r["eventType"] for r in staged] == ["intervention.escalated"]


def test_two_staff_recording_at_once_one_wins_one_gets_412(client, world) -> None:  # type: ignore[no-untyped-def]
    booked = book(client, world)
    first = record(client, world, booked, {"status": "HELD", "outcome": "NO_ACTION"})
    second = record(client, world, booked, {"status": "HELD", "outcome": "RESOLVED"})
    assert (first.status_code, second.status_code) == (200, 412), second.text
    assert instance_of(client, world)["instance"]["status"] == "ACTIVE"
    missing = client.put(f"/api/meetings/{booked.json()['id']}", params=S1, json={"notes": "x"},
                         headers=world["officer"])
    assert missing.status_code == 428


def test_invalid_transitions_are_refused_with_a_problem(client, world) -> None:  # type: ignore[no-untyped-def]
    future = book(client, world, "2024-10-16T09:00:00+00:00", "2024-10-16T10:00:00+00:00")
    early = record(client, world, future, {"status": "HELD", "outcome": "NO_ACTION"})
    assert early.status_code == 409 and early.json()["errors"][0]["field"] == "startsAt", early.text
    cancelled = record(client, world, future, {"status": "CANCELLED"})
    assert cancelled.status_code == 200
    late = record(client, world, future, {"status": "HELD", "outcome": "RESOLVED"}, cancelled.headers["ETag"])
    assert late.status_code == 409 and late.json()["errors"][0]["field"] == "status", late.text
    naive = client.post("/api/meetings", params=S1, headers=world["officer"], json={
        "studentId": world["student"], "startsAt": "2024-10-16T09:00:00", "endsAt": END})
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "startsAt", naive.text


def test_repeated_no_shows_escalate_on_the_nightly(client, world, mint) -> None:  # type: ignore[no-untyped-def]
    sis = mint("Integration", world["tenant"], ["s1"])
    days = [date(2024, 9, 2) + timedelta(days=i) for i in range(45)]
    post(client, sis, [mark(world["student"], d.isoformat(), s, "O") for d in days if d.weekday() < 5
                       for s in ("AM", "PM")])
    normalize(client, world["admin"], "2024-10-16")
    missed = record(client, world, book(client, world), {"status": "NO_SHOW"})
    assert missed.status_code == 200, missed.text
    proposed = client.get("/api/meetings", params={**S1, "status": "PROPOSED"},
                          headers=world["officer"]).json()
    [again] = proposed["items"]
    assert again["proposedFrom"] == missed.json()["id"]
    current = client.get(f"/api/meetings/{again['id']}", params=S1, headers=world["officer"])
    rebooked = client.put(f"/api/meetings/{again['id']}", params=S1, json={
        "status": "SCHEDULED", "startsAt": "2024-10-15T10:00:00+00:00",
        "endsAt": "2024-10-15T11:00:00+00:00"},
        headers={**world["officer"], "If-Match": current.headers["ETag"]})
    assert rebooked.status_code == 200 and rebooked.json()["status"] == "SCHEDULED", rebooked.text
    second = record(client, world, rebooked, {"status": "NO_SHOW"})
    assert second.status_code == 200, second.text
    run = client.post("/api/interventions/evaluate", params={**S1, "date": "2024-10-16"},
                      headers=world["admin"])
    assert run.status_code == 200, run.text
    events = instance_of(client, world)["events"]
    escalated = [e for e in events if e["kind"] == "ESCALATED"]
    assert escalated and any("2 arranged meetings missed" in x for x in escalated[0]["evidence"]), events
    listed = client.get("/api/meetings", params={**S1, "studentId": world["student"], "status": "NO_SHOW",
                                                 "from": "2024-10-15", "to": "2024-10-15"},
                        headers=world["officer"]).json()["items"]
    assert len(listed) == 2
