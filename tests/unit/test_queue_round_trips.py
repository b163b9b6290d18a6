"""Storage round trips of staff approvals (services/interventions/queue.py and
services/interventions/batch.py): approving a letter reads no case (nor the queue item
the caller already has); a batch reads the queue and instances once, writes every student in one save, says
per item why one was not approved, and audits each approval as a single approval does."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from domain.casework.cases import OPEN_ITEM
from domain.ladder.model import ActionState
from domain.platform.errors import ValidationFailed
from services.interventions.batch import CHANGED_MEANWHILE, BatchApproval
from services.interventions.queue import StaffCommand
from tests.unit.test_scheduler import ALWAYS, FIFTEENTH, S, T, World, officer, year


class Counted:
    """Counts calls of the named store methods."""

    def __init__(self, world: World, *names: str) -> None:
        self.calls = dict.fromkeys(names, 0)
        for name in names:
            inner = getattr(world.store, name)

            def counted(*a: Any, _name: str = name, _inner: Any = inner, **kw: Any) -> Any:
                self.calls[_name] += 1
                return _inner(*a, **kw)
            setattr(world.store, name, counted)


def two_students_queued() -> World:
    world = World()
    world.summaries.rows["absent2"] = year("absent2", ALWAYS)
    world.night(FIFTEENTH)
    return world


def batch(world: World) -> BatchApproval:
    return BatchApproval(world.store, world.queue, world.clock, world.letters.append)


def test_approving_letters_reads_no_case_and_no_item_the_caller_has() -> None:
    world = two_students_queued()
    counted = Counted(world, "case", "queue_item")
    before = world.roster.trips.by_kind["school"]
    items = world.queue.due(T, S, None)
    assert len(items) == 2
    for item in items:
        world.queue.act(officer(), T, S, item.id, StaffCommand.APPROVE, item=item)
    assert world.roster.trips.by_kind["school"] - before == len(items)  # the date, in its zone
    assert counted.calls == {"case": 0, "queue_item": 0}  # the caller had the items
    assert len(world.letters) == 2 and len(world.audit.records) == 2


def test_a_batch_approves_in_one_read_of_queue_and_instances() -> None:
    world = two_students_queued()
    ids = [i.id for i in world.queue.due(T, S, None)]
    counted = Counted(world, "queue", "instances", "instance", "queue_item", "case", "cases")
    saves = world.store.saves
    outcomes = batch(world).approve(officer(), T, S, [*ids, ids[0], "no-such-action"])
    assert [(o.action_id, o.approved, o.reason) for o in outcomes] == [
        (ids[0], True, None), (ids[1], True, None), ("no-such-action", False, "no such action")]
    assert counted.calls == {"queue": 1, "instances": 1, "instance": 0, "queue_item": 0, "case": 0,
                             "cases": 0}
    assert world.store.saves - saves == 2  # the fake writes one transaction per student
    assert {o.item.status for o in outcomes if o.item} == {ActionState.APPROVED.value}
    assert sorted(j["actionId"] for j in world.letters) == sorted(ids)
    assert sorted(r.entity_id for r in world.audit.records) == sorted(ids)
    assert {r.action for r in world.audit.records} == {"interventions.queue.approve"}


def test_a_second_batch_finds_them_approved_and_changes_nothing() -> None:
    world = two_students_queued()
    ids = [i.id for i in world.queue.due(T, S, None)]
    batch(world).approve(officer(), T, S, ids)
    world.letters.clear()
    again = batch(world).approve(officer(), T, S, ids)
    assert [o.approved for o in again] == [False, False]
    assert all(o.reason and "no longer waiting" not in o.reason for o in again)  # refused by the table
    assert world.letters == [] and len(world.audit.records) == 2


def test_an_item_changed_while_the_batch_was_saved_is_a_conflict_untouched() -> None:
    world = two_students_queued()
    ids = [i.id for i in world.queue.due(T, S, None)]
    instances = world.store.instances

    def stale(tenant_id: str, school_id: str) -> list[Any]:
        found = instances(tenant_id, school_id)
        first = world.store.items[ids[0]].instance_id
        # someone else writes the first student's instance after the batch read it
        world.store.instance_rows[first] = replace(world.store.instance_rows[first], etag="changed")
        return found
    world.store.instances = stale  # type: ignore[method-assign]
    outcomes = batch(world).approve(officer(), T, S, ids)
    assert [(o.approved, o.reason) for o in outcomes] == [(False, CHANGED_MEANWHILE), (True, None)]
    assert world.store.items[ids[0]].status == OPEN_ITEM
    assert [j["actionId"] for j in world.letters] == [ids[1]]
    assert [r.entity_id for r in world.audit.records] == [ids[1]]


@pytest.mark.parametrize("ids", [[], [f"a{n}" for n in range(101)]])
def test_a_batch_takes_one_to_a_hundred_ids(ids: list[str]) -> None:
    with pytest.raises(ValidationFailed) as raised:
        batch(World()).approve(officer(), T, S, ids)
    assert raised.value.field == "actionIds"
