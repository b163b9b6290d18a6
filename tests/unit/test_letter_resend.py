"""No lost letter jobs: an APPROVED letter action whose job was never sent (the process died
between the commit and the queue send) gets its job again from the nightly once the approval is
older than the grace period; a letter already sent (LETTER_SENT, action DONE) does not, and the
job is keyed on the action id so the letters service can drop a duplicate."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from domain.ladder.transitions import mark_done
from domain.letters.artifacts import ArtifactStatus, LetterArtifact
from services.interventions.effects import letter_job
from services.interventions.ports import StudentChange
from services.interventions.queue import StaffCommand
from services.letters.resend import RESEND_AFTER, resend_lost_letter_jobs
from services.letters.sweep import SweepResult, rendered_actions
from tests.fakes_interventions import FakeRuleSets, nightly
from tests.unit.test_scheduler import FIFTEENTH, S, T, World, officer

NEXT = date(2024, 9, 23)
T_S = (T, S)


def approved_but_lost(world: World) -> str:
    """Letter 1 approved by staff at 17:00 on the 15th, its job lost on the way."""
    world.night(FIFTEENTH)
    item = world.item("absent")
    world.queue.act(officer(), T, S, item.id, StaffCommand.APPROVE)
    world.letters.clear()  # the send never happened
    return item.id


def test_the_next_night_sends_the_lost_job_again_keyed_on_the_action() -> None:
    world = World()
    action = approved_but_lost(world)
    counters = world.night(NEXT)
    assert counters["letterJobsResent"] == 1
    [job] = world.letters
    assert job["actionId"] == action and job["stageOrder"] == 1


def test_a_re_run_minutes_after_the_approval_waits_for_the_grace_period() -> None:
    world = World()
    approved_but_lost(world)
    world.clock.at = datetime(2024, 9, 20, 17, 10, tzinfo=UTC)  # ten minutes after approving
    assert "letterJobsResent" not in world.nightly.run(*T_S, FIFTEENTH).counters
    world.clock.at += timedelta(minutes=30)
    assert world.nightly.run(*T_S, FIFTEENTH).counters["letterJobsResent"] == 1
    assert len(world.letters) == 1


def test_a_sent_letter_is_not_sent_again() -> None:
    world = World()
    approved_but_lost(world)
    [instance] = world.store.instances(*T_S)
    done, events = mark_done(instance, on=FIFTEENTH, data={"via": "letters"})  # the letters service
    assert world.store.save(*T_S, [StudentChange("absent", ((done, events),))]) == []
    counters = world.night(NEXT)
    assert "letterJobsResent" not in counters and world.letters == []


def test_the_approval_time_is_on_the_instance_so_no_events_are_read() -> None:
    world = World()
    approved_but_lost(world)
    [instance] = world.store.instances(*T_S)
    assert (instance.approved_on, instance.approved_at) == (FIFTEENTH, datetime(2024, 9, 20, 17, tzinfo=UTC))
    reads: list[str] = []
    events = world.store.events
    world.store.events = lambda *a: reads.append(a[2]) or events(*a)  # type: ignore[method-assign]
    assert world.night(NEXT)["letterJobsResent"] == 1
    assert reads == []


def test_a_row_stored_before_the_approval_time_was_kept_reads_its_events() -> None:
    world = World()
    approved_but_lost(world)
    [instance] = world.store.instances(*T_S)
    world.store.instance_rows[instance.id] = replace(instance, approved_on=None, approved_at=None)
    assert world.night(NEXT)["letterJobsResent"] == 1


def test_an_action_whose_letters_are_all_rendered_is_not_sent_again() -> None:
    world = World()
    action = approved_but_lost(world)
    [instance] = world.store.instances(*T_S)
    sent: list[dict[str, object]] = []
    assert resend_lost_letter_jobs(world.store, sent.append, [instance], day=NEXT, now=world.clock.now()
                                   + RESEND_AFTER, rendered={action}) == 0
    assert resend_lost_letter_jobs(world.store, sent.append, [instance], day=NEXT, now=world.clock.now()
                                   + RESEND_AFTER, rendered={"another"}) == 1
    assert sent == [letter_job(instance)]


def test_the_sweep_names_the_actions_with_nothing_left_to_render() -> None:
    base = LetterArtifact(id="a", tenant_id=T, school_id=S, student_id="st", instance_id="i", stage_order=1,
                          action_id="all-rendered", template_key="LETTER_1", template_version=1,
                          guardian_id="g1", language="en", status=ArtifactStatus.RENDERED,
                          generated_at=datetime(2024, 9, 20, tzinfo=UTC))
    undelivered = [base, replace(base, id="b", status=ArtifactStatus.SENDING),
                   replace(base, id="c", action_id="one-pending"),
                   replace(base, id="d", action_id="one-pending", status=ArtifactStatus.PENDING),
                   replace(base, id="e", action_id="failed", status=ArtifactStatus.FAILED)]
    assert rendered_actions(undelivered) == {"all-rendered"}


def test_the_nightly_takes_the_rendered_actions_from_the_letter_sweep() -> None:
    world = World()
    action = approved_but_lost(world)
    world.nightly = nightly(FakeRuleSets(world.rule_set), world.roster, world.summaries, world.store,
                            world.clock, world.letters.append,
                            sweep_letters=lambda t, s: SweepResult(rendered=frozenset({action})))
    assert "letterJobsResent" not in world.night(NEXT) and world.letters == []
