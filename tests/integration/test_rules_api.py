"""Rule sets through HTTP on Azurite: create, validate, edit with ETags, presets, scope,
simulation of a student and a draft's impact preview, on a small seeded school."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_attendance_api import add_school, mark, normalize, post
from tests.rules_payloads import DRAFT, rule_set

pytestmark = pytest.mark.integration

RULES = "/api/interventions/rules"
MON, TUE, WED = "2024-09-02", "2024-09-03", "2024-09-04"


def create(client: Any, headers: dict[str, str], body: Any, school: str | None = None) -> Any:
    return client.post(RULES, params={"schoolId": school} if school else {}, json=body, headers=headers)


def test_create_answers_201_with_an_etag_and_reads_back(client, admin, mint, tenant):  # type: ignore[no-untyped-def]
    made = create(client, admin, {**DRAFT, "id": "two-letters"})
    assert made.status_code == 201, made.text
    assert made.headers["ETag"] and made.headers["Location"] == f"{RULES}/two-letters"
    body = made.json()
    assert (body["id"], body["tenantId"], body["version"], body["active"]) == ("two-letters", tenant, 1, True)
    assert "schoolId" not in body  # the tenant's

    teacher = mint("Teacher", tenant, ["s1"])
    got = client.get(f"{RULES}/two-letters", headers=teacher)
    assert got.status_code == 200 and got.json() == body and got.headers["ETag"] == made.headers["ETag"]
    listed = client.get(RULES, params={"schoolId": "s1"}, headers=teacher).json()["items"]
    assert [r["id"] for r in listed] == ["two-letters"]
    assert create(client, admin, {**DRAFT, "id": "two-letters"}).status_code == 409


def test_an_invalid_condition_is_refused_naming_the_field(client, admin):  # type: ignore[no-untyped-def]
    bad = rule_set(first=-1)
    bad["stages"][1]["entry"]["type"] = "absenceCountTreshold"
    answer = create(client, admin, bad)
    assert answer.status_code == 422
    fields = answer.json()["errors"][0]["field"]
    assert fields == "stages[0].entry.threshold"
    assert "stages[1].entry.type" in answer.json()["detail"]
    assert client.get(RULES, headers=admin).json()["items"] == []


def test_a_rule_set_over_the_storage_limit_is_refused(client, admin):  # type: ignore[no-untyped-def]
    answer = create(client, admin, {**DRAFT, "sources": ["x" * 2000] * 20})
    assert answer.status_code == 422 and "limit" in answer.json()["detail"]


def test_edit_needs_the_current_etag_and_keeps_older_versions(client, admin):  # type: ignore[no-untyped-def]
    first = create(client, admin, {**DRAFT, "id": "rs"})
    etag1 = first.headers["ETag"]
    edited = rule_set(name="Two letters, sooner", first=2)

    assert client.put(f"{RULES}/rs", json=edited, headers=admin).status_code == 428
    second = client.put(f"{RULES}/rs", json=edited, headers={**admin, "If-Match": etag1})
    assert second.status_code == 200, second.text
    assert (second.json()["version"], second.json()["name"]) == (2, "Two letters, sooner")
    stale = client.put(f"{RULES}/rs", json=DRAFT, headers={**admin, "If-Match": etag1})
    assert stale.status_code == 412

    newest = client.get(f"{RULES}/rs", headers=admin)
    assert newest.json()["version"] == 2 and newest.headers["ETag"] == second.headers["ETag"]
    old = client.get(f"{RULES}/rs", params={"version": 1}, headers=admin)
    assert old.status_code == 200 and old.json()["name"] == "Two letters" and "ETag" not in old.headers
    assert client.get(f"{RULES}/rs", params={"version": 3}, headers=admin).status_code == 404
    assert [r["version"] for r in client.get(RULES, headers=admin).json()["items"]] == [2]

    # deactivating rewrites the newest version: its old ETag is stale, the flag survives edits
    off = client.post(f"{RULES}/rs/deactivate", headers=admin)
    assert off.json()["active"] is False
    third = client.put(f"{RULES}/rs", json=DRAFT, headers={**admin, "If-Match": second.headers["ETag"]})
    assert third.status_code == 412
    third = client.put(f"{RULES}/rs", json=DRAFT, headers={**admin, "If-Match": off.headers["ETag"]})
    assert (third.json()["version"], third.json()["active"]) == (3, False)


def test_installing_a_preset_twice_installs_it_once(client, admin, tenant):  # type: ignore[no-untyped-def]
    add_school(client, admin, "s1", 0)
    first = client.post(f"{RULES}/presets/ENG", headers=admin)
    again = client.post(f"{RULES}/presets/ENG", headers=admin)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json() and first.json()["id"] == "preset-eng"
    school = client.post(f"{RULES}/presets/ENG", params={"schoolId": "s1"}, headers=admin)
    assert school.status_code == 201 and school.json()["schoolId"] == "s1"
    assert client.post(f"{RULES}/presets/IE", params={"schoolId": "s1"}, headers=admin).status_code == 422
    assert client.post(f"{RULES}/presets/XX", headers=admin).status_code == 422
    ids = [r["id"] for r in client.get(RULES, headers=admin).json()["items"]]
    assert ids == ["preset-eng", "preset-eng-penalty", "preset-eng-penalty-s1", "preset-eng-s1"]


def test_school_admins_manage_only_their_schools_rule_sets(client, admin, mint, tenant):  # type: ignore[no-untyped-def]
    add_school(client, admin, "s1", 0)
    add_school(client, admin, "s2", 0)
    head = mint("SchoolAdmin", tenant, ["s1"])
    tenant_wide = create(client, admin, {**DRAFT, "id": "district"})
    other = create(client, admin, {**DRAFT, "id": "other"}, school="s2")
    own = create(client, head, {**DRAFT, "id": "own"}, school="s1")
    assert (tenant_wide.status_code, other.status_code, own.status_code) == (201, 201, 201)

    assert create(client, head, DRAFT).status_code == 422  # no school named: not the tenant's
    assert create(client, head, DRAFT, school="s2").status_code == 403
    edit = client.put(f"{RULES}/district", json=DRAFT,
                      headers={**head, "If-Match": tenant_wide.headers["ETag"]})
    assert edit.status_code == 403  # reads it, may not change it
    assert client.get(f"{RULES}/district", headers=head).status_code == 200
    assert client.get(f"{RULES}/other", headers=head).status_code == 404
    assert client.post(f"{RULES}/other/deactivate", headers=head).status_code == 404
    mine = client.put(f"{RULES}/own", json=DRAFT, headers={**head, "If-Match": own.headers["ETag"]})
    assert mine.status_code == 200 and mine.json()["schoolId"] == "s1"
    listed = client.get(RULES, params={"schoolId": "s1"}, headers=head).json()["items"]
    assert [r["id"] for r in listed] == ["district", "own"]


def test_rule_sets_of_another_tenant_are_invisible(client, admin, mint, tenant):  # type: ignore[no-untyped-def]
    create(client, admin, {**DRAFT, "id": "mine"})
    stranger = mint("DistrictAdmin", tenant + "-b")
    assert client.get(f"{RULES}/mine", headers=stranger).status_code == 404
    assert client.get(RULES, headers=stranger).json()["items"] == []
    assert client.post(f"{RULES}/mine/deactivate", headers=stranger).status_code == 404


@pytest.fixture
def seeded(client, admin, mint, tenant):  # type: ignore[no-untyped-def]
    """Three students: st0 absent all Monday and Tuesday (4 sessions), st1 on Monday morning
    and Tuesday afternoon (2), st2 always present; normalized for each day."""
    st0, st1, st2 = add_school(client, admin, "s1", 3)
    sis = mint("Integration", tenant, ["s1"])
    absent = {(st0, MON, "AM"), (st0, MON, "PM"), (st0, TUE, "AM"), (st0, TUE, "PM"), (st1, MON, "AM"),
              (st1, TUE, "PM")}
    post(client, sis, [mark(s, d, p, "N" if (s, d, p) in absent else "/") for s in (st0, st1, st2)
                       for d in (MON, TUE, WED) for p in ("AM", "PM")])
    for day in (MON, TUE, WED):
        normalize(client, admin, day)
    return st0, st1, st2


def simulate(client: Any, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/interventions/simulate", params={"schoolId": "s1"}, json=body, headers=headers)


def test_simulating_a_student_shows_each_stage_with_its_evidence(client, admin, mint, tenant, seeded):  # type: ignore[no-untyped-def]
    st0, _, _ = seeded
    teacher = mint("Teacher", tenant, ["s1"])
    answer = simulate(client, teacher, studentId=st0, draft=DRAFT, until=WED)
    assert answer.status_code == 200, answer.text
    timeline = answer.json()
    [entered] = timeline["entries"]
    assert (entered["date"], entered["kind"], entered["stageOrder"], entered["stageType"]) == (
        TUE, "STAGE_ENTERED", 1, "LETTER_1")
    assert "4 sessions" in " ".join(entered["evidence"])
    assert (timeline["ruleSetId"], timeline["status"], timeline["stageOrder"]) == ("draft", "ACTIVE", 1)

    saved = create(client, admin, {**DRAFT, "id": "saved"}, school="s1")
    create_v2 = client.put(f"{RULES}/saved", json=rule_set(first=2),
                           headers={**admin, "If-Match": saved.headers["ETag"]})
    assert create_v2.status_code == 200
    v1 = simulate(client, teacher, studentId=st0, ruleSetId="saved", version=1, until=WED).json()
    v2 = simulate(client, teacher, studentId=st0, ruleSetId="saved", until=WED).json()
    assert (v1["version"], v1["entries"][0]["date"]) == (1, TUE)
    assert (v2["version"], v2["entries"][0]["date"]) == (2, MON)  # 2 sessions already on Monday

    both = simulate(client, teacher, studentId=st0, ruleSetId="saved", draft=DRAFT, until=WED)
    assert both.status_code == 422 and both.json()["errors"][0]["field"] == "ruleSetId"
    invalid = simulate(client, teacher, studentId=st0, draft=rule_set(first=0), until=WED)
    assert invalid.json()["errors"][0]["field"] == "stages[0].entry.threshold"


def test_impact_preview_counts_students_per_stage_next_to_the_active_rule_sets(client, admin, seeded):  # type: ignore[no-untyped-def]
    create(client, admin, {**rule_set(name="Strict", first=2, second=4), "id": "strict"}, school="s1")
    create(client, admin, {**DRAFT, "id": "inactive"}, school="s1")
    assert client.post(f"{RULES}/inactive/deactivate", headers=admin).status_code == 200

    answer = client.post(f"{RULES}/preview", params={"schoolId": "s1", "date": WED}, json=DRAFT,
                         headers=admin)
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    assert (preview["date"], preview["students"]) == (WED, 3)
    draft = {s["order"]: (s["atStage"], s["enteringToday"], s["entered"]) for s in preview["draft"]["stages"]}
    assert draft == {1: (1, 0, 1), 2: (0, 0, 0)}  # st0 entered letter 1 on Tuesday
    [strict] = preview["active"]
    assert strict["ruleSetId"] == "strict"
    stages = {s["order"]: (s["atStage"], s["enteringToday"], s["entered"]) for s in strict["stages"]}
    # st0 and st1 reach 2 sessions on Monday; st0 has 4 by Tuesday, but letter 2 waits two school
    # days after letter 1 (sent Monday in the simulation), so it comes on Wednesday
    assert stages == {1: (1, 0, 2), 2: (1, 1, 1)}
    missing = client.post(f"{RULES}/preview", params={"date": WED}, json=DRAFT, headers=admin)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "schoolId"
