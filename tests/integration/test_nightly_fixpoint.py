"""A forced re-run of an evaluated night writes nothing, through HTTP on Azurite (issue 11, item 1).

The case from the demo, on the England ladder as it was shipped before the penalty notices became
a track of their own (its stage 4 "consider a penalty notice", which a school may still keep): a
pupil on the MEETING stage misses two meetings, so the
stage's escalation condition holds, but every absence is authorised leave (C), so "consider a
penalty notice" (10 unauthorised sessions in 10 school weeks) does not apply and that stage's stop
condition (`entryNoLongerMet`) already holds. The night used to queue the penalty-notice action and
a re-run of the same night stopped the whole intervention; now the night leaves the pupil on the
meeting stage, queues nothing, and the re-run finds nothing to do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
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
from tests.integration.test_meetings_api import NOW, S1, book, instance_of, record
from tests.unit.referral_ladder import england_with_old_penalty_stage

pytestmark = pytest.mark.integration

NIGHT = "2024-10-16"


@pytest.fixture
def world(client, settings, admin, mint, tenant) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """s1 with only the four-stage ladder active; its first student on the MEETING stage with the
    action queued and an open case."""
    previous = bootstrap.composition()
    container = bootstrap.Composition(settings, clock=FixedClock(NOW))
    bootstrap.use_composition(container)
    student, *_ = add_school(client, admin, "s1", 2)
    ladder = england_with_old_penalty_stage(tenant_id=tenant, rule_set_id="eng-four-stages").to_json()
    del ladder["tenantId"]
    created = client.post("/api/interventions/rules", params=S1, headers=admin, json=ladder)
    assert created.status_code == 201, created.text
    body = created.json()
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


def evaluate(client: Any, w: dict[str, Any]) -> dict[str, Any]:
    run = client.post("/api/interventions/evaluate", params={**S1, "date": NIGHT}, headers=w["admin"])
    assert run.status_code == 200, run.text
    body: dict[str, Any] = run.json()
    assert body["status"] == "SUCCEEDED", body
    return body


def rows(w: dict[str, Any]) -> list[tuple[str, str]]:
    table = w["container"].platform.tables(TABLE)
    return sorted((r["RowKey"], r.etag or "") for r in table.partition(key(w["tenant"], "s1")))


def miss_twice(client: Any, w: dict[str, Any]) -> None:
    first = record(client, w, book(client, w), {"status": "NO_SHOW"})
    assert first.status_code == 200, first.text
    proposed = client.get("/api/meetings", params={**S1, "status": "PROPOSED"}, headers=w["officer"])
    [again] = proposed.json()["items"]
    current = client.get(f"/api/meetings/{again['id']}", params=S1, headers=w["officer"])
    rebooked = client.put(f"/api/meetings/{again['id']}", params=S1, json={
        "status": "SCHEDULED", "startsAt": "2024-10-15T10:00:00+00:00",
        "endsAt": "2024-10-15T11:00:00+00:00"},
        headers={**w["officer"], "If-Match": current.headers["ETag"]})
    assert rebooked.status_code == 200, rebooked.text
    second = record(client, w, rebooked, {"status": "NO_SHOW"})
    assert second.status_code == 200, second.text


def test_an_escalation_the_same_night_would_stop_is_not_queued_and_a_re_run_writes_nothing(  # type: ignore[no-untyped-def]
        client, world, mint) -> None:  # noqa: F811
    days = [date(2024, 9, 2) + timedelta(days=i) for i in range(45)]
    post(client, mint("Integration", world["tenant"], ["s1"]),
         [mark(world["student"], d.isoformat(), s, "C") for d in days if d.weekday() < 5
          for s in ("AM", "PM")])
    normalize(client, world["admin"], NIGHT)
    miss_twice(client, world)
    before = instance_of(client, world)["instance"]
    assert (before["stageOrder"], before["action"]) == (3, "DONE")

    evaluate(client, world)
    after = instance_of(client, world)
    assert (after["instance"]["status"], after["instance"]["stageOrder"]) == ("ACTIVE", 3), after["instance"]
    assert [e["kind"] for e in after["events"]][-1] == "MEETING_NO_SHOW"
    queue = client.get("/api/interventions/queue", params=S1, headers=world["officer"]).json()["items"]
    assert [i for i in queue if i["studentId"] == world["student"]] == []  # no penalty notice to approve

    stored = rows(world)
    rerun = evaluate(client, world)
    assert "events" not in rerun["counters"] and "studentsChanged" not in rerun["counters"], rerun
    assert rows(world) == stored
    assert instance_of(client, world)["instance"]["status"] == "ACTIVE"
