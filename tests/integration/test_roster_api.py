"""Reference data through HTTP on Azurite: schools, calendars, code mappings, the roster import,
student reads, the RosterReader, batching and tenant isolation."""

from __future__ import annotations

import copy
import math
from datetime import date
from typing import Any

import pytest

from adapters.storage.keys import key
from adapters.storage.tables import BATCH_LIMIT
from adapters.tables.roster_entities import STUDENTS
from domain.platform.errors import NotFound
from tests.roster_payloads import CALENDAR_BODY, SCHOOL_BODY, payload, student

pytestmark = pytest.mark.integration

WRITES = ("transaction", "insert", "upsert", "update", "delete")


@pytest.fixture
def school(client, admin):  # type: ignore[no-untyped-def]
    assert client.put("/api/schools/s1", json=SCHOOL_BODY, headers=admin).status_code == 201
    return "s1"


def field_of(response: Any) -> str:
    assert response.status_code == 422, response.text
    return response.json()["errors"][0]["field"]


def writes(app_container: Any) -> dict[str, int]:
    return {k: app_container.platform.tables.counter.by_kind.get(k, 0) for k in WRITES}


def etags(app_container: Any, tenant: str, school: str) -> dict[str, str | None]:
    students = app_container.platform.tables(STUDENTS)
    return {r["RowKey"]: r.etag for r in students.partition(key(tenant, school))}


# --- schools ---------------------------------------------------------------------------------------

def test_a_district_admin_adds_and_updates_a_school(client, admin, school):  # type: ignore[no-untyped-def]
    got = client.get("/api/schools/s1", headers=admin).json()
    assert got == {"schoolId": "s1", "name": "St Brigid's", "jurisdiction": "ENG",
                   "timeZone": "Europe/London", "language": "en", "sisSchoolId": None,
                   "keepSourceLetter": False}

    renamed = client.put("/api/schools/s1", json={**SCHOOL_BODY, "name": "St Brigid's NS",
                                                  "language": "GA", "keepSourceLetter": True}, headers=admin)

    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["language"]) == ("St Brigid's NS", "ga")
    assert client.get("/api/schools/s1", headers=admin).json()["keepSourceLetter"] is True  # stored


@pytest.mark.parametrize(("change", "field"), [({"timeZone": "Europe/Atlantis"}, "timeZone"),
                                               ({"timeZone": "Europe"}, "timeZone"),
                                               ({"language": "not a language"}, "language"),
                                               ({"jurisdiction": "FR"}, "jurisdiction"),
                                               ({"jurisdiction": "IE"}, "jurisdiction")])
def test_a_bad_school_names_the_field(client, admin, school, change, field):  # type: ignore[no-untyped-def]
    assert field_of(client.put("/api/schools/s1", json={**SCHOOL_BODY, **change}, headers=admin)) == field


def test_a_school_admin_updates_only_their_own_school_and_adds_none(client, mint, tenant, admin, school):  # type: ignore[no-untyped-def]
    assert client.put("/api/schools/s2", json=SCHOOL_BODY, headers=admin).status_code == 201
    own = mint("SchoolAdmin", tenant, ["s1", "s3"])

    assert client.put("/api/schools/s1", json={**SCHOOL_BODY, "name": "New"}, headers=own).status_code == 200
    assert client.put("/api/schools/s2", json=SCHOOL_BODY, headers=own).status_code == 404
    assert client.get("/api/schools/s2", headers=own).status_code == 404
    added = client.put("/api/schools/s3", json=SCHOOL_BODY, headers=own)
    assert added.status_code == 403 and added.json()["errors"][0]["field"] == "schoolId"
    assert [s["schoolId"] for s in client.get("/api/schools", headers=own).json()["items"]] == ["s1"]
    assert [s["schoolId"] for s in client.get("/api/schools", headers=admin).json()["items"]] == ["s1", "s2"]


# --- calendars -------------------------------------------------------------------------------------

def test_a_calendar_is_stored_listed_and_read_back(client, admin, school):  # type: ignore[no-untyped-def]
    put = client.put("/api/calendars/2024-25", params={"schoolId": school}, json=CALENDAR_BODY,
                     headers=admin)
    assert put.status_code == 200, put.text

    listed = client.get("/api/calendars", params={"schoolId": school}, headers=admin).json()["items"]
    one = client.get("/api/calendars/2024-25", params={"schoolId": school}, headers=admin).json()

    assert listed == [{"schoolYear": "2024-25", "start": "2024-09-02", "end": "2025-07-22",
                       "schoolDays": put.json()["schoolDays"]}]
    assert one["closures"] == ["2024-11-15"] and [t["name"] for t in one["terms"]] == [
        "Autumn", "Spring", "Summer"]
    assert client.get("/api/calendars/2025-26", params={"schoolId": school},
                      headers=admin).status_code == 404


def test_a_bad_calendar_is_refused_naming_the_field(client, admin, school):  # type: ignore[no-untyped-def]
    def put(year: str, body: dict[str, Any]) -> Any:
        return client.put(f"/api/calendars/{year}", params={"schoolId": school}, json=body, headers=admin)
    backwards = copy.deepcopy(CALENDAR_BODY)
    backwards["terms"][1]["end"] = "2024-12-31"
    assert put("2024-25", CALENDAR_BODY).status_code == 200

    assert field_of(put("2024-25", backwards)) == "terms[1].end"
    assert field_of(put("2024-25", {**CALENDAR_BODY, "closures": ["15/11/2024"]})) == "closures[0]"
    assert field_of(put("2025-26", {**CALENDAR_BODY, "terms": []})) == "start"  # overlaps 2024-25
    assert field_of(put("2024x", CALENDAR_BODY)) == "schoolYear"
    assert client.put("/api/calendars/2024-25", params={"schoolId": "nowhere"}, json=CALENDAR_BODY,
                      headers=admin).status_code == 404


# --- code mappings ---------------------------------------------------------------------------------

def test_code_mappings_are_validated_against_the_schools_table_and_replaced(client, admin, school):  # type: ignore[no-untyped-def]
    def put(mappings: dict[str, str]) -> Any:
        return client.put("/api/code-mappings", params={"schoolId": school}, json={"mappings": mappings},
                          headers=admin)

    first = put({"A99": "I", "LOCAL-LATE": "l"})
    assert first.status_code == 200
    assert first.json() == {"jurisdiction": "ENG", "mappings": {"A99": "I", "LOCAL-LATE": "L"}}
    assert field_of(put({"A99": "I", "B7": "H"})) == "mappings.B7"  # H was removed in 2024

    put({"A99": "M"})

    got = client.get("/api/code-mappings", params={"schoolId": school}, headers=admin).json()
    assert got["mappings"] == {"A99": "M"}


# --- roster import ---------------------------------------------------------------------------------

def test_import_stores_students_with_guardians_and_rejects_bad_records(client, admin, school):  # type: ignore[no-untyped-def]
    bad = student("B2")
    del bad["surname"]

    response = client.post("/api/roster/import", params={"schoolId": school},
                           json=payload(student("A1"), bad, student("C3", year="8")), headers=admin)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["created"], body["updated"], body["unchanged"]) == (2, 2, 0, 0)
    assert body["rejected"] == [{"index": 1, "id": "B2", "field": "surname", "reason": "is required"}]
    listed = client.get("/api/students", params={"schoolId": school}, headers=admin).json()["items"]
    assert [s["studentId"] for s in listed] == ["A1", "C3"]
    first = client.get("/api/students", params={"schoolId": school, "limit": 1}, headers=admin).json()
    second = client.get("/api/students", params={"schoolId": school, "limit": 1,
                                                 "continuationToken": first["continuationToken"]},
                        headers=admin).json()
    assert [s["studentId"] for s in first["items"] + second["items"]] == ["A1", "C3"]
    assert field_of(client.get("/api/students", params={"schoolId": school, "continuationToken": "x"},
                               headers=admin)) == "continuationToken"
    year8 = client.get("/api/students", params={"schoolId": school, "yearGroup": "8"}, headers=admin)
    assert [s["studentId"] for s in year8.json()["items"]] == ["C3"]
    detail = client.get("/api/students/A1", params={"schoolId": school}, headers=admin).json()
    assert (detail["surname"], detail["enrolmentStart"], detail["registrationClass"]) == (
        "Murphy", "2022-09-01", "7B")
    assert [(g["guardianId"], g["priority"], g["relationship"], g["preferredLanguage"])
            for g in detail["guardians"]] == [("A1-c0", 1, "Mother", "pl"), ("A1-c1", 2, "Mother", "pl")]
    assert detail["guardians"][0]["address"]["postcode"] == "T12 X1Y2"
    assert client.get("/api/students/B2", params={"schoolId": school}, headers=admin).status_code == 404


def test_reimport_changes_only_what_changed(client, admin, school, app_container, tenant):  # type: ignore[no-untyped-def]
    def post(*students: dict[str, Any]) -> dict[str, Any]:
        response = client.post("/api/roster/import", params={"schoolId": school}, json=payload(*students),
                               headers=admin)
        assert response.status_code == 200, response.text
        return response.json()
    post(student("A1"), student("A2"))
    tags, before = etags(app_container, tenant, school), writes(app_container)

    same = post(student("A1"), student("A2"))

    assert (same["created"], same["updated"], same["unchanged"]) == (0, 0, 2)
    assert writes(app_container) == before  # not even an audit record
    assert etags(app_container, tenant, school) == tags

    changed = post(student("A1", surname="Walsh"), student("A2"))

    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 1)
    after = etags(app_container, tenant, school)
    assert after["A1"] != tags["A1"] and after["A2"] == tags["A2"]
    actions = [r.action for r in app_container.platform.audit.list(tenant)[0]]
    assert actions.count("roster.imported") == 2


def test_a_thousand_students_import_in_batched_transactions(client, admin, school, app_container):  # type: ignore[no-untyped-def]
    counter = app_container.platform.tables.counter
    trips, kinds = counter.round_trips, dict(counter.by_kind)

    response = client.post("/api/roster/import", params={"schoolId": school},
                           json=payload(*(student(f"S{i:04d}") for i in range(1000))), headers=admin)

    assert response.status_code == 200 and response.json()["created"] == 1000
    transactions = counter.by_kind["transaction"] - kinds.get("transaction", 0)
    # 1,000 students, 2,000 guardians, 2,000 links: 100 rows a transaction
    assert transactions == math.ceil(1000 / BATCH_LIMIT) + 2 * math.ceil(2000 / BATCH_LIMIT)
    assert counter.round_trips - trips <= transactions + 10  # reads: a school, three empty scans


def test_the_roster_reader_returns_what_was_stored(client, admin, school, app_container, tenant):  # type: ignore[no-untyped-def]
    params = {"schoolId": school}
    client.put("/api/calendars/2024-25", params=params, json=CALENDAR_BODY, headers=admin)
    client.put("/api/code-mappings", params=params, json={"mappings": {"A99": "I"}}, headers=admin)
    client.post("/api/roster/import", params=params, json=payload(student("A1"), student("A2")),
                headers=admin)
    reader = app_container.roster.reader

    assert reader.school(tenant, school).jurisdiction.value == "ENG"
    assert {(s.tenant_id, s.school_id) for s in reader.all_schools()} >= {(tenant, school)}
    assert reader.calendar_for(tenant, school, date(2025, 3, 3)).school_year == "2024-25"
    with pytest.raises(NotFound):
        reader.calendar_for(tenant, school, date(2025, 8, 1))
    assert sorted(s.student_id for s in reader.students(tenant, school)) == ["A1", "A2"]
    assert reader.code_mapping(tenant, school) == {"A99": "I"}
    with pytest.raises(NotFound):
        reader.school(tenant, "s9")


def test_another_tenants_admin_sees_nothing(client, admin, school, mint, tenant):  # type: ignore[no-untyped-def]
    params = {"schoolId": school}
    client.put("/api/calendars/2024-25", params=params, json=CALENDAR_BODY, headers=admin)
    client.put("/api/code-mappings", params=params, json={"mappings": {"A99": "I"}}, headers=admin)
    client.post("/api/roster/import", params=params, json=payload(student("A1")), headers=admin)
    other = mint("DistrictAdmin", tenant + "-other")

    assert client.get("/api/schools", headers=other).json()["items"] == []
    assert client.get("/api/schools/s1", headers=other).status_code == 404
    assert client.get("/api/calendars", params=params, headers=other).json()["items"] == []
    assert client.get("/api/calendars/2024-25", params=params, headers=other).status_code == 404
    assert client.get("/api/code-mappings", params=params, headers=other).json()["mappings"] == {}
    assert client.get("/api/students", params=params, headers=other).json()["items"] == []
    assert client.get("/api/students/A1", params=params, headers=other).status_code == 404
    assert client.post("/api/roster/import", params=params, json=payload(student("A1")),
                       headers=other).status_code == 404
