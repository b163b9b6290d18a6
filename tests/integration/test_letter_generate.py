"""`POST /api/letters/generate` on Azurite with the real PDF renderer: an APPROVED letter stage
is rendered now (a repeat returns the same artifacts and creates nothing) and audited; a DONE one
returns its letters; a letter not yet approved, a meeting stage and a skipped action are 409; a
student with no active intervention is 404; a missing studentId is a 422 naming the field."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from domain.ladder.model import ActionState, InstanceStatus
from domain.letters.artifacts import ArtifactStatus
from domain.rules.ruleset import StageType
from services.interventions.ports import StudentChange
from tests.fakes_letters import letter_instance, letter_item
from tests.integration import test_letter_delivery as delivery
from tests.integration.test_letter_delivery import seed

pytestmark = pytest.mark.integration
inbox, letters = delivery.inbox, delivery.letters  # that module's fixtures, used here too
URL = "/api/letters/generate"


def save(container: Any, tenant: str, **kw: Any) -> None:
    instance = letter_instance(tenant_id=tenant, **kw)
    assert container.interventions.store.save(tenant, "s1", [StudentChange(
        "st1", ((instance, ()),), (letter_item(instance),))]) == []


def generate(client: Any, admin: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post(URL, params={"schoolId": "s1"}, json=body, headers=admin)


def test_an_approved_letter_is_rendered_now_and_once(client, admin, tenant, letters):  # type: ignore[no-untyped-def]
    container, _ = letters
    seed(client, admin, "email")
    save(container, tenant)

    first = generate(client, admin, {"studentId": "st1"})
    second = generate(client, admin, {"studentId": "st1", "instanceId": "i1"})

    assert first.status_code == second.status_code == 200, first.text
    [item] = first.json()["items"]
    assert item["status"] == "RENDERED" and item["contentHash"]
    assert second.json()["items"] == first.json()["items"]
    [stored] = container.letters.artifact_store.for_student(tenant, "s1", "st1")
    assert stored.id == item["id"] and stored.status is ArtifactStatus.RENDERED
    assert container.platform.blobs.get("letters", stored.storage_path).startswith(b"%PDF")
    records, _ = container.platform.audit.list(tenant, entity_id="i1")
    assert [r.action for r in records].count("letter.generate") == 2


def test_a_done_letter_returns_the_letters_already_made(client, admin, tenant, letters):  # type: ignore[no-untyped-def]
    container, _ = letters
    seed(client, admin, "email")
    save(container, tenant)
    made = generate(client, admin, {"studentId": "st1"}).json()["items"]
    stored = container.interventions.store.instance(tenant, "s1", "i1")
    done = replace(stored, action=ActionState.DONE)  # as the delivery's mark_done leaves it
    assert container.interventions.store.save(tenant, "s1", [StudentChange("st1", ((done, ()),), ())]) == []

    again = generate(client, admin, {"studentId": "st1"})

    assert again.status_code == 200 and again.json()["items"] == made


@pytest.mark.parametrize(("kw", "words"), [
    ({"action": ActionState.DUE}, "approve it in the queue first"),
    ({"action": ActionState.QUEUED}, "approve it in the queue first"),
    ({"stage_type": StageType.MEETING}, "not a letter"),
    ({"action": ActionState.SKIPPED}, "SKIPPED"),
])
def test_a_letter_that_cannot_be_rendered_now_is_a_conflict(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, kw, words):
    container, _ = letters
    seed(client, admin, "email")
    save(container, tenant, **kw)

    refused = generate(client, admin, {"studentId": "st1"})

    assert refused.status_code == 409
    assert words in refused.json()["detail"]
    assert container.letters.artifact_store.for_student(tenant, "s1", "st1") == []


def test_no_active_intervention_is_not_found(client, admin, tenant, letters):  # type: ignore[no-untyped-def]
    container, _ = letters
    seed(client, admin, "email")
    save(container, tenant, status=InstanceStatus.STOPPED)

    assert generate(client, admin, {"studentId": "st1"}).status_code == 404
    assert generate(client, admin, {"studentId": "nobody"}).status_code == 404


def test_a_body_without_student_id_names_the_field(client, admin, letters):  # type: ignore[no-untyped-def]
    refused = generate(client, admin, {})

    assert refused.status_code == 422
    assert "studentId" in refused.text
