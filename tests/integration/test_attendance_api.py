"""Attendance through HTTP and the registered functions on Azurite: ingest, normalize, read back;
malformed payloads, re-sends and corrections; the nightly fan-out, the queue and SIS syncs."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from azure.functions import QueueMessage

import bootstrap
import function_app
from adapters.storage.keys import key
from adapters.tables.marks import MARK_CHANGES, MARK_HISTORY
from adapters.tables.summaries import LATEST
from devhost.servicebus import service_bus_message
from domain.platform.paths import SIS_RAW
from services.attendance.normalize_jobs import NORMALIZE_QUEUE
from services.platform.ports import FixedClock
from tests.roster_payloads import CALENDAR_BODY, SCHOOL_BODY, payload, student, wonde_date

pytestmark = pytest.mark.integration

MON, TUE, WED = "2024-09-02", "2024-09-03", "2024-09-04"
WEEK = ["2024-09-02", "2024-09-03", "2024-09-04", "2024-09-05", "2024-09-06"]


@pytest.fixture
def sis(mint, tenant):  # type: ignore[no-untyped-def]
    return mint("Integration", tenant, ["s1", "s2"])


def add_school(client: Any, admin: dict[str, str], school: str, students: int) -> list[str]:
    ids = [f"{school}-st{i}" for i in range(students)]
    assert client.put(f"/api/schools/{school}", json=SCHOOL_BODY, headers=admin).status_code == 201
    params = {"schoolId": school}
    assert client.put("/api/calendars/2024-25", params=params, json=CALENDAR_BODY,
                      headers=admin).status_code == 200
    assert client.put("/api/code-mappings", params=params, json={"mappings": {"A99": "I"}},
                      headers=admin).status_code == 200
    imported = client.post("/api/roster/import", params=params,
                           json=payload(*(student(i, contacts=0) for i in ids)), headers=admin)
    assert imported.status_code == 200, imported.text
    return ids


@pytest.fixture
def school(client, admin):  # type: ignore[no-untyped-def]
    return add_school(client, admin, "s1", 3)


def mark(student_id: str, day: str, session: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"id": f"w-{student_id}-{day}-{session}", "student": student_id, "date": wonde_date(day),
            "session": session, "attendance_code": code, "comment": None, "minutes_late": None, **extra}


def post(client: Any, headers: dict[str, str], records: Any, school: str = "s1") -> dict[str, Any]:
    response = client.post("/api/attendance/marks", params={"schoolId": school}, json=records,
                           headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def normalize(client: Any, headers: dict[str, str], day: str, school: str = "s1", **params: Any) -> Any:
    response = client.post("/api/attendance/normalize", params={"schoolId": school, "date": day, **params},
                           headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def summaries(client: Any, headers: dict[str, str], student_id: str, first: str, last: str) -> list[Any]:
    response = client.get(f"/api/attendance/students/{student_id}/summaries",
                          params={"schoolId": "s1", "from": first, "to": last}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def table(container: Any, name: str) -> Any:
    return container.platform.tables(name)


def rows(container: Any, name: str, partition: str) -> list[Any]:
    return list(table(container, name).partition(partition))


def function(name: str) -> Callable[..., Any]:
    app = function_app.app
    app.functions_bindings = {}  # get_functions() refuses a second call on the same object
    return next(f for f in app.get_functions() if f.get_function_name() == name).get_user_function()


def test_ingest_normalize_and_read_back(client, admin, sis, mint, tenant, school, app_container):  # type: ignore[no-untyped-def]
    st0, st1, st2 = school
    answer = post(client, sis, {"data": [
        mark(st0, MON, "AM", "/"), mark(st0, MON, "PM", "\\"), mark(st1, MON, "AM", "A99"),
        mark(st1, MON, "PM", "I"), mark(st0, TUE, "AM", "L", minutes_late=10), mark(st0, TUE, "PM", "N"),
        mark(st1, TUE, "AM", "N"), mark(st1, TUE, "PM", "N")], "meta": {}})
    assert {k: answer[k] for k in ("accepted", "rejected", "created", "replaced", "unchanged")} == {
        "accepted": 8, "rejected": [], "created": 8, "replaced": 0, "unchanged": 0}
    raw = app_container.platform.blobs.get(SIS_RAW, answer["rawPayload"])
    assert json.loads(raw)["data"][0]["student"] == st0
    assert answer["rawPayload"].startswith(f"{tenant}/s1/")

    run = normalize(client, admin, TUE)
    assert (run["kind"], run["scope"], run["status"]) == ("normalize", f"s1/{TUE}", "SUCCEEDED")
    assert run["counters"]["rows"] == 6 and run["counters"]["roundTrips"] > 0

    teacher = mint("Teacher", tenant, ["s1"])
    got = summaries(client, teacher, st0, MON, WED)
    assert [(r["date"], r["amStatus"], r["pmStatus"]) for r in got] == [
        (MON, "PRESENT", "PRESENT"), (TUE, "LATE", "UNAUTHORISED_ABSENT")]
    assert (got[1]["attendancePercent"], got[1]["totalAbsenceDaysYTD"], got[1]["penaltySessions"]) == (
        75.0, 0.5, 1)
    st1_rows = summaries(client, teacher, st1, MON, TUE)
    assert st1_rows[0]["amReasonCode"] == "I"  # the SIS code A99 through the school's mapping
    assert (st1_rows[1]["consecutiveAbsenceDays"], st1_rows[1]["severeAbsence"]) == (2, True)
    assert summaries(client, teacher, st2, MON, TUE)[1]["missingMarks"] == 4

    figures = client.get("/api/attendance/schools/summary", params={"schoolId": "s1", "date": TUE},
                         headers=teacher).json()
    assert figures == {"schoolId": "s1", "date": TUE, "students": 3, "averageAttendance": 25.0,
                       "persistentAbsence": 2, "severeAbsence": 1, "missingMarks": 2, "missingMarksYTD": 4}
    newest = client.get("/api/attendance/schools/summary", params={"schoolId": "s1"}, headers=teacher).json()
    assert newest == figures

    # the event committed with the newest rows, relayed like any outbox row
    relayed = app_container.platform.relay.relay_partition(table(app_container, LATEST), key(tenant, "s1"))
    [event] = [e for e in app_container.platform.tables("localevents").partition(tenant)
               if e["eventType"] == "attendance.normalized"]
    assert relayed == 1 and json.loads(event["eventJson"])["data"]["date"] == TUE


def test_a_malformed_payload_gets_per_record_reasons_and_the_good_records_are_kept(client, sis, school,  # type: ignore[no-untyped-def]
                                                                                   app_container, tenant):
    st0, st1, _ = school
    answer = post(client, sis, [
        mark(st0, MON, "AM", "/"), mark("ghost", MON, "AM", "/"), mark(st1, "2024-09-07", "AM", "/"),
        mark(st1, MON, "DAY", "/"), mark(st1, MON, "PM", "H"),
        {**mark(st1, MON, "AM", "/"), "date": "2/9/24"},
        mark(st1, MON, "AM", "L", minutes_late="soon"), 42, mark(st1, MON, "AM", "/")])
    assert answer["accepted"] == 2 and answer["created"] == 2
    assert [(r["index"], r["field"]) for r in answer["rejected"]] == [
        (1, "student"), (2, "date"), (3, "session"), (4, "attendance_code"), (5, "date"),
        (6, "minutes_late"), (7, "record")]
    assert "2024-09-07 is not a school day" in answer["rejected"][1]["reason"]
    stored = app_container.attendance.marks.on_day(tenant, "s1", date(2024, 9, 2))
    assert sorted((m.student_id, m.session) for m in stored) == [(st0, "AM"), (st1, "AM")]


def test_re_sending_the_same_payload_changes_nothing(client, admin, sis, school, app_container, tenant):  # type: ignore[no-untyped-def]
    st0, st1, _ = school
    records = [mark(st0, MON, "AM", "N"), mark(st1, MON, "AM", "/")]
    first = post(client, sis, records)
    normalize(client, admin, MON)  # consumes the dirty flags
    history = rows(app_container, MARK_HISTORY, key(tenant, "s1", MON))
    before = {m.key: m.etag for m in app_container.attendance.marks.on_day(tenant, "s1", date(2024, 9, 2))}

    again = post(client, sis, records)

    keys = ("accepted", "created", "replaced", "unchanged", "batchId", "rawPayload")
    assert {k: again[k] for k in keys} == {
        "accepted": 2, "created": 0, "replaced": 0, "unchanged": 2, "batchId": first["batchId"],
        "rawPayload": first["rawPayload"]}
    marks = app_container.attendance.marks
    assert {m.key: m.etag for m in marks.on_day(tenant, "s1", date(2024, 9, 2))} == before
    assert rows(app_container, MARK_HISTORY, key(tenant, "s1", MON)) == history == []
    assert rows(app_container, MARK_CHANGES, key(tenant, "s1")) == []


def test_a_corrected_past_mark_recomputes_the_later_days(client, admin, sis, school, app_container, tenant):  # type: ignore[no-untyped-def]
    st0, st1, _ = school
    post(client, sis, [mark(s, d, p, c) for s in (st0, st1) for d in WEEK
                       for p, c in (("AM", "/"), ("PM", "\\"))])
    for day in WEEK:
        normalize(client, admin, day)
    correction = post(client, sis, [mark(st0, TUE, "AM", "G"), mark(st0, TUE, "PM", "G")])
    assert correction["replaced"] == 2
    replaced = rows(app_container, MARK_HISTORY, key(tenant, "s1", TUE))
    assert sorted(r["code"] for r in replaced) == ["/", "\\"]
    assert {r["replacedBy"] for r in replaced} == {correction["batchId"]}

    run = normalize(client, admin, WEEK[-1])

    assert run["counters"]["pointReads"] == 1 and run["counters"]["rows"] == 4  # Tue..Fri of st0
    after = summaries(client, admin, st0, MON, WEEK[-1])
    assert [r["unauthorisedSessions"] for r in after] == [0, 2, 2, 2, 2]
    assert [r["attendancePercent"] for r in after] == [100.0, 50.0, 66.67, 75.0, 80.0]
    rebuilt = normalize(client, admin, WEEK[-1], full="true")  # from scratch: the same rows
    assert rebuilt["counters"]["rows"] == 15  # 3 students x 5 days
    assert summaries(client, admin, st0, MON, WEEK[-1]) == after


@pytest.fixture
def clock_at(settings) -> Iterator[Callable[[datetime], None]]:  # type: ignore[no-untyped-def]
    """Install a container whose clock stands still (as devhost does for `fire --date`)."""
    previous = bootstrap.composition()

    def install(at: datetime) -> None:
        bootstrap.use_composition(bootstrap.Composition(settings, clock=FixedClock(at)))

    yield install
    bootstrap.use_composition(previous)


def drain(container: Any) -> list[Any]:
    found = []
    while batch := container.platform.queues.receive(NORMALIZE_QUEUE, 32):
        for message in batch:
            container.platform.queues.delete(NORMALIZE_QUEUE, message)
        found += batch
    return found


def test_the_nightly_fans_out_one_message_per_school_and_the_queue_normalizes_it(  # type: ignore[no-untyped-def]
        client, admin, sis, school, app_container, tenant, clock_at, unique):
    add_school(client, admin, "s2", 1)
    post(client, sis, [mark(school[0], WED, "AM", "N")])
    drain(app_container)
    night = datetime(2024, 9, 5, 2, 0, tzinfo=UTC) + timedelta(days=366 * (int(unique, 16) % 500))
    clock_at(night)  # a date no other test fires the nightly on

    function("nightly")(None)
    function("nightly")(None)  # a replayed occurrence: skipped, nothing sent twice

    messages = [m for m in drain(app_container) if m.json()["tenantId"] == tenant]
    assert all(m.wire != json.dumps(m.json()) for m in messages)  # base64 on the wire
    yesterday = (night - timedelta(days=1)).date().isoformat()
    assert sorted((m.json()["schoolId"], m.json()["date"], m.json()["force"]) for m in messages) == [
        ("s1", yesterday, False), ("s2", yesterday, False)]
    nightly = app_container.platform.jobs.list("_system", kind="nightly")[0]
    assert any(r.scope == night.date().isoformat() and r.attempts == 1 for r in nightly)

    # the queue function, with a message for the marks' date
    s1 = next(m for m in messages if m.json()["schoolId"] == "s1")
    body = {**s1.json(), "date": WED}
    function("normalize_school")(QueueMessage(body=json.dumps(body).encode()))
    [run] = app_container.platform.jobs.list(tenant, kind="normalize")[0]
    # nothing normalized before: Mon..Wed for each of the 3 students
    assert (run.scope, run.status.value, run.counters["rows"]) == (f"s1/{WED}", "SUCCEEDED", 9)
    assert summaries(client, admin, school[0], WED, WED)[0]["amStatus"] == "UNAUTHORISED_ABSENT"


def test_a_sis_sync_enqueues_a_forced_normalization(client, admin, school, app_container, tenant):  # type: ignore[no-untyped-def]
    drain(app_container)
    body = json.dumps({"tenantId": tenant, "schoolId": "s1", "syncId": "sync-1",
                       "completedAt": "2024-09-04T17:30:00Z", "correlationId": "c-sync"}).encode()
    function("sis_sync_completed")(service_bus_message(body, now=datetime.now(UTC)))
    [message] = [m.json() for m in drain(app_container) if m.json()["tenantId"] == tenant]
    assert message == {"tenantId": tenant, "schoolId": "s1", "date": WED, "force": True,
                       "reason": "sis-sync", "correlationId": "c-sync"}


@pytest.mark.parametrize("students", [30, 300])
def test_normalizing_a_school_costs_requests_per_batch_not_per_student(client, admin, sis, app_container,  # type: ignore[no-untyped-def]
                                                                        students):
    ids = add_school(client, admin, "s1", students)
    post(client, sis, [mark(s, MON, p, c) for s in ids for p, c in (("AM", "/"), ("PM", "\\"))])
    normalize(client, admin, MON)
    post(client, sis, [mark(s, TUE, p, c) for s in ids for p, c in (("AM", "/"), ("PM", "N"))])

    counters = normalize(client, admin, TUE)["counters"]

    batches = math.ceil(students / 100)
    # fixed: school, calendar, lease (3), students, latest, flags, one day of marks, event batch;
    # per 100 students: a summaries batch, a newest-row batch, a flag-delete batch
    assert counters["rows"] == students
    assert counters["roundTrips"] <= 12 + 3 * batches, counters


def test_problems_name_the_field(client, admin, sis, school):  # type: ignore[no-untyped-def]
    def problem(response: Any) -> tuple[int, str | None]:
        errors = response.json().get("errors") or [{}]
        return response.status_code, errors[0].get("field")

    url, params = "/api/attendance/marks", {"schoolId": "s1"}
    assert problem(client.post(url, params=params, content=b"{", headers=sis)) == (422, "body")
    assert problem(client.post(url, params=params, json={"marks": []}, headers=sis)) == (422, "data")
    too_many = [mark(school[0], MON, "AM", "/")] * 10_001
    assert problem(client.post(url, params=params, json=too_many, headers=sis)) == (413, "data")
    assert client.post(url, params={"schoolId": "s2"}, json=[], headers=sis).status_code == 404
    reversed_range = client.get(f"/api/attendance/students/{school[0]}/summaries",
                                params={"schoolId": "s1", "from": TUE, "to": MON}, headers=admin)
    assert problem(reversed_range) == (422, "to")
