"""No lost letter jobs: an APPROVED letter action whose job was never sent (the process died
between the commit and the queue send) gets its job again from the nightly once the approval is
older than the grace period; a letter already sent (LETTER_SENT, action DONE) does not, and the
job is keyed on the action id so the letters service can drop a duplicate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.ladder_transitions import mark_done
from services.intervention_ports import StudentChange
from services.intervention_queue import StaffCommand
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
    assert "letterJobsResent" not in world.scheduler.run(*T_S, FIFTEENTH).counters
    world.clock.at += timedelta(minutes=30)
    assert world.scheduler.run(*T_S, FIFTEENTH).counters["letterJobsResent"] == 1
    assert len(world.letters) == 1


def test_a_sent_letter_is_not_sent_again() -> None:
    world = World()
    approved_but_lost(world)
    [instance] = world.store.instances(*T_S)
    done, events = mark_done(instance, on=FIFTEENTH, data={"via": "letters"})  # the letters service
    assert world.store.save(*T_S, [StudentChange("absent", ((done, events),))]) == []
    counters = world.night(NEXT)
    assert "letterJobsResent" not in counters and world.letters == []
