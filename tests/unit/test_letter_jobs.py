"""The letter renderer with fakes: recipients, language fallback, idempotent redelivery, stale
jobs skipped, and FAILED after the 5th attempt."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from domain.ladder.model import ActionState, InstanceStatus
from domain.letters.artifacts import ArtifactStatus
from services.letters.job import MAX_ATTEMPTS
from services.letters.recipients import recipients
from tests.fakes_letters import FakeTemplates, fake_pdf, link, template
from tests.fakes_letters import RendererWorld as World


def test_a_job_renders_one_pdf_and_one_artifact_per_recipient() -> None:
    world = World()
    [artifact] = world.renderer.handle(world.job)
    assert artifact.status is ArtifactStatus.RENDERED
    data = world.blobs.blobs[("letters", artifact.storage_path)]
    html = data.decode()[len("%PDF eng-letter-1 v1 "):]
    assert fake_pdf(html, title="eng-letter-1 v1").sha256 == artifact.content_hash
    assert "G-g1" in data.decode() and '"letter_date":"2024-09-23"' in artifact.merge_data


def test_a_redelivered_job_creates_nothing_new() -> None:
    world = World()
    first = world.renderer.handle(world.job)
    world.clock.at = datetime(2024, 9, 30, tzinfo=UTC)  # a week later: the snapshot, not the clock, decides
    again = world.renderer.handle(world.job)
    assert [a.id for a in again] == [a.id for a in first] and len(world.artifacts.rows) == 1
    assert world.blobs.puts == 1 and world.actions().count("letter.rendered") == 1


def test_a_pending_artifact_is_rerendered_to_the_same_bytes() -> None:
    world = World()
    [artifact] = world.renderer.handle(world.job)
    stored = world.blobs.blobs[("letters", artifact.storage_path)]
    world.artifacts.rows[artifact.id] = world.artifacts.rows[artifact.id].failed("crash", 1)  # not done
    world.clock.at = datetime(2024, 10, 30, tzinfo=UTC)
    [again] = world.renderer.handle(world.job)
    assert again.status is ArtifactStatus.RENDERED and again.content_hash == artifact.content_hash
    assert world.blobs.blobs[("letters", artifact.storage_path)] == stored


@pytest.mark.parametrize(("change", "reason"), [
    ({"status": InstanceStatus.STOPPED}, "STOPPED"), ({"stage_order": 2}, "stage 2"),
    ({"action": ActionState.DONE}, "DONE")])
def test_a_stale_job_is_skipped_and_says_why(change, reason) -> None:  # type: ignore[no-untyped-def]
    world = World(**change)
    assert world.renderer.handle(world.job) == []
    assert not world.artifacts.rows and not world.blobs.blobs
    [record] = world.audit.records
    assert record.action == "letter.skipped" and reason in record.after["reason"]


def test_failures_before_the_fifth_leave_no_failed_row_the_fifth_marks_it_failed() -> None:
    world = World(templates=FakeTemplates())  # no approved template at all
    for attempt in range(1, MAX_ATTEMPTS):
        with pytest.raises(Exception, match="no approved template"):
            world.renderer.handle(world.job, attempt)
    assert not world.artifacts.rows
    with pytest.raises(Exception, match="no approved template"):
        world.renderer.handle(world.job, MAX_ATTEMPTS)
    [failed] = world.artifacts.rows.values()
    assert failed.status is ArtifactStatus.FAILED and "no approved template" in failed.failure_reason
    assert failed.attempts == MAX_ATTEMPTS and "letter.failed" in world.actions()


def test_a_render_failure_on_the_fifth_attempt_fails_the_planned_artifact() -> None:
    world = World()
    world.renderer._pdf = lambda html, title="": (_ for _ in ()).throw(RuntimeError("pdf broke"))  # type: ignore[assignment]
    with pytest.raises(RuntimeError):
        world.renderer.handle(world.job, MAX_ATTEMPTS)
    [failed] = world.artifacts.rows.values()
    assert failed.status is ArtifactStatus.FAILED and failed.guardian_id == "g1"
    assert failed.failure_reason == "RuntimeError: pdf broke"


def test_missing_translation_falls_back_to_the_school_language() -> None:
    both = FakeTemplates(template("en"), template("ga"))
    world = World(links=[link("g1", 1, language="pl")], templates=both)
    [artifact] = world.renderer.handle(world.job)
    assert artifact.language == "en" and artifact.missing_translation == "pl"
    world2 = World(links=[link("g1", 1, language="ga")], templates=both)
    [translated] = world2.renderer.handle(world2.job)
    assert translated.language == "ga" and translated.missing_translation is None


def test_a_job_reads_the_templates_once_for_all_its_letters() -> None:
    templates = FakeTemplates(template("en"))  # g1 falls back from Polish: a second lookup
    world = World(links=[link("g1", 1, language="pl"), link("g2", 2, lives=False)], templates=templates)
    assert len(world.renderer.handle(world.job)) == 2
    assert templates.reads == 1


def test_recipients_priority_one_with_responsibility_and_other_households() -> None:
    links = [link("a", 1, pr=False), link("b", 2), link("c", 3, lives=True), link("d", 4, lives=False),
             link("e", 5, pr=False, lives=False)]
    assert [g.guardian_id for g in recipients(links)] == ["b", "d"]
    assert [g.guardian_id for g in recipients([link("x", 2, pr=False), link("y", 1, pr=False)])] == ["y"]
    assert recipients([]) == []


def test_a_redelivered_job_whose_letters_went_out_meanwhile_is_not_audited_as_skipped() -> None:
    """Its first attempt failed after the PDF was stored (storage went away), the blob trigger sent
    the letter and the stage is DONE before the job comes back: nothing was skipped."""
    world = World()
    [artifact] = world.renderer.handle(world.job)
    world.artifacts.rows[artifact.id] = replace(world.artifacts.rows[artifact.id],
                                                status=ArtifactStatus.DELIVERED)
    world.store.instance_rows[world.instance.id] = replace(world.instance, action=ActionState.DONE)
    records = len(world.audit.records)
    assert world.renderer.handle(world.job) == []
    assert len(world.audit.records) == records and world.blobs.puts == 1
