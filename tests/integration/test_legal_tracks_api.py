"""The law's own tracks through HTTP and the nightly on Azurite, written from the regulations:

- "Working together to improve school attendance" (DfE, August 2024), paras 174-200, and the
  national framework for penalty notices: 10 sessions of unauthorised absence (G, N, O, U) in a
  rolling 10 school weeks oblige the school to consider a penalty notice, whatever its support
  ladder is doing; authorised absence never counts; at most two notices for the same pupil
  within three years, then other action is considered instead.
- Education (Welfare) Act 2000 s.21(4)(a): the principal informs the educational welfare
  officer when a student is suspended for six days or more.

Marks are posted, normalized and the nightly (`POST /api/interventions/evaluate`) run on chosen
nights; the queue, the student's history and the simulation show each item's track.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

import bootstrap
from services.platform.ports import FixedClock
from tests.integration.test_attendance_api import add_school, mark, normalize, post
from tests.roster_payloads import CALENDAR_BODY, payload, student

pytestmark = pytest.mark.integration

FIRST, LAST = date(2024, 9, 2), date(2024, 12, 16)
@pytest.fixture
def school_clock(settings) -> Iterator[Callable[[datetime], None]]:  # type: ignore[no-untyped-def]
    """Staff act on the school's local date now: a container whose clock stands at the night's."""
    previous = bootstrap.composition()
    yield lambda at: bootstrap.use_composition(bootstrap.Composition(settings, clock=FixedClock(at)))
    bootstrap.use_composition(previous)


HALF_TERM = (date(2024, 10, 28), date(2024, 11, 1))
CLOSED = date(2024, 11, 15)


def school_days(first: date, last: date) -> list[date]:
    found, day = [], first
    while day <= last:
        if day.weekday() < 5 and not HALF_TERM[0] <= day <= HALF_TERM[1] and day != CLOSED:
            found.append(day)
        day += timedelta(days=1)
    return found


def between(first: date, last: date) -> set[date]:
    return set(school_days(first, last))


def evaluate(client: Any, admin: dict[str, str], day: date, school: str = "s1") -> dict[str, Any]:
    response = client.post("/api/interventions/evaluate",
                           params={"schoolId": school, "date": day.isoformat()}, headers=admin)
    assert response.status_code == 200, response.text
    run = response.json()
    assert run["status"] == "SUCCEEDED", run
    return run  # type: ignore[no-any-return]


def queue(client: Any, headers: dict[str, str], day: date, school: str = "s1") -> list[dict[str, Any]]:
    response = client.get("/api/interventions/queue", params={"schoolId": school, "date": day.isoformat()},
                          headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def tracks_of(items: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(i["studentId"], i["track"], i["stageType"]) for i in items}


def approve(client: Any, officer: dict[str, str], item: dict[str, Any], school: str = "s1") -> dict[str, Any]:
    answer = client.post(f"/api/interventions/queue/{item['id']}/approve", params={"schoolId": school},
                         json={}, headers=officer)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


@pytest.fixture
def england(client, admin, mint, tenant):  # type: ignore[no-untyped-def]
    """s1: a term-time holiday pupil (G, 25-29 Nov), an ill pupil (I, 18-29 Nov), a pupil ill in
    the first week and on holiday 25-29 Nov, and a pupil truant every Monday (O); the rest present."""
    holiday, ill, recovered, mondays = add_school(client, admin, "s1", 4)
    sis = mint("Integration", tenant, ["s1"])
    absent: dict[str, dict[date, str]] = {
        holiday: dict.fromkeys(between(date(2024, 11, 25), date(2024, 11, 29)), "G"),
        ill: dict.fromkeys(between(date(2024, 11, 18), date(2024, 11, 29)), "I"),
        recovered: {**dict.fromkeys(between(FIRST, date(2024, 9, 6)), "I"),
                    **dict.fromkeys(between(date(2024, 11, 25), date(2024, 11, 29)), "G")},
        mondays: {d: "O" for d in school_days(FIRST, LAST) if d.weekday() == 0},
    }
    records = [mark(sid, d.isoformat(), session, codes.get(d, "/" if session == "AM" else "\\"))
               for sid, codes in absent.items() for d in school_days(FIRST, LAST) for session in ("AM", "PM")]
    post(client, sis, records)
    normalize(client, admin, LAST.isoformat())
    installed = client.post("/api/interventions/rules/presets/ENG", params={"schoolId": "s1"}, headers=admin)
    assert installed.status_code == 201, installed.text
    listed = client.get("/api/interventions/rules", params={"schoolId": "s1"}, headers=admin).json()["items"]
    assert {(r["id"], r["track"]) for r in listed} == {("preset-eng-s1", "SUPPORT"),
                                                        ("preset-eng-penalty-s1", "STATUTORY")}
    return holiday, ill, recovered, mondays


def test_england_both_tracks_through_the_nightly(client, admin, mint, tenant, england, school_clock):  # type: ignore[no-untyped-def]
    holiday, ill, recovered, mondays = england
    officer = mint("AttendanceOfficer", tenant, ["s1"])
    evaluate(client, admin, date(2024, 9, 20))  # 30 possible sessions: the letters may start
    assert tracks_of(queue(client, officer, date(2024, 9, 20))) == {
        (recovered, "SUPPORT", "LETTER_1"), (mondays, "SUPPORT", "LETTER_1")}

    # the 5th Monday: 10 sessions of O in 10 school weeks; the same pupil on both tracks
    evaluate(client, admin, date(2024, 9, 30))
    items = queue(client, officer, date(2024, 9, 30))
    assert tracks_of(items) == {(recovered, "SUPPORT", "LETTER_1"), (mondays, "SUPPORT", "LETTER_1"),
                                (mondays, "STATUTORY", "ESCALATION")}
    notice = next(i for i in items if i["track"] == "STATUTORY")
    assert notice["evidence"][1].startswith("the sessions that count: 2 September 2024 morning (O)")
    school_clock(datetime(2024, 9, 30, 17, tzinfo=UTC))
    assert approve(client, officer, notice)["status"] == "ESCALATED"  # the school asks for the notice

    # again on sessions not counted before: Oct 7, 14, 21, Nov 4, 11
    evaluate(client, admin, date(2024, 11, 11))
    [second] = [i for i in queue(client, officer, date(2024, 11, 11)) if i["track"] == "STATUTORY"]
    assert second["studentId"] == mondays and second["stageOrder"] == 1
    assert "30 September" not in second["evidence"][1], second["evidence"]
    school_clock(datetime(2024, 11, 11, 17, tzinfo=UTC))
    approve(client, officer, second)

    # the support ladder of the pupil ill in September stops once attendance recovers
    evaluate(client, admin, date(2024, 11, 22))
    assert (recovered, "SUPPORT", "LETTER_1") not in tracks_of(queue(client, officer, date(2024, 11, 22)))

    # the day before the holiday's 10th session nothing; on the day, both holiday pupils, though
    # one attends above 90% and the other's letters stopped; illness never counts
    evaluate(client, admin, date(2024, 11, 28))
    assert not [i for i in queue(client, officer, date(2024, 11, 28)) if i["track"] == "STATUTORY"]
    evaluate(client, admin, date(2024, 11, 29))
    legal = {i["studentId"]: i for i in queue(client, officer, date(2024, 11, 29))
             if i["track"] == "STATUTORY"}
    assert set(legal) == {holiday, recovered}
    assert legal[holiday]["stageEnteredOn"] == "2024-11-29"
    assert legal[holiday]["evidence"][1] == "the sessions that count: " + "; ".join(
        f"{d} November 2024 morning (G) and afternoon (G)" for d in range(25, 30))
    summary = client.get(f"/api/attendance/students/{holiday}/summaries",
                         params={"schoolId": "s1", "from": "2024-11-29", "to": "2024-11-29"},
                         headers=officer).json()
    assert summary["items"][0]["attendancePercent"] > 90, summary
    assert (ill, "SUPPORT", "LETTER_1") in tracks_of(queue(client, officer, date(2024, 11, 29)))

    # the third time within three years: other action instead of a third notice
    evaluate(client, admin, date(2024, 12, 16))
    [third] = [i for i in queue(client, officer, date(2024, 12, 16))
               if i["track"] == "STATUTORY" and i["studentId"] == mondays]
    assert third["stageOrder"] == 2 and third["templateKey"] == "eng-consider-other-action"
    assert "2 times in the last 3 years (on 30 September 2024 and 11 November 2024)" in third["evidence"][0]

    history = client.get(f"/api/interventions/students/{mondays}", params={"schoolId": "s1"},
                         headers=officer).json()
    assert sorted((h["instance"]["track"], h["instance"]["stageOrder"], h["instance"]["status"])
                  for h in history["instances"]) == [
        ("STATUTORY", 1, "ESCALATED"), ("STATUTORY", 1, "ESCALATED"), ("STATUTORY", 2, "ACTIVE"),
        ("SUPPORT", 1, "ACTIVE")]
    assert all(h["chain"]["verified"] for h in history["instances"])
    ill_history = client.get(f"/api/interventions/students/{ill}", params={"schoolId": "s1"},
                             headers=officer).json()
    assert {h["instance"]["track"] for h in ill_history["instances"]} == {"SUPPORT"}


def test_england_simulate_shows_both_tracks(client, mint, tenant, england):  # type: ignore[no-untyped-def]
    holiday, ill, _, mondays = england
    teacher = mint("Teacher", tenant, ["s1"])

    def simulate(student_id: str) -> dict[str, Any]:
        answer = client.post("/api/interventions/simulate", params={"schoolId": "s1"},
                             json={"studentId": student_id, "until": LAST.isoformat()}, headers=teacher)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    both = simulate(mondays)
    assert [(t["ruleSetId"], t["track"]) for t in both["tracks"]] == [
        ("preset-eng-s1", "SUPPORT"), ("preset-eng-penalty-s1", "STATUTORY")]
    assert (both["ruleSetId"], both["track"]) == ("preset-eng-s1", "SUPPORT")  # the old fields stay
    entered = [(e["date"], e["track"], e["stageOrder"]) for e in both["entries"]
               if e["kind"] == "STAGE_ENTERED"]
    assert ("2024-09-20", "SUPPORT", 1) in entered
    assert [(d, o) for d, t, o in entered if t == "STATUTORY"] == [
        ("2024-09-30", 1), ("2024-11-11", 1), ("2024-12-16", 2)]
    on_holiday = simulate(holiday)
    assert [(e["date"], e["track"]) for e in on_holiday["entries"] if e["kind"] == "STAGE_ENTERED"] == [
        ("2024-11-29", "STATUTORY")]
    assert [e for e in simulate(ill)["entries"] if e["track"] == "STATUTORY"] == []


def test_reinstalling_migrates_a_stored_pre_track_england_ladder(client, admin, tenant, app_container):  # type: ignore[no-untyped-def]
    """A tenant that installed the England preset when the penalty stage was its stage 4."""
    from domain.rules import InterventionRuleSet, load_preset

    add_school(client, admin, "s1", 1)
    ladder = load_preset("ENG").to_json()
    old_stage = {"order": 4, "type": "ESCALATION", "name": "Consider a penalty notice or a notice to improve",
                 "letterTemplateKey": "eng-notice-to-improve",
                 "entry": {"type": "absenceCountThreshold", "threshold": 10, "unit": "sessions",
                           "categories": ["penalty"], "windowSchoolWeeks": 10},
                 "waitSchoolDays": 0, "requiresApproval": True,
                 "stopConditions": [{"type": "caseResolved"}, {"type": "exemptionActive"},
                                    {"type": "entryNoLongerMet"}]}
    stored = {k: v for k, v in ladder.items() if k != "track"}
    old = InterventionRuleSet.model_validate({**stored, "id": "preset-eng-s1", "tenantId": tenant,
                                              "schoolId": "s1", "stages": [*ladder["stages"], old_stage]})
    app_container.rules.store.create(old)
    again = client.post("/api/interventions/rules/presets/ENG", params={"schoolId": "s1"}, headers=admin)
    assert again.status_code == 201, again.text  # the legal track was added
    body = again.json()
    assert (body["id"], body["version"], len(body["stages"]), body["track"]) == (
        "preset-eng-s1", 2, 3, "SUPPORT")
    first = client.get("/api/interventions/rules/preset-eng-s1", params={"version": 1}, headers=admin).json()
    assert len(first["stages"]) == 4  # version 1 stays readable for instances started under it
    assert client.post("/api/interventions/rules/presets/ENG", params={"schoolId": "s1"},
                       headers=admin).status_code == 200


IE_SCHOOL = {"name": "Scoil Bhride", "jurisdiction": "IE", "timeZone": "Europe/Dublin", "language": "en"}


def test_ireland_a_six_day_suspension_is_reported_through_the_nightly(client, admin, mint, tenant,  # type: ignore[no-untyped-def]
                                                                     school_clock):
    assert client.put("/api/schools/ie1", json=IE_SCHOOL, headers=admin).status_code == 201
    params = {"schoolId": "ie1"}
    assert client.put("/api/calendars/2024-25", params=params, json=CALENDAR_BODY,
                      headers=admin).status_code == 200
    suspended, ill = "ie1-st0", "ie1-st1"
    imported = client.post("/api/roster/import", params=params,
                           json=payload(*(student(i, contacts=0) for i in (suspended, ill))), headers=admin)
    assert imported.status_code == 200, imported.text
    codes = {suspended: {**dict.fromkeys(between(date(2024, 10, 8), date(2024, 10, 10)), "D"),
                         **dict.fromkeys(between(date(2024, 11, 18), date(2024, 11, 20)), "D")},
             ill: dict.fromkeys(between(date(2024, 11, 11), date(2024, 11, 20)), "A")}
    last = date(2024, 11, 20)
    post(client, mint("Integration", tenant, ["ie1"]),
         [mark(sid, d.isoformat(), "DAY", by_day.get(d, "P")) for sid, by_day in codes.items()
          for d in school_days(FIRST, last)], school="ie1")
    normalize(client, admin, last.isoformat(), school="ie1")
    installed = client.post("/api/interventions/rules/presets/IE", params=params, headers=admin)
    assert installed.status_code == 201, installed.text
    officer = mint("AttendanceOfficer", tenant, ["ie1"])
    evaluate(client, admin, date(2024, 11, 19), "ie1")  # 5 days suspended: not yet
    assert queue(client, officer, date(2024, 11, 19), "ie1") == []
    evaluate(client, admin, last, "ie1")
    [report] = queue(client, officer, last, "ie1")
    assert (report["studentId"], report["track"], report["ruleSetId"], report["templateKey"]) == (
        suspended, "STATUTORY", "preset-ie-suspension-ie1", "ie-suspension-report")
    assert report["evidence"][0] == "6 days of suspension this school year"
    assert report["evidence"][1].startswith("the sessions that count: 8 October 2024 morning (D)")
    school_clock(datetime(2024, 11, 20, 17, tzinfo=UTC))
    assert approve(client, officer, report, "ie1")["status"] == "ESCALATED"  # Tusla informed
    evaluate(client, admin, last, "ie1")
    assert queue(client, officer, last, "ie1") == []  # once a school year
