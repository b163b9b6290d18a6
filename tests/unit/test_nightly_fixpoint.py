"""A night is a fixpoint: the pass that enters a stage agrees with the stage's own stop and
escalation conditions, so a second run of the same night finds nothing to do (issue 11, item 1).

Found on the demo: an escalation condition moved a student to the ESCALATION stage (its entry
condition waived) whose stop condition `entryNoLongerMet` already held, so the action sat in the
staff queue until a re-run of the night stopped the whole instance."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from domain.ladder.events import EventKind
from domain.ladder.model import (
    ActionState,
    InstanceStatus,
    Ladder,
    LadderStage,
    StageType,
    StudentInterventionInstance,
)
from domain.ladder.rule_facts import RuleFacts
from domain.ladder.transitions import mark_done
from domain.roster.schools import Jurisdiction
from domain.rules import EvaluationContext, InstanceFacts, InterventionRuleSet, preset_for
from services.interventions.queue import StaffCommand
from tests.unit.ladder_helpers import CAL, MONDAY, FakeFacts, four_stages, night, started
from tests.unit.referral_ladder import england_with_old_penalty_stage
from tests.unit.test_scheduler import ENG_CAL, S, T, World, officer, send_letters, year

A = ActionState
TUESDAY = MONDAY + timedelta(days=1)


def _done_at(ladder: Ladder, order: int, on: date = MONDAY) -> StudentInterventionInstance:
    instance = replace(started(ladder), stage_order=order, stage_type=ladder.stage(order).type,
                       action=A.APPROVED)
    return mark_done(instance, on=on).instance


def test_an_escalation_does_not_enter_a_stage_whose_stop_condition_already_holds() -> None:
    ladder = four_stages()
    at_3 = _done_at(ladder, 3)
    spec = FakeFacts(escalation={3}, stop={4})
    first = night(ladder, at_3, spec, TUESDAY)
    assert first.events == () and first.due is None
    assert first.waiting == "escalation condition met, but stage 4's stop condition already holds"
    assert ("stop", 4) in spec.asked
    again = night(ladder, first.instance, spec, TUESDAY)
    assert again.events == ()


def test_an_escalation_into_a_stage_whose_stop_does_not_hold_still_moves_on_at_once() -> None:
    ladder = four_stages()
    first = night(ladder, _done_at(ladder, 3), FakeFacts(entry=set(), escalation={3}), TUESDAY)
    assert [(e.kind, e.stage_order) for e in first.events] == [
        (EventKind.ESCALATED, 3), (EventKind.STAGE_ENTERED, 4), (EventKind.ACTION_QUEUED, 4)]
    assert night(ladder, first.instance, FakeFacts(entry=set(), escalation={3}), TUESDAY).events == ()


def test_entering_the_last_stage_while_its_escalation_holds_closes_it_the_same_night() -> None:
    ladder = Ladder("rs-2", 1, (LadderStage(1, StageType.LETTER_1, wait_school_days=1),
                                LadderStage(2, StageType.MEETING)))
    spec = FakeFacts(escalation={2})
    first = night(ladder, _done_at(ladder, 1), spec, TUESDAY)
    assert [(e.kind, e.stage_order) for e in first.events] == [
        (EventKind.STAGE_ENTERED, 2), (EventKind.ESCALATED, 2)]
    assert first.instance is not None and first.instance.status is InstanceStatus.ESCALATED
    assert first.due is None
    assert night(ladder, first.instance, spec, TUESDAY).events == ()


def test_a_one_stage_ladder_whose_escalation_holds_on_the_first_night_closes_at_once() -> None:
    ladder = Ladder("rs-1", 1, (LadderStage(1, StageType.MEETING),))
    spec = FakeFacts(escalation={1})
    first = night(ladder, None, spec, MONDAY)
    assert [e.kind for e in first.events] == [EventKind.STAGE_ENTERED, EventKind.ESCALATED]
    assert night(ladder, first.instance, spec, MONDAY).events == ()


def _two_meetings() -> InterventionRuleSet:
    """Two MEETING stages, each escalating on its own meeting's ESCALATE outcome or 2 no-shows."""
    preset = preset_for(Jurisdiction.ENGLAND, tenant_id="tenant-1", rule_set_id="rs-1")
    meeting = preset.stages[2]
    return preset.model_copy(update={"stages": (
        meeting.model_copy(update={"order": 1}), meeting.model_copy(update={"order": 2}))})


def test_a_stage_not_entered_yet_has_had_no_meeting_and_a_new_instance_no_no_shows() -> None:
    rule_set = _two_meetings()
    at_1 = replace(started(), rule_set_id="rs-1", stage_type=StageType.MEETING)
    recorded = InstanceFacts(last_meeting_outcome="ESCALATE", no_shows=1)  # the meetings of stage 1
    ctx = EvaluationContext(CAL, MONDAY, None, {}, recorded)
    facts = RuleFacts(rule_set, ctx, at_1)
    assert facts.escalation(1).met  # this stage's meeting decided to escalate
    assert not facts.escalation(2).met  # the next stage's meeting has not been held
    closed = replace(at_1, status=InstanceStatus.STOPPED, closed_on=MONDAY - timedelta(days=30))
    missed = RuleFacts(rule_set, replace(ctx, instance=InstanceFacts(no_shows=2)), closed)
    assert not missed.escalation(1).met  # the old instance's no-shows do not follow a new one
    kept = RuleFacts(rule_set, replace(ctx, instance=InstanceFacts(no_shows=2)), at_1)
    assert kept.escalation(1).met and kept.escalation(2).met  # no-shows count across the instance's stages


EXCUSED_MONDAYS = {d: ("C", "C") for d in ENG_CAL.school_days_between(ENG_CAL.start, date(2024, 12, 20))
                   if d.weekday() == 0}


def test_the_scheduler_does_not_queue_a_penalty_notice_the_same_night_would_stop() -> None:
    """England ladder with the old stage 4 (a penalty notice): a pupil away every Monday with
    leave the school authorised (C) reaches the
    meeting; no improvement after it is the escalation condition, but a penalty notice needs 10
    unauthorised sessions in 10 school weeks, so stage 4's stop condition (`entryNoLongerMet`)
    holds. The night neither queues stage 4 nor stops the instance, and a re-run writes nothing."""
    world = World(england_with_old_penalty_stage(tenant_id=T, rule_set_id="england"), students=("fine",))
    world.summaries.rows["excused"] = year("excused", EXCUSED_MONDAYS)
    for day in ENG_CAL.school_days_between(ENG_CAL.start, date(2024, 11, 21)):
        world.night(day)
        for item in world.queue.due(T, S, day):
            world.queue.act(officer(), T, S, item.id, StaffCommand.APPROVE)
        send_letters(world, day)
    [before] = world.store.student_instances(T, S, "excused")
    assert (before.stage_order, before.action) == (3, A.DONE)
    escalation_night = date(2024, 11, 22)
    world.night(escalation_night)
    rows = (dict(world.store.instance_rows), dict(world.store.event_rows), dict(world.store.items),
            world.store.saves)
    again = world.night(escalation_night)
    assert "events" not in again and "studentsChanged" not in again, again
    assert (world.store.instance_rows, world.store.event_rows, world.store.items, world.store.saves) == rows
    [after] = world.store.student_instances(T, S, "excused")
    assert (after.status, after.stage_order) == (InstanceStatus.ACTIVE, 3)
    assert world.queue.due(T, S, escalation_night) == []

