"""Delivery claims and post, on Azurite through the real blob-trigger handler and the HTTP API,
with the real local SMTP server: two deliveries racing for one blob send one e-mail; a fresh
SENDING claim is respected and a stale one taken over; a failed send gives its claim back; a
posted letter joins the day's print batch (one row however often it is delivered), whose merged
PDF and CSV manifest are built deterministically, downloaded hash-checked, and refused when
altered; EMAIL_AND_POST goes both ways."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from azure.functions import QueueMessage
from pypdf import PdfReader

from adapters.smtp import SmtpMailer
from domain.ladder.model import ActionState
from domain.letters.artifacts import ArtifactStatus
from domain.platform.paths import PRINT_BATCHES
from services.letters.delivery import LetterDelivery
from services.letters.printing.schedule import PrintBatchRequest
from tests.integration import test_letter_delivery as delivery
from tests.integration.test_attendance_api import function
from tests.integration.test_letter_delivery import blob_event, free_port, render_and_artifact, seed

pytestmark = pytest.mark.integration
inbox, letters = delivery.inbox, delivery.letters  # that module's fixtures, used here too


class RacingRoster:
    """The roster, but each delivery waits at the guardian lookup (after reading the artifact,
    before claiming it) until both have read it: the two claims then race on one ETag."""

    def __init__(self, roster: Any, parties: int) -> None:
        self._roster, self._barrier = roster, threading.Barrier(parties, timeout=20)

    def school(self, tenant_id: str, school_id: str) -> Any:
        return self._roster.school(tenant_id, school_id)

    def student_detail(self, tenant_id: str, school_id: str, student_id: str) -> Any:
        detail = self._roster.student_detail(tenant_id, school_id, student_id)
        self._barrier.wait()
        return detail


def racing(container: Any) -> None:
    p = container.platform
    container.letters.delivery = LetterDelivery(
        container.letters.artifact_store, p.blobs, RacingRoster(container.roster.store, 2),
        container.interventions.store, p.mailer, p.audit, p.clock, container.letters.print_batch_store)


def sent_channels(container: Any, tenant: str, artifact_id: str) -> list[str]:
    records, _ = container.platform.audit.list(tenant, entity_id=artifact_id)
    return sorted(r.after["channel"] for r in records if r.action == "letter.sent")


def test_two_deliveries_racing_for_one_blob_send_one_email(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    seed(client, admin, "email")
    artifact = render_and_artifact(container, job)
    racing(container)
    errors: list[BaseException] = []

    def event() -> None:
        try:
            blob_event(artifact.storage_path)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=event) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert errors == []  # the loser sends nothing and does not fail
    assert len(inbox[0].messages) == 1
    after = container.letters.artifact_store.get(tenant, "s1", artifact.id)
    assert after.status is ArtifactStatus.DELIVERED and after.channel == "EMAIL"
    assert sent_channels(container, tenant, artifact.id) == ["EMAIL"]
    assert container.interventions.store.instance(tenant, "s1", job["instanceId"]).action is ActionState.DONE


@pytest.mark.parametrize(("age", "sends"), [(timedelta(minutes=2), 0), (timedelta(minutes=11), 1)])
def test_a_fresh_claim_is_respected_and_a_stale_one_taken_over(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox, age, sends):
    container, job = letters
    seed(client, admin, "email")
    artifact = render_and_artifact(container, job)
    # a delivery claimed it `age` ago and (for the stale one) died before sending
    container.letters.artifact_store.replace(artifact.sending(datetime.now(UTC) - age))

    blob_event(artifact.storage_path)

    assert len(inbox[0].messages) == sends
    after = container.letters.artifact_store.get(tenant, "s1", artifact.id)
    assert after.status is (ArtifactStatus.DELIVERED if sends else ArtifactStatus.SENDING)


def test_a_failed_send_gives_the_claim_back_for_the_retry(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    seed(client, admin, "email")
    artifact = render_and_artifact(container, job)
    working = container.platform.mailer
    container.platform.mailer = SmtpMailer("127.0.0.1", free_port(), "letters@example.org", use_tls=False)
    container.letters.__dict__.pop("delivery", None)  # rebuilt with the mailer nobody answers

    with pytest.raises(ConnectionRefusedError):
        blob_event(artifact.storage_path)
    assert container.letters.artifact_store.get(tenant, "s1", artifact.id).status is ArtifactStatus.RENDERED

    container.platform.mailer = working
    container.letters.__dict__.pop("delivery", None)
    blob_event(artifact.storage_path)  # the host's retry
    assert len(inbox[0].messages) == 1


def batch_url(day: str) -> str:
    return f"/api/letters/print-batches/{day}"


def test_a_posted_letter_is_batched_built_and_downloaded_hash_checked(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    seed(client, admin, "post")
    artifact = render_and_artifact(container, job)
    blob_event(artifact.storage_path)
    blob_event(artifact.storage_path)  # again: still one row, one audit

    after = container.letters.artifact_store.get(tenant, "s1", artifact.id)
    assert after.status is ArtifactStatus.DELIVERED and after.channel == "POST"
    assert sent_channels(container, tenant, artifact.id) == ["POST"]
    assert after.delivered_at is not None
    posted = after.delivered_at.astimezone(ZoneInfo("Europe/London")).date()  # the school's day
    day = posted.isoformat()
    rows = container.letters.print_batch_store.entries(tenant, "s1", posted)
    assert [r.artifact_id for r in rows] == [artifact.id]
    params = {"schoolId": "s1"}

    assert client.get(batch_url(day), params=params, headers=admin).status_code == 404  # not built
    built = client.post(batch_url(day), params=params, headers=admin)
    assert built.status_code == 200, built.text
    assert built.json()["letters"] == 1 and built.json()["pages"] >= 1
    pdf = client.get(batch_url(day) + "/pdf", params=params, headers=admin)
    manifest = client.get(batch_url(day) + "/csv", params=params, headers=admin)
    assert pdf.status_code == manifest.status_code == 200
    letter = container.platform.blobs.get("letters", artifact.storage_path)
    assert PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text() == (
        PdfReader(io.BytesIO(letter)).pages[0].extract_text())
    [header, line] = list(csv.reader(io.StringIO(manifest.content.decode("utf-8"))))
    entry = dict(zip(header, line, strict=True))
    assert entry["artifact_id"] == artifact.id and entry["student_id"] == "st1"
    assert entry["address_line_1"] and "T12 X1Y2" in line and entry["content_hash"] == artifact.content_hash
    assert (entry["first_page"], entry["last_page"]) == ("1", str(built.json()["pages"]))

    again = client.post(batch_url(day), params=params, headers=admin).json()
    assert (again["pdfSha256"], again["csvSha256"]) == (built.json()["pdfSha256"], built.json()["csvSha256"])
    assert client.get(batch_url(day), params=params, headers=admin).json()["letters"] == 1

    # an altered batch is refused on download, with an audit record
    path = container.letters.print_batches.batch(tenant, "s1", posted).pdf_path
    container.platform.blobs.put_mutable(PRINT_BATCHES, path, pdf.content + b"\n% altered",
                                         content_type="application/pdf")
    refused = client.get(batch_url(day) + "/pdf", params=params, headers=admin)
    assert refused.status_code == 409
    records, _ = container.platform.audit.list(tenant, entity_id=day)
    assert "letter.integrity_failed" in [r.action for r in records]


def test_email_and_post_goes_both_ways(client, admin, tenant, letters, inbox):  # type: ignore[no-untyped-def]
    container, job = letters
    seed(client, admin, "email_and_post")
    artifact = render_and_artifact(container, job)

    blob_event(artifact.storage_path)

    assert len(inbox[0].messages) == 1
    after = container.letters.artifact_store.get(tenant, "s1", artifact.id)
    assert after.status is ArtifactStatus.DELIVERED and after.channel == "EMAIL_AND_POST"
    assert sent_channels(container, tenant, artifact.id) == ["EMAIL", "POST"]


def test_the_print_batch_queue_message_builds_the_day_once(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    seed(client, admin, "post")
    artifact = render_and_artifact(container, job)
    blob_event(artifact.storage_path)
    after = container.letters.artifact_store.get(tenant, "s1", artifact.id)
    assert after.delivered_at is not None
    posted = after.delivered_at.astimezone(ZoneInfo("Europe/London")).date()
    message = PrintBatchRequest(tenant, "s1", posted).body()

    function("build_print_batch")(QueueMessage(body=json.dumps(message).encode()))
    function("build_print_batch")(QueueMessage(body=json.dumps(message).encode()))  # redelivered

    batch = container.letters.print_batches.batch(tenant, "s1", posted)
    assert batch.letters == 1
    assert container.platform.blobs.get(PRINT_BATCHES, batch.csv_path).startswith(b"artifact_id,")
    records, _ = container.platform.audit.list(tenant, entity_id=posted.isoformat())
    assert [r.action for r in records].count("letter.print-batch-built") == 1  # the repeat was skipped
