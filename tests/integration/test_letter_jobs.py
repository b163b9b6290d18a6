"""Letter jobs on Azurite: a job for an approved LETTER_1 instance renders a real PDF into the
`letters` container (SHA-256 in its metadata) and a `letterartifacts` row; a redelivery adds
nothing; the API lists the artifact and streams the same bytes; a tampered blob is refused with
409 and an audit record, whether or not the tamperer also rewrote the blob's own hash."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import pytest
from azure.functions import QueueMessage

from domain.platform.paths import LETTERS
from services.interventions.ports import StudentChange
from tests.fakes_letters import FakeMerge, FakeTemplates, letter_instance, letter_item, template
from tests.integration.test_attendance_api import function
from tests.roster_payloads import CALENDAR_BODY, SCHOOL_BODY, payload, student

pytestmark = pytest.mark.integration


@pytest.fixture
def job(client, admin, tenant, app_container):  # type: ignore[no-untyped-def]
    """s1 with student st1 (two guardians with parental responsibility at home, Polish-speaking),
    an ACTIVE LETTER_1 instance with its action APPROVED, and English templates only."""
    assert client.put("/api/schools/s1", json=SCHOOL_BODY, headers=admin).status_code == 201
    params = {"schoolId": "s1"}
    calendar = client.put("/api/calendars/2024-25", params=params, json=CALENDAR_BODY, headers=admin)
    assert calendar.status_code == 200
    imported = client.post("/api/roster/import", params=params, json=payload(student("st1")), headers=admin)
    assert imported.status_code == 200, imported.text
    instance = letter_instance(tenant_id=tenant)
    item = letter_item(instance)
    assert app_container.interventions.store.save(tenant, "s1", [StudentChange("st1", ((instance, ()),),
                                                                               (item,))]) == []
    # fakes on the session container for this test only: the renderer built from them is
    # dropped afterwards, so later tests on this worker get the real sources again
    letters = app_container.letters
    wired = ("templates", "merge", "renderer")
    saved = {name: letters.__dict__.pop(name) for name in wired if name in letters.__dict__}
    app_container.letters.templates = FakeTemplates(template("en"))
    app_container.letters.merge = FakeMerge()
    yield {"tenantId": tenant, "schoolId": "s1", "instanceId": instance.id, "stageOrder": 1,
           "actionId": item.id, "correlationId": "c-letters"}
    for name in wired:
        letters.__dict__.pop(name, None)
    letters.__dict__.update(saved)


def render(body: dict[str, Any]) -> None:
    function("render_letter")(QueueMessage(body=json.dumps(body).encode()))


def listed(client: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = client.get("/api/letters/artifacts", params={"schoolId": "s1", "studentId": "st1"},
                        headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_a_job_renders_a_hashed_pdf_once_and_the_api_streams_it(client, mint, tenant, job,  # type: ignore[no-untyped-def]
                                                                app_container):
    render(job)
    render(job)  # redelivered
    teacher = mint("Teacher", tenant, ["s1"])
    [item] = listed(client, teacher)
    assert (item["status"], item["guardianId"], item["language"], item["missingTranslation"]) == (
        "RENDERED", "st1-c0", "en", "pl")
    artifact = app_container.letters.artifact_store.get(tenant, "s1", item["id"])
    blob = app_container.platform.blob_service.get_blob_client(LETTERS, artifact.storage_path)
    stored = blob.download_blob().readall()
    assert stored.startswith(b"%PDF") and hashlib.sha256(stored).hexdigest() == item["contentHash"]
    assert blob.get_blob_properties().metadata["sha256"] == item["contentHash"]
    assert len(list(app_container.platform.blobs.list_paths(LETTERS, f"{tenant}/"))) == 1
    pdf = client.get(f"/api/letters/artifacts/{item['id']}", params={"schoolId": "s1"}, headers=teacher)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content == stored
    snapshot = json.loads(artifact.merge_data)
    assert date.fromisoformat(snapshot["letter_date"]) == app_container.platform.clock.now().date()


@pytest.mark.parametrize("rewrite_hash", [False, True])
def test_a_tampered_pdf_is_refused_and_audited(client, mint, tenant, job, app_container,  # type: ignore[no-untyped-def]
                                               rewrite_hash):
    render(job)
    admin = mint("SchoolAdmin", tenant, ["s1"])
    [item] = listed(client, admin)
    artifact = app_container.letters.artifact_store.get(tenant, "s1", item["id"])
    blob = app_container.platform.blob_service.get_blob_client(LETTERS, artifact.storage_path)
    forged = blob.download_blob().readall().replace(b"G-", b"X-", 1) + b"\n"
    metadata = dict(blob.get_blob_properties().metadata)
    if rewrite_hash:  # the forger also fixed the blob's own hash: the artifact row still knows
        metadata["sha256"] = hashlib.sha256(forged).hexdigest()
    blob.upload_blob(forged, overwrite=True, metadata=metadata)
    refused = client.get(f"/api/letters/artifacts/{item['id']}", params={"schoolId": "s1"}, headers=admin)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert forged not in refused.content
    records, _ = app_container.platform.audit.list(tenant, entity_id=item["id"])
    assert [r.action for r in records if r.action == "letter.integrity_failed"] == ["letter.integrity_failed"]


def test_a_job_for_a_moved_on_instance_renders_nothing(client, mint, tenant, job, app_container):  # type: ignore[no-untyped-def]
    render({**job, "stageOrder": 2})
    assert listed(client, mint("SchoolAdmin", tenant, ["s1"])) == []
    assert list(app_container.platform.blobs.list_paths(LETTERS, f"{tenant}/")) == []
