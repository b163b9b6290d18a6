"""The nightly sweep of stranded letters, on Azurite with a real local SMTP server: a letter whose
sender died after claiming it (SENDING past the lease) and a letter whose blob event was lost
(RENDERED for over an hour) are delivered by the school's night, once; a fresh claim and a fresh
render are left to the delivery that is on its way; the sweep reads the school's artifacts in one
query."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.letters.artifacts import ArtifactStatus, LetterArtifact
from services.letters.sweep import LetterSweep
from tests.integration.test_letter_delivery import inbox, letters, render_and_artifact, seed

pytestmark = pytest.mark.integration
__all__ = ["inbox", "letters"]  # fixtures used by name below
NIGHT = date(2024, 10, 7)


def age(container: Any, artifact: LetterArtifact, **changes: Any) -> LetterArtifact:
    return container.letters.artifact_store.replace(replace(artifact, **changes))


def night(container: Any, tenant: str) -> dict[str, int]:
    """The school's nightly run (no rule sets here: the sweep runs all the same)."""
    return container.nightly.service.run(tenant, "s1", NIGHT).counters


@pytest.mark.parametrize("stranded", ["SENDING", "RENDERED"])
def test_a_stranded_letter_is_delivered_by_the_night_once(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox, stranded):
    container, job = letters
    seed(client, admin, "email")
    artifact = render_and_artifact(container, job)
    now = datetime.now(UTC)
    if stranded == "SENDING":  # claimed 11 minutes ago by a process that died (lease: 10)
        age(container, artifact, status=ArtifactStatus.SENDING, sending_since=now - timedelta(minutes=11))
    else:  # rendered 2 hours ago, its blob event never came
        age(container, artifact, generated_at=now - timedelta(hours=2))

    first = night(container, tenant)
    second = night(container, tenant)

    assert first["strandedLettersDelivered"] == 1
    assert "strandedLettersDelivered" not in second and "strandedLettersFailed" not in second
    [message] = inbox[0].messages
    assert message["To"] == "parent@example.org"
    after = container.letters.artifact_store.get(tenant, "s1", artifact.id)
    assert after.status is ArtifactStatus.DELIVERED and after.sending_since is None
    records, _ = container.platform.audit.list(tenant, entity_id=artifact.id)
    assert [r.action for r in records if r.action == "letter.sent"] == ["letter.sent"]


@pytest.mark.parametrize("fresh", ["SENDING", "RENDERED"])
def test_a_letter_whose_delivery_is_on_its_way_is_left_alone(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox, fresh):
    container, job = letters
    seed(client, admin, "email")
    artifact = render_and_artifact(container, job)
    now = datetime.now(UTC)
    if fresh == "SENDING":  # claimed a minute ago: its sender may still be at work
        age(container, artifact, status=ArtifactStatus.SENDING, sending_since=now - timedelta(minutes=1))
    else:  # rendered ten minutes ago: the blob event may still be queued
        age(container, artifact, generated_at=now - timedelta(minutes=10))

    counters = night(container, tenant)

    assert "strandedLettersDelivered" not in counters
    assert inbox[0].messages == []
    assert container.letters.artifact_store.get(tenant, "s1", artifact.id).status.value == fresh


def test_an_unreachable_guardians_letter_is_left_to_staff(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    seed(client, admin, "email")
    artifact = render_and_artifact(container, job)
    age(container, artifact, generated_at=datetime.now(UTC) - timedelta(hours=2), guardian_unreachable=True)
    delivered: list[str] = []
    sweep = LetterSweep(container.letters.artifact_store, lambda p: delivered.append(p) or artifact,
                        container.platform.clock)

    assert sweep.run(tenant, "s1").redelivered == 0
    assert delivered == []


def test_the_sweep_reads_the_school_in_one_query_and_survives_a_failing_delivery(  # type: ignore[no-untyped-def]
        client, admin, tenant, letters, inbox):
    container, job = letters
    seed(client, admin, "email")
    artifact = render_and_artifact(container, job)
    age(container, artifact, generated_at=datetime.now(UTC) - timedelta(hours=2))

    def broken(path: str) -> LetterArtifact:
        raise ConnectionError("smtp down")

    counter = container.letters.artifact_store._table.counter
    before = dict(counter.by_kind)
    result = LetterSweep(container.letters.artifact_store, broken, container.platform.clock).run(tenant, "s1")

    assert (result.redelivered, result.failed) == (0, 1)
    assert counter.by_kind.get("query", 0) - before.get("query", 0) == 1
    assert counter.round_trips - sum(before.values()) == 1
    assert container.letters.artifact_store.get(tenant, "s1", artifact.id).status is ArtifactStatus.RENDERED
