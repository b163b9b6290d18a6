"""Letter templates through HTTP on Azurite: create, edit (If-Match), approve by someone else, and
the renderer then sends the newly approved version; a school override refused where the district
locks the key; stale and missing If-Match; a draft's preview watermarked DRAFT (with sample
values and with a real student's data); template injection inert; machine-translated drafts
shown as such and approved like any draft."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from typing import Any

import pytest
from azure.functions import QueueMessage
from pypdf import PdfReader

from domain.letters.templates import TemplateStatus
from domain.platform.paths import LETTERS
from services.interventions.ports import StudentChange
from tests.fakes_letters import letter_instance, letter_item
from tests.integration.test_attendance_api import function
from tests.integration.test_letter_sources import classmate, container, st1_history  # noqa: F401
from tests.roster_payloads import CALENDAR_BODY, SCHOOL_BODY, payload, student

pytestmark = pytest.mark.integration
TEMPLATES = "/api/letters/templates"
KEY = "brigid-letter-1"
FIELDS = {"guardianName": {"type": "string"}, "studentFirstName": {"type": "string"},
          "absenceDays": {"type": "number"}}
BODY = ("<html><body><p>Dear {{ guardianName }},</p><p>{{ studentFirstName }} has missed "
        "{{ absenceDays }} days.</p><p>WORDING-ONE</p></body></html>")


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def people(mint, tenant):  # type: ignore[no-untyped-def]
    return {"ann": mint("DistrictAdmin", tenant, subject="ann"),
            "bob": mint("DistrictAdmin", tenant, subject="bob"),
            "head": mint("SchoolAdmin", tenant, ["s1"], subject="head-s1")}


@pytest.fixture
def school(client, admin, container, tenant):  # type: ignore[no-untyped-def]  # noqa: F811
    assert client.put("/api/schools/s1", json=SCHOOL_BODY, headers=admin).status_code == 201
    params = {"schoolId": "s1"}
    assert client.put("/api/calendars/2024-25", params=params, json=CALENDAR_BODY,
                      headers=admin).status_code == 200
    imported = client.post("/api/roster/import", params=params, headers=admin,
                           json=payload(student("st1"), student("st2"), student("st3")))
    assert imported.status_code == 200, imported.text
    history = st1_history()
    latest = history[-1]
    container.attendance.summary_store.write(tenant, "s1", [
        *history, classmate("st2", 2, latest.school_day_index, latest.totals.possible_sessions),
        classmate("st3", 4, latest.school_day_index, latest.totals.possible_sessions)])
    return container


def create(client: Any, headers: dict[str, str], body: dict[str, Any], **params: str) -> Any:
    return client.post(TEMPLATES, json=body, params=params, headers=headers)


def test_create_edit_approve_by_another_then_letters_use_the_new_version(  # type: ignore[no-untyped-def]
        client, people, school, tenant):
    made = create(client, people["ann"], {"key": KEY, "language": "en", "body": BODY, "mergeFields": FIELDS})
    assert made.status_code == 201, made.text
    assert (made.json()["version"], made.json()["status"], made.json()["starter"]) == (1, "DRAFT", False)
    v2_body = BODY.replace("WORDING-ONE", "WORDING-TWO")
    edited = client.put(f"{TEMPLATES}/{KEY}", params={"language": "en"}, json={"body": v2_body},
                        headers={**people["ann"], "If-Match": made.headers["ETag"]})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["version"], edited.json()["mergeFields"]) == (2, {
        name: {**spec, "required": True} for name, spec in FIELDS.items()})
    approve = f"{TEMPLATES}/{KEY}/versions/2/approve"
    refused = client.post(approve, params={"language": "en"}, headers=people["ann"])
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "approvedBy"
    approved = client.post(approve, params={"language": "en"}, headers=people["bob"])
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["approvedBy"]) == ("APPROVED", "bob")
    listed = client.get(TEMPLATES, params={"key": KEY, "schoolId": "s1"}, headers=people["head"]).json()
    assert [(i["version"], i["status"]) for i in listed["items"]] == [(1, "DRAFT"), (2, "APPROVED")]

    instance = letter_instance(tenant_id=tenant, stage_evidence=("6 days missed",))
    item = letter_item(instance, key=KEY)
    change = StudentChange("st1", ((instance, ()),), (item,))
    assert school.interventions.store.save(tenant, "s1", [change]) == []
    function("render_letter")(QueueMessage(body=json.dumps({
        "tenantId": tenant, "schoolId": "s1", "instanceId": instance.id, "stageOrder": 1,
        "actionId": item.id}).encode()))
    [artifact] = school.letters.artifact_store.for_student(tenant, "s1", "st1")
    assert (artifact.status.value, artifact.template_key, artifact.template_version) == ("RENDERED", KEY, 2)
    text = text_of(school.platform.blobs.get(LETTERS, artifact.storage_path))
    assert "WORDING-TWO" in text and "WORDING-ONE" not in text and "Sean" in text


def test_a_school_override_is_refused_where_the_district_locks_the_key(client, people, school):  # type: ignore[no-untyped-def]
    locked = create(client, people["ann"], {"key": KEY, "language": "en", "body": BODY, "mergeFields": FIELDS,
                                            "lockScope": "DISTRICT_ONLY"})
    assert locked.status_code == 201, locked.text
    assert client.post(f"{TEMPLATES}/{KEY}/versions/1/approve", params={"language": "en"},
                       headers=people["bob"]).status_code == 200
    refused = create(client, people["head"], {"key": KEY, "language": "en"}, schoolId="s1", override="true")
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "lockScope"
    district = create(client, people["head"], {"key": "mine", "language": "en", "body": BODY,
                                               "mergeFields": FIELDS}, schoolId="s1")
    assert district.status_code == 403  # district templates are the district admins'
    allowed = create(client, people["head"], {"key": "eng-attendance-letter-1", "language": "en"},
                     schoolId="s1", override="true")
    assert allowed.status_code == 201, allowed.text
    assert (allowed.json()["schoolId"], allowed.json()["version"]) == ("s1", 2)


def test_an_edit_needs_the_latest_etag(client, people, school):  # type: ignore[no-untyped-def]
    url = f"{TEMPLATES}/eng-attendance-letter-1"
    starter = client.get(f"{url}/versions/1", params={"language": "en", "schoolId": "s1"},
                         headers=people["head"])
    assert starter.status_code == 200 and starter.json()["starter"] is True
    change = {"effectiveFrom": "2024-11-01"}
    assert client.put(url, params={"language": "en"}, json=change, headers=people["ann"]).status_code == 428
    first = client.put(url, params={"language": "en"}, json=change,
                       headers={**people["ann"], "If-Match": starter.headers["ETag"]})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.put(url, params={"language": "en"}, json=change,
                       headers={**people["bob"], "If-Match": starter.headers["ETag"]})
    assert stale.status_code == 412, stale.text


def test_a_drafts_preview_is_watermarked_with_samples_or_a_real_students_data(  # type: ignore[no-untyped-def]
        client, people, school, tenant):
    assert create(client, people["ann"], {"key": KEY, "language": "en", "body": BODY,
                                          "mergeFields": FIELDS}).status_code == 201
    preview = f"{TEMPLATES}/{KEY}/versions/1/preview"
    sample = client.post(preview, params={"language": "en"}, headers=people["ann"])
    assert sample.status_code == 200 and sample.headers["content-type"] == "application/pdf"
    assert "DRAFT" in text_of(sample.content) and "Sam has missed 8.5 days" in text_of(sample.content)
    at_s1 = {"language": "en", "schoolId": "s1"}
    no_intervention = client.post(preview, params=at_s1, json={"studentId": "st1"}, headers=people["ann"])
    assert no_intervention.status_code == 422 and no_intervention.json()["errors"][0]["field"] == "studentId"
    instance = letter_instance(tenant_id=tenant)
    change = StudentChange("st1", ((instance, ()),), (letter_item(instance, key=KEY),))
    assert school.interventions.store.save(tenant, "s1", [change]) == []
    real = client.post(preview, params=at_s1, json={"studentId": "st1"}, headers=people["head"])
    assert real.status_code == 200, real.text
    assert "DRAFT" in text_of(real.content) and "Sean has missed" in text_of(real.content)
    missing = client.post(preview, params={"language": "en"}, json={"mergeData": {"guardianName": "x"}},
                          headers=people["ann"])
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "absenceDays, studentFirstName"


def test_template_injection_stays_inert(client, people, school):  # type: ignore[no-untyped-def]
    escape = create(client, people["ann"], {"key": KEY, "language": "en", "mergeFields": FIELDS,
                                            "body": "<p>{{ ''.__class__.__mro__ }}</p>"})
    assert escape.status_code == 422 and escape.json()["errors"][0]["field"] == "body"
    scripted = create(client, people["ann"], {
        "key": KEY, "language": "en", "mergeFields": FIELDS,
        "body": "<html><body><script>alert('x')</script><p>Dear {{ guardianName }}</p></body></html>"})
    assert scripted.status_code == 201, scripted.text
    values = {"guardianName": "{{ ''.__class__ }}<b>bold</b>", "studentFirstName": "x", "absenceDays": 1}
    pdf = client.post(f"{TEMPLATES}/{KEY}/versions/1/preview", params={"language": "en"},
                      headers=people["ann"], json={"mergeData": values})
    assert pdf.status_code == 200, pdf.text
    assert b"/JavaScript" not in pdf.content and b"/JS" not in pdf.content
    assert "Dear {{ ''.__class__ }}<b>bold</b>" in text_of(pdf.content)


def test_a_machine_translated_draft_shows_its_provenance_and_is_approved_like_any_draft(  # type: ignore[no-untyped-def]
        client, people, school, tenant):
    starter = next(t for t in school.letters.template_catalog.for_school(tenant, "s1")
                   if (t.key, t.language) == ("eng-attendance-letter-1", "en"))
    school.letters.template_store.insert(tenant, replace(
        starter, language="pl", version=1, status=TemplateStatus.DRAFT, approved_by=None, approved_at=None,
        last_edited_by="machine-translator", machine_translated=True, translated_from="en v1"))
    polish = {"language": "pl", "schoolId": "s1"}
    [listed] = client.get(TEMPLATES, params=polish, headers=people["head"]).json()["items"]
    assert (listed["machineTranslated"], listed["translatedFrom"]) == (True, "en v1")
    assert listed["status"] == "DRAFT"
    approved = client.post(f"{TEMPLATES}/eng-attendance-letter-1/versions/1/approve", params=polish,
                           headers=people["ann"])
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["machineTranslated"]) == ("APPROVED", True)
