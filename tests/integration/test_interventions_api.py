"""The intervention scheduler and queue through HTTP on Azurite: a school with marks is
normalized, the England preset installed, the night evaluated; the queue shows the due letter,
approving it sends a letter job, two staff approving at once get one success and one conflict,
the student's history verifies, and re-running the night writes nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest

from adapters.storage.keys import key
from adapters.tables.interventions import TABLE
from services.interventions.effects import LETTER_JOBS_QUEUE
from tests.integration.test_attendance_api import add_school, mark, normalize, post

pytestmark = pytest.mark.integration

FIRST, NIGHT = date(2024, 9, 2), "2024-09-20"  # the 15th school day: 30 possible sessions


@pytest.fixture
def sis(mint, tenant):  # type: ignore[no-untyped-def]
    return mint("Integration", tenant, ["s1"])


@pytest.fixture
def night(client, admin, sis):  # type: ignore[no-untyped-def]
    """s1: st0 missed every session unexplained, st1 and st2 attended; normalized to NIGHT;
    the England preset installed for the school, its legal track deactivated; the night evaluated."""
    absent, *present = add_school(client, admin, "s1", 3)
    days = [FIRST + timedelta(days=i) for i in range(19) if (FIRST + timedelta(days=i)).weekday() < 5]
    records = [mark(sid, d.isoformat(), session, "O" if sid == absent else "/")
               for sid in (absent, *present) for d in days for session in ("AM", "PM")]
    post(client, sis, records)
    normalize(client, admin, NIGHT)
    installed = client.post("/api/interventions/rules/presets/ENG", params={"schoolId": "s1"}, headers=admin)
    assert installed.status_code == 201, installed.text
    # the support ladder alone here: st0's 30 sessions of O also meet the penalty threshold, and
    # both tracks together are tests/integration/test_legal_tracks_api.py's subject
    legal = client.post("/api/interventions/rules/preset-eng-penalty-s1/deactivate", headers=admin)
    assert legal.status_code == 200 and legal.json()["active"] is False, legal.text
    run = evaluate(client, admin)
    assert run["status"] == "SUCCEEDED" and run["counters"]["studentsChanged"] == 1, run
    return absent


def evaluate(client: Any, admin: dict[str, str]) -> Any:
    response = client.post("/api/interventions/evaluate", params={"schoolId": "s1", "date": NIGHT},
                           headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


def queue(client: Any, headers: dict[str, str]) -> list[Any]:
    response = client.get("/api/interventions/queue", params={"schoolId": "s1", "date": NIGHT},
                          headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def letter_jobs(container: Any, tenant: str) -> list[Any]:
    found = []
    while batch := container.platform.queues.receive(LETTER_JOBS_QUEUE, 32):
        for message in batch:
            container.platform.queues.delete(LETTER_JOBS_QUEUE, message)
        found += [m for m in batch if m.json()["tenantId"] == tenant]
    return found


def test_the_queue_shows_the_due_letter_with_its_evidence(client, mint, tenant, night):  # type: ignore[no-untyped-def]
    teacher = mint("Teacher", tenant, ["s1"])
    [item] = queue(client, teacher)
    assert (item["studentId"], item["stageType"], item["action"], item["status"]) == (
        night, "LETTER_1", "SEND_LETTER", "QUEUED")
    assert item["queuedOn"] == NIGHT and item["evidence"], item
    assert any("%" in sentence for sentence in item["evidence"]), item["evidence"]


def test_approving_sends_one_letter_job_and_a_second_approval_conflicts(  # type: ignore[no-untyped-def]
        client, mint, tenant, night, app_container):
    officer = mint("AttendanceOfficer", tenant, ["s1"])
    [item] = queue(client, officer)
    letter_jobs(app_container, tenant)
    url = f"/api/interventions/queue/{item['id']}/approve"
    with ThreadPoolExecutor(2) as pool:  # two staff at once
        answers = list(pool.map(
            lambda _: client.post(url, params={"schoolId": "s1"}, json={}, headers=officer), range(2)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses[0] == 200 and statuses[1] in (409, 412), [a.text for a in answers]
    loser = next(a for a in answers if a.status_code != 200)
    assert loser.headers["content-type"].startswith("application/problem+json")
    [job] = letter_jobs(app_container, tenant)
    assert job.wire != job.body.decode()  # base64 on the wire for the Functions host
    assert job.json() | {"correlationId": None} == {
        "tenantId": tenant, "schoolId": "s1", "instanceId": item["instanceId"], "stageOrder": 1,
        "actionId": item["id"], "correlationId": None}
    assert queue(client, officer) == []


def test_the_students_history_verifies_and_the_case_is_open(client, mint, tenant, night):  # type: ignore[no-untyped-def]
    teacher = mint("Teacher", tenant, ["s1"])
    response = client.get(f"/api/interventions/students/{night}", params={"schoolId": "s1"}, headers=teacher)
    assert response.status_code == 200, response.text
    body = response.json()
    [instance] = body["instances"]
    assert instance["chain"] == {"verified": True, "brokenAt": None}
    assert [e["kind"] for e in instance["events"]] == ["STAGE_ENTERED", "ACTION_QUEUED"]
    assert body["case"]["tier"] == 1 and body["case"]["instanceIds"] == [instance["instance"]["id"]]


def test_re_running_the_night_creates_nothing(client, admin, tenant, night, app_container):  # type: ignore[no-untyped-def]
    table = app_container.platform.tables(TABLE)
    before = sorted(r["RowKey"] for r in table.partition(key(tenant, "s1")))
    again = evaluate(client, admin)
    assert again["status"] == "SUCCEEDED" and "studentsChanged" not in again["counters"] or \
        again["counters"]["studentsChanged"] == 0, again
    assert sorted(r["RowKey"] for r in table.partition(key(tenant, "s1"))) == before
    assert len(queue(client, admin)) == 1


def test_snooze_and_skip_move_the_item_out_of_the_queue(client, mint, tenant, night):  # type: ignore[no-untyped-def]
    officer = mint("AttendanceOfficer", tenant, ["s1"])
    [item] = queue(client, officer)
    bad = client.post(f"/api/interventions/queue/{item['id']}/snooze", params={"schoolId": "s1"},
                      json={"reason": "family bereavement"}, headers=officer)
    assert bad.status_code == 422 and "until" in bad.text
    skipped = client.post(f"/api/interventions/queue/{item['id']}/skip", params={"schoolId": "s1"},
                          json={"reason": "letter sent by hand"}, headers=officer)
    assert skipped.status_code == 200 and skipped.json()["status"] == "SKIPPED", skipped.text
    assert queue(client, officer) == []
    missing = client.post("/api/interventions/queue/nope/approve", params={"schoolId": "s1"}, headers=officer)
    assert missing.status_code == 404


def test_a_batch_approves_per_item_and_audits_each(client, mint, tenant, night, app_container):  # type: ignore[no-untyped-def]
    officer = mint("AttendanceOfficer", tenant, ["s1"])
    [item] = queue(client, officer)
    letter_jobs(app_container, tenant)
    url, school = "/api/interventions/queue/approve", {"schoolId": "s1"}
    too_many = client.post(url, params=school, json={"actionIds": [f"a{n}" for n in range(101)]},
                           headers=officer)
    assert too_many.status_code == 422 and "actionIds" in too_many.text, too_many.text
    answer = client.post(url, params=school, json={"actionIds": [item["id"], "nope"]}, headers=officer)
    assert answer.status_code == 200, answer.text
    approved, missing = answer.json()["results"]
    assert (approved["actionId"], approved["result"], approved["item"]["status"]) == (
        item["id"], "approved", "APPROVED")
    assert (missing["actionId"], missing["result"], missing["reason"]) == (
        "nope", "conflict", "no such action")
    [job] = letter_jobs(app_container, tenant)
    assert job.json()["actionId"] == item["id"]
    again = client.post(url, params=school, json={"actionIds": [item["id"]]}, headers=officer).json()
    assert again["results"][0]["result"] == "conflict" and letter_jobs(app_container, tenant) == []
    records, _ = app_container.platform.audit.list(tenant, entity_id=item["id"])
    assert [r.action for r in records] == ["interventions.queue.approve"]
