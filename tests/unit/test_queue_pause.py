"""A queued action of an instance paused under a medical plan: the queue lists it with the date
the pause lasts to, approving it is refused (409) until then, and skipping it (less action) is
still allowed; once the nightly resumes the instance, the item shows no pause and approves."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.ladder.model import InvalidTransition
from domain.ladder.pause import pause
from services.interventions.effects import Collected
from services.interventions.queue import StaffCommand
from tests.unit.test_scheduler import FIFTEENTH, S, T, World, officer

REVIEW = date(2024, 10, 4)


def paused_world() -> World:
    world = World()
    world.night(FIFTEENTH)
    item = world.item("absent")
    instance = world.store.instance(T, S, item.instance_id)
    moved = pause(instance, on=FIFTEENTH, until=REVIEW, reason="medical plan agreed")
    found = Collected("absent", world.store.case(T, S, "absent"))
    found.add(moved.instance, moved.events, item.template_key, on=FIFTEENTH, now=world.clock.now())
    change = found.change()
    assert change is not None and not world.store.save(T, S, [change])
    return world


def test_the_queue_shows_a_paused_item_and_refuses_to_approve_it() -> None:
    world = paused_world()
    item = world.item("absent")
    assert (item.status, item.paused_until) == ("QUEUED", REVIEW)
    with pytest.raises(InvalidTransition, match="paused under a medical plan until 2024-10-04") as refused:
        world.queue.act(officer(), T, S, item.id, StaffCommand.APPROVE)
    assert refused.value.status == 409 and world.letters == [] and world.audit.records == []
    skipped = world.queue.act(officer(), T, S, item.id, StaffCommand.SKIP, reason="not now")
    assert skipped.status == "SKIPPED"


def test_after_the_review_date_the_night_resumes_it_and_approving_works() -> None:
    world = paused_world()
    after = date(2024, 10, 7)  # the Monday after the review date
    world.night(after)
    item = world.item("absent")
    assert item.paused_until is None
    world.clock.at = datetime(2024, 10, 7, 17, tzinfo=UTC)
    assert world.queue.act(officer(), T, S, item.id, StaffCommand.APPROVE).status == "APPROVED"
