"""Kept originals on Azurite with the real PDF renderer and a real local SMTP server: a school
that asks for it (`keepSourceLetter` through the school API) gets a Polish-speaking guardian's
letter and its English original rendered and linked, and one e-mail carrying both PDFs (their text
in the two languages); posted, the original follows its letter in the day's print batch. With
the flag off there is one PDF as before. A redelivered job or blob event adds nothing."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from azure.functions import QueueMessage
from pypdf import PdfReader

from domain.letters.artifacts import ArtifactStatus, LetterArtifact
from domain.platform.paths import LETTERS
from services.interventions.ports import StudentChange
from tests.fakes_letters import BODY, FakeTemplates, letter_instance, letter_item, template
from tests.integration import test_letter_delivery as delivery
from tests.integration.test_attendance_api import function
from tests.integration.test_letter_delivery import blob_event, seed
from tests.roster_payloads import SCHOOL_BODY

pytestmark = pytest.mark.integration
inbox, letters = delivery.inbox, delivery.letters  # that module's fixtures, used here too
POLISH = replace(template("pl"), body=BODY.replace("Dear", "Szanowni Państwo"))


def text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def render(container: Any, job: dict[str, Any], keep: bool, client: Any, admin: dict[str, str],
           preference: str = "email") -> list[LetterArtifact]:
    """Seed the school (keeping originals when `keep`), a Polish-speaking guardian and the
    approved instance, then run the letter job twice (the second a redelivery)."""
    container.letters.templates = FakeTemplates(template("en"), POLISH)
    seed(client, admin, preference)  # the guardian prefers Polish
    school = client.put("/api/schools/s1", json={**SCHOOL_BODY, "keepSourceLetter": keep}, headers=admin)
    assert school.status_code == 200 and school.json()["keepSourceLetter"] is keep
    instance = letter_instance(tenant_id=job["tenantId"])
    assert container.interventions.store.save(job["tenantId"], "s1", [StudentChange(
        "st1", ((instance, ()),), (letter_item(instance),))]) == []
    for _ in range(2):
        function("render_letter")(QueueMessage(body=json.dumps(job).encode()))
    made = container.letters.artifact_store.for_student(job["tenantId"], "s1", "st1")
    assert all(a.status is ArtifactStatus.RENDERED for a in made)
    return sorted(made, key=lambda a: a.companion_of is not None)  # the letter first


def test_one_email_carries_the_letter_and_its_original(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    letter, kept = render(container, job, True, client, admin)
    assert (letter.language, kept.language, kept.companion_of) == ("pl", "en", letter.id)

    listed = client.get("/api/letters/artifacts", params={"schoolId": "s1", "studentId": "st1"},
                        headers=admin).json()["items"]
    assert {a["id"]: a["companionOf"] for a in listed} == {letter.id: None, kept.id: letter.id}

    for path in (kept.storage_path, letter.storage_path, letter.storage_path, kept.storage_path):
        blob_event(path)  # the original's own events, and the letter's twice

    [message] = inbox[0].messages
    first, second = message.iter_attachments()
    assert (first.get_filename(), second.get_filename()) == ("letter.pdf", "letter-en.pdf")
    assert first.get_content_type() == second.get_content_type() == "application/pdf"
    assert first.get_content() == container.platform.blobs.get(LETTERS, letter.storage_path)
    assert second.get_content() == container.platform.blobs.get(LETTERS, kept.storage_path)
    assert "Szanowni Państwo" in text(first.get_content()) and "Dear" not in text(first.get_content())
    assert "Dear" in text(second.get_content())
    stored = {a.id: a for a in container.letters.artifact_store.for_student(tenant, "s1", "st1")}
    assert {a.status for a in stored.values()} == {ArtifactStatus.DELIVERED} and len(stored) == 2
    assert stored[kept.id].channel == "EMAIL"


def test_without_the_flag_one_pdf_goes_as_before(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    [letter] = render(container, job, False, client, admin)
    blob_event(letter.storage_path)

    [message] = inbox[0].messages
    [attachment] = message.iter_attachments()
    assert letter.language == "pl" and "Szanowni Państwo" in text(attachment.get_content())


def test_a_posted_original_follows_its_letter_in_the_print_batch(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    letter, kept = render(container, job, True, client, admin, preference="post")
    for path in (letter.storage_path, kept.storage_path, letter.storage_path):
        blob_event(path)

    after = container.letters.artifact_store.get(tenant, "s1", letter.id)
    assert after.status is ArtifactStatus.DELIVERED and after.delivered_at is not None
    day = after.delivered_at.astimezone(ZoneInfo("Europe/London")).date().isoformat()
    params = {"schoolId": "s1"}
    built = client.post(f"/api/letters/print-batches/{day}", params=params, headers=admin)
    assert built.status_code == 200 and built.json()["letters"] == 2
    manifest = client.get(f"/api/letters/print-batches/{day}/csv", params=params, headers=admin)
    header, *rows = list(csv.reader(io.StringIO(manifest.content.decode("utf-8"))))
    entries = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(e["artifact_id"], e["companion_of"]) for e in entries] == [(letter.id, ""), (kept.id, letter.id)]
    assert entries[0]["name"] == entries[1]["name"]  # one envelope
    pdf = client.get(f"/api/letters/print-batches/{day}/pdf", params=params, headers=admin).content
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert "Szanowni Państwo" in pages[0] and "Dear" in pages[-1]
    assert inbox[0].messages == []
