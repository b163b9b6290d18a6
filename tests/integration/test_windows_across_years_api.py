"""England's penalty period across the summer, through HTTP on Azurite: both school years'
calendars PUT (2024/25 and 2025/26), the roster imported, marks POSTed for July and September,
each year normalized, then simulate and the nightly.

DfE, "Working together to improve school attendance" (August 2024), and the National framework
for penalty notices: the national threshold is "10 sessions of unauthorised absence in a rolling
period of 10 school weeks", and "the period of 10 school weeks can also span different terms or
school years (e.g. 2 sessions of unauthorised absence in the Summer Term and a further 8 within
the Autumn Term)"."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_attendance_api import mark, normalize, post
from tests.integration.test_rules_api import create, simulate
from tests.roster_payloads import CALENDAR_BODY, SCHOOL_BODY, payload, student

pytestmark = pytest.mark.integration

THIS_YEAR = {"start": "2025-09-01", "end": "2026-07-21",
             "terms": [{"name": "Autumn", "start": "2025-09-01", "end": "2025-12-19"},
                       {"name": "Spring", "start": "2026-01-05", "end": "2026-03-27"},
                       {"name": "Summer", "start": "2026-04-13", "end": "2026-07-21"}],
             "holidays": [{"name": "Autumn half term", "start": "2025-10-27", "end": "2025-10-31"}]}
SUMMER_HOLIDAY = ("2025-07-21", ("G", "G"))  # 2 sessions in the summer term of 2024/25
AUTUMN = {"2025-09-08": ("N", "N"), "2025-09-09": ("N", "N"), "2025-09-10": ("O", "O"),
          "2025-09-11": ("U", "U")}  # a further 8 in the autumn term of 2025/26
NIGHT = "2025-09-11"  # in the 2nd school week: 8 of the 10 are in 2024/25
PENALTY = {"type": "absenceCountThreshold", "threshold": 10, "unit": "sessions", "categories": ["penalty"],
           "windowSchoolWeeks": 10}
RULE_SET = {"id": "threshold", "jurisdiction": "ENG", "name": "The national threshold",
            "stages": [{"order": 1, "type": "ESCALATION", "name": "Consider a penalty notice",
                        "waitSchoolDays": 0, "requiresApproval": True, "entry": PENALTY}]}


@pytest.fixture
def school(client, admin, mint, tenant):  # type: ignore[no-untyped-def]
    """s1 with both years' calendars; `both` on roll since 2022 (absent 2 sessions in July and 8 in
    September), `new` admitted this September (the same 8 in September, nothing last year)."""
    assert client.put("/api/schools/s1", json=SCHOOL_BODY, headers=admin).status_code == 201
    for year, body in (("2024-25", CALENDAR_BODY), ("2025-26", THIS_YEAR)):
        answer = client.put(f"/api/calendars/{year}", params={"schoolId": "s1"}, json=body, headers=admin)
        assert answer.status_code == 200, answer.text
    imported = client.post("/api/roster/import", params={"schoolId": "s1"}, headers=admin,
                           json=payload(student("both", contacts=0), student("new", contacts=0,
                                                                            admission="2025-09-01")))
    assert imported.status_code == 200, imported.text
    sis = mint("Integration", tenant, ["s1"])
    day, codes = SUMMER_HOLIDAY
    post(client, sis, [mark("both", day, session, code) for session, code in zip(("AM", "PM"), codes,
                                                                                  strict=True)])
    normalize(client, admin, CALENDAR_BODY["end"])  # 2024/25 to its last day
    post(client, sis, [mark(who, d, session, code) for who in ("both", "new") for d, pair in AUTUMN.items()
                       for session, code in zip(("AM", "PM"), pair, strict=True)])
    normalize(client, admin, NIGHT)
    made = create(client, admin, RULE_SET, school="s1")
    assert made.status_code == 201, made.text


def entered(timeline: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["date"], e["kind"]) for e in timeline["entries"]]


def test_simulate_counts_the_summer_terms_sessions(client, mint, tenant, school):  # type: ignore[no-untyped-def]
    teacher = mint("Teacher", tenant, ["s1"])
    answer = simulate(client, teacher, studentId="both", ruleSetId="threshold", until=NIGHT)
    assert answer.status_code == 200, answer.text
    timeline = answer.json()
    # entered, and handed on the same day (the simulation assumes staff act at once)
    assert entered(timeline) == [(NIGHT, "STAGE_ENTERED"), (NIGHT, "ESCALATED")]
    assert timeline["entries"][0]["evidence"] == [
        "10 sessions (5 days) of unauthorised absence that counts towards a penalty notice in the last 10 "
        "school weeks"]
    # the new pupil has the same 8 in September and nothing before: not met, and the evidence says why
    new = simulate(client, teacher, studentId="new", ruleSetId="threshold", until=NIGHT).json()
    assert entered(new) == []


def test_the_nightly_counts_them_and_queues_the_pupil_with_the_evidence(  # type: ignore[no-untyped-def]
        client, admin, mint, tenant, school):
    run = client.post("/api/interventions/evaluate", params={"schoolId": "s1", "date": NIGHT}, headers=admin)
    assert run.status_code == 200, run.text
    counters = run.json()["counters"]
    assert counters["studentsChanged"] == 1, counters
    # today's, last year's last school day's (22 July) and the day's before its 8 weeks (30 May)
    assert counters["rowDates"] == 3, counters
    teacher = mint("Teacher", tenant, ["s1"])
    items = client.get("/api/interventions/queue", params={"schoolId": "s1", "date": NIGHT},
                       headers=teacher).json()["items"]
    assert [(i["studentId"], i["stageType"], i["queuedOn"]) for i in items] == [("both", "ESCALATION", NIGHT)]
    assert items[0]["evidence"] == [
        "10 sessions (5 days) of unauthorised absence that counts towards a penalty notice in the last 10 "
        "school weeks"]
    # the day before, only 8 of the 10 had happened
    earlier = client.post("/api/interventions/evaluate", params={"schoolId": "s1", "date": "2025-09-10"},
                          headers=admin).json()
    assert "studentsChanged" not in earlier["counters"], earlier


def test_without_last_years_rows_the_evidence_says_so(client, mint, tenant, school):  # type: ignore[no-untyped-def]
    """A draft whose stage fires on the night while the threshold is not met shows its evidence."""
    teacher = mint("Teacher", tenant, ["s1"])
    draft = {**RULE_SET, "stages": [{**RULE_SET["stages"][0],  # type: ignore[dict-item]
                                     "entry": {"type": "all", "conditions": [
                                         {"type": "not", "condition": PENALTY},
                                         {"type": "dateWindow", "from": NIGHT}]}}]}
    entry, _ = simulate(client, teacher, studentId="new", draft=draft, until=NIGHT).json()["entries"]
    assert entry["evidence"] == [
        "8 sessions (4 days) of unauthorised absence that counts towards a penalty notice in the last 10 "
        "school weeks",
        "nothing is recorded for the student in the last 8 school weeks of 2024-25",
        "11 September 2025 is on or after 11 September 2025"]
