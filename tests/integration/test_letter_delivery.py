"""Letter delivery on Azurite with a real local SMTP server (aiosmtpd): a rendered letter's blob
event e-mails the PDF (the same bytes) to the guardian, marks the artifact DELIVERED and the
stage's action DONE with a LETTER_SENT event on an intact chain; a second event for the same blob
sends nothing; a tampered blob is never sent; a POST-preference guardian's letter joins the
print batch; a guardian with no usable contact is flagged unreachable (audited once) and nothing is sent."""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from azure.functions import QueueMessage
from azure.functions.blob import InputStream

import bootstrap
from domain.ladder.events import EventKind, verify_chain
from domain.ladder.model import ActionState
from domain.letters.artifacts import ArtifactStatus, LetterArtifact
from domain.platform.paths import LETTERS
from services.interventions.ports import StudentChange
from tests.fakes_letters import FakeMerge, FakeTemplates, letter_instance, letter_item, template
from tests.integration.test_attendance_api import function
from tests.roster_payloads import CALENDAR_BODY, SCHOOL_BODY, payload, student

pytestmark = pytest.mark.integration


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def seed(client: Any, admin: dict[str, str], preference: str | None,
         reachable: bool = True) -> dict[str, Any]:
    """s1 with st1, whose priority-1 guardian (the only recipient) states `preference`;
    unless `reachable`, that guardian has no e-mail and no postal address on file."""
    assert client.put("/api/schools/s1", json=SCHOOL_BODY, headers=admin).status_code == 201
    params = {"schoolId": "s1"}
    assert client.put("/api/calendars/2024-25", params=params, json=CALENDAR_BODY,
                      headers=admin).status_code == 200
    pupil = student("st1")
    if preference:
        pupil["contacts"]["data"][0]["contact_preference"] = preference
    if not reachable:
        details = pupil["contacts"]["data"][0]["contact_details"]["data"]
        details["emails"], details["addresses"] = {}, {}
    imported = client.post("/api/roster/import", params=params, json=payload(pupil), headers=admin)
    assert imported.status_code == 200, imported.text
    return pupil


@pytest.fixture
def letters(settings, client, admin, tenant, app_container, inbox):  # type: ignore[no-untyped-def]
    """A container of this test's own (SMTP at `inbox`, fake template and merge data), installed
    as the app's container for the test only, and an approved LETTER_1 instance."""
    _, port = inbox
    own = bootstrap.Composition(settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_use_tls": False}))
    own.letters.templates = FakeTemplates(template("en"))  # type: ignore[misc]
    own.letters.merge = FakeMerge()  # type: ignore[misc]
    previous = bootstrap.composition()
    bootstrap.use_composition(own)
    instance = letter_instance(tenant_id=tenant)
    item = letter_item(instance)
    yield own, {"tenantId": tenant, "schoolId": "s1", "instanceId": instance.id, "stageOrder": 1,
                "actionId": item.id}
    bootstrap.use_composition(previous)


def render_and_artifact(container: Any, job: dict[str, Any]) -> LetterArtifact:
    instance = letter_instance(tenant_id=job["tenantId"])
    assert container.interventions.store.save(job["tenantId"], "s1", [StudentChange(
        "st1", ((instance, ()),), (letter_item(instance),))]) == []
    function("render_letter")(QueueMessage(body=json.dumps(job).encode()))
    [artifact] = container.letters.artifact_store.for_student(job["tenantId"], "s1", "st1")
    assert artifact.status is ArtifactStatus.RENDERED
    return artifact


def blob_event(path: str) -> None:
    function("deliver_letter")(InputStream(data=b"", name=f"{LETTERS}/{path}"))


def test_an_email_letter_is_sent_once_with_its_pdf_and_the_stage_is_done(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    seed(client, admin, "email")
    artifact = render_and_artifact(container, job)
    stored = container.platform.blobs.get(LETTERS, artifact.storage_path)

    blob_event(artifact.storage_path)
    instance = container.interventions.store.instance(tenant, "s1", job["instanceId"])
    assert instance.action is ActionState.DONE  # by the delivery itself, not by a later event
    blob_event(artifact.storage_path)  # the same blob's event again

    [message] = inbox[0].messages
    assert message["To"] == "parent@example.org"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == stored
    after = container.letters.artifact_store.get(tenant, "s1", artifact.id)
    assert after.status is ArtifactStatus.DELIVERED and after.delivered_at is not None
    instance = container.interventions.store.instance(tenant, "s1", job["instanceId"])
    assert instance.action is ActionState.DONE
    events = container.interventions.store.events(tenant, "s1", instance.id)
    assert [e.kind for e in events] == [EventKind.LETTER_SENT]
    assert verify_chain(events, head=instance.last_hash) is None
    assert container.interventions.store.queue_item(tenant, "s1", job["actionId"]).status == "DONE"
    records, _ = container.platform.audit.list(tenant, entity_id=artifact.id)
    assert [r.action for r in records if r.action == "letter.sent"] == ["letter.sent"]


@pytest.mark.parametrize("rewrite_hash", [False, True])
def test_a_tampered_blob_is_not_sent(client, admin, tenant, letters, inbox,  # type: ignore[no-untyped-def]
                                     rewrite_hash):
    container, job = letters
    seed(client, admin, "email")
    artifact = render_and_artifact(container, job)
    blob = container.platform.blob_service.get_blob_client(LETTERS, artifact.storage_path)
    forged = blob.download_blob().readall() + b"\n% altered"
    metadata = dict(blob.get_blob_properties().metadata)
    if rewrite_hash:  # the blob's own hash fixed too: the artifact row still knows
        metadata["sha256"] = hashlib.sha256(forged).hexdigest()
    blob.upload_blob(forged, overwrite=True, metadata=metadata)

    blob_event(artifact.storage_path)

    assert inbox[0].messages == []
    after = container.letters.artifact_store.get(tenant, "s1", artifact.id)
    assert after.status is ArtifactStatus.FAILED and after.failure_reason
    records, _ = container.platform.audit.list(tenant, entity_id=artifact.id)
    assert "letter.delivery-failed" in [r.action for r in records]
    instance = container.interventions.store.instance(tenant, "s1", job["instanceId"])
    assert instance.action is ActionState.APPROVED


def test_a_post_preference_letter_joins_the_print_batch(client, admin, tenant, letters, inbox):  # type: ignore[no-untyped-def]
    container, job = letters
    seed(client, admin, "post")
    artifact = render_and_artifact(container, job)

    blob_event(artifact.storage_path)

    assert inbox[0].messages == []  # posted, not e-mailed (tests/integration/test_letter_post.py)
    after = container.letters.artifact_store.get(tenant, "s1", artifact.id)
    assert after.status is ArtifactStatus.DELIVERED and after.channel == "POST"
    instance = container.interventions.store.instance(tenant, "s1", job["instanceId"])
    assert instance.action is ActionState.DONE


def test_a_guardian_with_no_usable_contact_is_flagged_unreachable(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    seed(client, admin, "email", reachable=False)
    artifact = render_and_artifact(container, job)

    blob_event(artifact.storage_path)
    blob_event(artifact.storage_path)

    assert inbox[0].messages == []
    after = container.letters.artifact_store.get(tenant, "s1", artifact.id)
    assert after.status is ArtifactStatus.RENDERED and after.guardian_unreachable
    records, _ = container.platform.audit.list(tenant, entity_id=artifact.id)
    flagged = [r.action for r in records if r.action == "letter.guardian-unreachable"]
    assert flagged == ["letter.guardian-unreachable"]
