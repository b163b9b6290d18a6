"""`make run`'s letters on a small demo school: the demo officer approves the queue's letter
actions, the local host renders them (letter-jobs queue) and delivers them (blob trigger) to a
real local SMTP server writing .eml files; the ladder records LETTER_SENT. A second pass sends
nothing more."""

from __future__ import annotations

from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest

from devhost import demo as demo_loader
from devhost import demo_letters
from domain.ladder.model import ActionState
from domain.letters.artifacts import ArtifactStatus
from settings import Settings
from tests.e2e.demo_school import demo_school

THROUGH = date(2025, 9, 26)


@pytest.fixture(scope="module")
def sent(settings: Settings, app_container, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """(Needs `app_container` first, so the container put back afterwards is the session's.)"""
    with demo_school(settings, tmp_path_factory.mktemp("mail"), seed=11, tenant_id="demo-e2e-letters",
                     students=60, through=THROUGH) as rig:
        container, host, district = rig.container, rig.host, rig.district
        demo_loader.run_interventions(container, district, report=lambda _: None)
        queue = container.interventions.queue.due("demo-e2e-letters", "demo-s1", None)
        lines: list[str] = []
        at = host.fire_time("nightly", rig.run_date) + timedelta(hours=7)
        demo_letters.send_letters(host, at, district, report=lines.append)
        received = rig.inbox.received
        again: list[str] = []
        demo_letters.send_letters(host, at, district, report=again.append)
        yield container, queue, lines, again, received, rig.inbox, rig.folder


def test_the_approved_letters_are_rendered_and_emailed(sent):  # type: ignore[no-untyped-def]
    container, queue, lines, _, received, _, folder = sent
    letters = [item for item in queue if item.stage_type.is_letter]
    assert letters, "the demo school should have letter actions waiting"
    assert lines[0].startswith(f"demo-s1: {len(letters)} letter actions approved now")
    artifacts = [a for item in letters for a in container.letters.artifact_store.for_stage(
        "demo-e2e-letters", "demo-s1", item.instance_id, item.stage_order)]
    assert len(artifacts) >= len(letters)
    assert all(a.status is ArtifactStatus.DELIVERED or a.guardian_unreachable for a in artifacts), \
        [(a.status, a.failure_reason) for a in artifacts]
    emails = sorted(folder.glob("*.eml"))
    assert received > 0 and len(emails) == received
    message = message_from_bytes(emails[0].read_bytes(), policy=policy.default)
    [pdf] = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]  # type: ignore[attr-defined]
    assert pdf.get_content().startswith(b"%PDF")


def test_a_sent_letter_moves_the_ladder_on(sent):  # type: ignore[no-untyped-def]
    container, queue, _, _, _, _, _ = sent
    item = next(i for i in queue if i.stage_type.is_letter)
    instance = container.interventions.store.instance("demo-e2e-letters", "demo-s1", item.instance_id)
    stage = container.letters.artifact_store.for_stage("demo-e2e-letters", "demo-s1", item.instance_id,
                                                       item.stage_order)
    if all(a.status is ArtifactStatus.DELIVERED for a in stage):
        assert instance.action is ActionState.DONE
    else:  # a guardian without e-mail or address: the stage waits for staff
        assert instance.action is ActionState.APPROVED


def test_a_second_pass_sends_nothing_more(sent):  # type: ignore[no-untyped-def]
    _, _, lines, again, received, inbox, _ = sent
    assert again[0].startswith("demo-s1: 0 letter actions approved now")
    assert again[0].split("now;")[1] == lines[0].split("now;")[1]
    assert inbox.received == received
