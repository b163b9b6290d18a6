"""California partial-day truancy through HTTP on Azurite: a California school's calendar PUT,
its roster imported, AM/PM marks POSTed (an unexcused morning, the afternoon present, on three
days), normalized, then simulate and the nightly under the California preset. An Irish school's
AM/PM marks are refused naming the field, and the rest of the batch is kept.

California Education Code §48260(a): a pupil "who is absent from school without a valid excuse
three full days in one school year or tardy or absent for more than a 30-minute period during
the schoolday without a valid excuse on three occasions in one school year, or any combination
thereof, shall be classified as a truant"."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.integration.test_attendance_api import mark, normalize, post
from tests.roster_payloads import CALENDAR_BODY, payload, student

pytestmark = pytest.mark.integration

MORNINGS = ("2024-09-04", "2024-09-10", "2024-09-18")  # absent without a valid excuse until lunch
NIGHT = MORNINGS[-1]
CALIFORNIA = {"name": "Lincoln Elementary", "jurisdiction": "US-CA", "timeZone": "America/Los_Angeles",
              "language": "en"}
IRELAND = {"name": "Scoil Bhríde", "jurisdiction": "IE", "timeZone": "Europe/Dublin", "language": "en"}


def add_school(client: Any, admin: dict[str, str], school_id: str, body: dict[str, Any],
               students: tuple[str, ...]) -> None:
    assert client.put(f"/api/schools/{school_id}", json=body, headers=admin).status_code == 201
    params = {"schoolId": school_id}
    assert client.put("/api/calendars/2024-25", params=params, json=CALENDAR_BODY,
                      headers=admin).status_code == 200
    imported = client.post("/api/roster/import", params=params, headers=admin,
                           json=payload(*(student(sid, contacts=0) for sid in students)))
    assert imported.status_code == 200, imported.text


def school_days(through: str) -> list[str]:
    first, last = date(2024, 9, 2), date.fromisoformat(through)
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)
            if (first + timedelta(days=n)).weekday() < 5]


@pytest.fixture
def california(client, admin, mint, tenant):  # type: ignore[no-untyped-def]
    """ca1: `mornings` misses three mornings without a valid excuse and attends every afternoon;
    `excused` misses the same mornings with a valid excuse (E); both present every other day."""
    add_school(client, admin, "ca1", CALIFORNIA, ("mornings", "excused"))
    sis = mint("Integration", tenant, ["ca1"])
    records = []
    for sid, code in (("mornings", "U"), ("excused", "E")):
        for day in school_days(NIGHT):
            if day in MORNINGS:
                records += [mark(sid, day, "AM", code), mark(sid, day, "PM", "P")]
            else:
                records.append(mark(sid, day, "DAY", "P"))
    answer = post(client, sis, records, school="ca1")
    assert answer["accepted"] == len(records) and answer["rejected"] == [], answer
    normalize(client, admin, NIGHT, school="ca1")
    installed = client.post("/api/interventions/rules/presets/US-CA", params={"schoolId": "ca1"},
                            headers=admin)
    assert installed.status_code == 201, installed.text
    return installed.json()["id"]


def test_three_unexcused_mornings_are_three_truancies_in_the_rows(client, mint, tenant, california):  # type: ignore[no-untyped-def]
    teacher = mint("Teacher", tenant, ["ca1"])
    response = client.get("/api/attendance/students/mornings/summaries",
                          params={"schoolId": "ca1", "from": NIGHT, "to": NIGHT}, headers=teacher)
    assert response.status_code == 200, response.text
    [row] = response.json()["items"]
    assert (row["amStatus"], row["pmStatus"]) == ("UNAUTHORISED_ABSENT", "PRESENT")
    # three occasions of absence over 30 minutes without a valid excuse, no full day
    assert (row["tardiesOver30"], row["unexcusedSessions"], row["unauthorisedSessions"]) == (3, 0, 3)


def test_simulate_sends_the_first_truancy_notification_on_the_third_morning(  # type: ignore[no-untyped-def]
        client, mint, tenant, california):
    teacher = mint("Teacher", tenant, ["ca1"])
    answer = client.post("/api/interventions/simulate", params={"schoolId": "ca1"}, headers=teacher,
                         json={"studentId": "mornings", "ruleSetId": california, "until": NIGHT})
    assert answer.status_code == 200, answer.text
    [entered] = answer.json()["entries"]
    assert (entered["date"], entered["kind"], entered["stageType"]) == (NIGHT, "STAGE_ENTERED", "LETTER_1")
    assert entered["evidence"] == [
        "truant 3 times this school year: 0 days absent without a valid excuse and 3 times late or absent "
        "for more than 30 minutes without one"]
    excused = client.post("/api/interventions/simulate", params={"schoolId": "ca1"}, headers=teacher,
                          json={"studentId": "excused", "ruleSetId": california, "until": NIGHT})
    assert excused.json()["entries"] == []


def test_the_nightly_queues_the_notification_for_the_truant_only(  # type: ignore[no-untyped-def]
        client, admin, mint, tenant, california):
    run = client.post("/api/interventions/evaluate", params={"schoolId": "ca1", "date": NIGHT}, headers=admin)
    assert run.status_code == 200, run.text
    assert run.json()["counters"]["studentsChanged"] == 1, run.json()
    teacher = mint("Teacher", tenant, ["ca1"])
    items = client.get("/api/interventions/queue", params={"schoolId": "ca1", "date": NIGHT},
                       headers=teacher).json()["items"]
    assert [(i["studentId"], i["stageType"], i["queuedOn"]) for i in items] == [
        ("mornings", "LETTER_1", NIGHT)]
    assert "truant 3 times" in items[0]["evidence"][0]


def test_a_session_the_jurisdiction_cannot_use_is_refused_naming_the_field(  # type: ignore[no-untyped-def]
        client, admin, mint, tenant):
    """Tusla counts days: an Irish school sends DAY marks, and its AM/PM marks are refused; a
    California school's unknown session is refused too; the rest of each batch is kept."""
    add_school(client, admin, "ie1", IRELAND, ("pupil",))
    add_school(client, admin, "ca2", CALIFORNIA, ("pupil",))
    sis = mint("Integration", tenant, ["ie1", "ca2"])
    irish = post(client, sis, [mark("pupil", "2024-09-02", "AM", "A"),
                               mark("pupil", "2024-09-02", "DAY", "A"),
                               mark("pupil", "2024-09-03", "PM", "P")], school="ie1")
    assert irish["accepted"] == 1
    assert [(r["index"], r["field"]) for r in irish["rejected"]] == [(0, "session"), (2, "session")]
    assert "send DAY" in irish["rejected"][0]["reason"]
    californian = post(client, sis, [mark("pupil", "2024-09-02", "AM", "U"),
                                     mark("pupil", "2024-09-02", "NOON", "P")], school="ca2")
    assert californian["accepted"] == 1
    assert [(r["index"], r["field"]) for r in californian["rejected"]] == [(1, "session")]
