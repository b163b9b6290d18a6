"""A letter whose PDF was deleted from storage while its artifact row remains is an integrity
failure like altered bytes, on Azurite through the HTTP API and the blob-trigger handler: the
download answers a 409 problem (audited), the delivery marks the letter FAILED (audited) and sends
nothing, and the print batch refuses to build (409, audited). No answer names a storage path."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.letters.artifacts import ArtifactStatus
from domain.platform.paths import LETTERS
from tests.integration import test_letter_delivery as delivery
from tests.integration.test_letter_delivery import blob_event, render_and_artifact, seed

pytestmark = pytest.mark.integration
inbox, letters = delivery.inbox, delivery.letters  # that module's fixtures, used here too
S1 = {"schoolId": "s1"}


def delete_pdf(container: Any, path: str) -> None:
    container.platform.blob_service.get_blob_client(LETTERS, path).delete_blob()


def actions(container: Any, tenant: str, entity_id: str) -> list[str]:
    records, _ = container.platform.audit.list(tenant, entity_id=entity_id)
    return sorted(r.action for r in records if r.action != "letter.rendered")


def assert_integrity_problem(response: Any, path: str) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = response.json()["detail"]
    assert "missing" in detail and "/" not in detail and path not in response.text, detail


def test_a_deleted_pdf_is_refused_on_download_and_not_delivered(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    seed(client, admin, "email")
    artifact = render_and_artifact(container, job)
    delete_pdf(container, artifact.storage_path)

    download = client.get(f"/api/letters/artifacts/{artifact.id}", params=S1, headers=admin)

    assert_integrity_problem(download, artifact.storage_path)
    assert actions(container, tenant, artifact.id) == ["letter.integrity_failed"]

    blob_event(artifact.storage_path)  # a delivery for it (a late or replayed event)

    assert inbox[0].messages == []
    after = container.letters.artifact_store.get(tenant, "s1", artifact.id)
    assert after.status is ArtifactStatus.FAILED and "missing" in (after.failure_reason or "")
    assert artifact.storage_path not in (after.failure_reason or "")
    assert actions(container, tenant, artifact.id) == ["letter.delivery-failed", "letter.integrity_failed"]


def test_a_posted_letter_deleted_before_the_batch_stops_the_build(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    seed(client, admin, "post")
    artifact = render_and_artifact(container, job)
    blob_event(artifact.storage_path)
    posted = container.letters.artifact_store.get(tenant, "s1", artifact.id)
    assert posted.status is ArtifactStatus.DELIVERED and posted.delivered_at is not None
    day = posted.delivered_at.astimezone(ZoneInfo("Europe/London")).date().isoformat()
    delete_pdf(container, artifact.storage_path)

    built = client.post(f"/api/letters/print-batches/{day}", params=S1, headers=admin)

    assert_integrity_problem(built, artifact.storage_path)
    assert "letter.integrity_failed" in actions(container, tenant, artifact.id)
    assert client.get(f"/api/letters/print-batches/{day}", params=S1, headers=admin).status_code == 404
