"""The meetings service over fakes: booking approves the MEETING stage's action; each outcome's
effect on the instance, the case, tasks and events; proposals on RESCHEDULE and NO_SHOW; a
stale ETag; and a retried request that changes nothing more."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.casework.cases import CaseStatus
from domain.ladder.events import EventKind, verify_chain
from domain.ladder.model import ActionState, InstanceStatus, InvalidTransition
from domain.meetings.model import FollowUp, MeetingOutcome, MeetingStatus, proposed_id, task_id
from domain.platform.errors import ConcurrencyError, ValidationFailed
from domain.rules.ruleset import StageType
from services.meetings.service import MeetingChange
from tests.fakes_meetings import STUDENT, MeetingWorld, S, T, officer

AFTER = datetime(2024, 10, 15, 11, tzinfo=UTC)  # after the meeting booked for 09:00-10:00


def kinds(world: MeetingWorld) -> list[EventKind]:
    return [e.kind for e in world.store.events(T, S, "inst-1")]


def held(world: MeetingWorld, outcome: MeetingOutcome, **kw: object) -> object:
    meeting = world.book()
    world.at(AFTER)
    return world.meetings.change(officer(), T, S, meeting.id, meeting.etag or "",
                                 MeetingChange(MeetingStatus.HELD, outcome=outcome, **kw))  # type: ignore[arg-type]


def test_booking_approves_the_meeting_stage_and_calls_the_invitation_seam() -> None:
    world = MeetingWorld(ActionState.DUE)
    meeting = world.book()
    assert meeting.stage_order == 3 and meeting.status is MeetingStatus.SCHEDULED
    assert world.current().action is ActionState.APPROVED
    assert kinds(world) == [EventKind.ACTION_QUEUED, EventKind.APPROVED]
    assert world.invited == [meeting]
    assert world.audit_rows.records[-1].action == "meetings.scheduled"


def test_resolved_stops_the_instance_and_resolves_the_case() -> None:
    world = MeetingWorld()
    held(world, MeetingOutcome.RESOLVED)
    instance = world.current()
    assert instance.status is InstanceStatus.STOPPED
    assert kinds(world)[-3:] == [EventKind.MEETING_SCHEDULED, EventKind.MEETING_HELD, EventKind.STOPPED]
    assert world.store.case_rows[STUDENT].status is CaseStatus.RESOLVED
    events = world.store.events(T, S, "inst-1")
    assert verify_chain(events, head=instance.last_hash) is None
    assert events[-2].data == {"meetingId": "mtg-1", "outcome": "RESOLVED"}


def test_medical_plan_pauses_until_the_review_date() -> None:
    world = MeetingWorld()
    held(world, MeetingOutcome.MEDICAL_PLAN, review_on=date(2024, 11, 22))
    instance = world.current()
    assert instance.status is InstanceStatus.ACTIVE and instance.paused_until == date(2024, 11, 22)
    assert kinds(world)[-1] is EventKind.PAUSED
    assert instance.action is ActionState.DONE  # the stage's action is done: the ladder cannot stall


def test_support_plan_creates_one_follow_up_task_and_the_ladder_continues() -> None:
    world = MeetingWorld()
    meeting = held(world, MeetingOutcome.SUPPORT_PLAN, follow_up=FollowUp("officer-2", date(2024, 10, 25)))
    [task] = world.casework_store.task_rows.values()
    assert (task.id, task.assignee, task.due_on, task.case_id) == (
        task_id(meeting.id), "officer-2", date(2024, 10, 25), STUDENT)  # type: ignore[attr-defined]
    assert world.current().status is InstanceStatus.ACTIVE and world.current().paused_until is None
    assert kinds(world)[-1] is EventKind.MEETING_HELD


def test_escalate_moves_to_the_escalation_stage_hands_on_at_tier_3_and_stages_the_event() -> None:
    world = MeetingWorld()
    held(world, MeetingOutcome.ESCALATE)
    instance = world.current()
    assert (instance.status, instance.stage_order, instance.stage_type) == (
        InstanceStatus.ESCALATED, 4, StageType.ESCALATION)
    assert world.store.case_rows[STUDENT].tier == 3
    [event] = world.store.outbox
    assert event.type == "intervention.escalated" and event.data["caseTier"] == 3


@pytest.mark.parametrize("outcome", [MeetingOutcome.RESCHEDULE, None])
def test_reschedule_and_no_show_propose_a_new_meeting(outcome: MeetingOutcome | None) -> None:
    world = MeetingWorld()
    meeting = world.book()
    world.at(AFTER)
    status = MeetingStatus.HELD if outcome else MeetingStatus.NO_SHOW
    world.meetings.change(officer(), T, S, meeting.id, meeting.etag or "",
                          MeetingChange(status, outcome=outcome))
    proposed = world.meeting_store.rows[proposed_id(meeting.id)]
    assert (proposed.status, proposed.instance_id, proposed.proposed_from) == (
        MeetingStatus.PROPOSED, "inst-1", meeting.id)
    assert world.current().status is InstanceStatus.ACTIVE
    assert kinds(world)[-1] is (EventKind.MEETING_HELD if outcome else EventKind.MEETING_NO_SHOW)
    booked = world.meetings.change(officer(), T, S, proposed.id, proposed.etag or "", MeetingChange(
        starts_at=datetime(2024, 10, 22, 9, tzinfo=UTC), ends_at=datetime(2024, 10, 22, 10, tzinfo=UTC)))
    assert booked.status is MeetingStatus.SCHEDULED and world.invited[-1] == booked


def test_no_action_leaves_the_ladder_running() -> None:
    world = MeetingWorld()
    held(world, MeetingOutcome.NO_ACTION)
    assert world.current().status is InstanceStatus.ACTIVE
    assert world.current().action is ActionState.DONE


def test_a_stale_etag_is_refused_and_a_retry_after_the_instance_was_written_converges() -> None:
    world = MeetingWorld()
    meeting = world.book()
    world.at(AFTER)
    change = MeetingChange(MeetingStatus.HELD, outcome=MeetingOutcome.NO_ACTION)
    world.meetings.change(officer(), T, S, meeting.id, meeting.etag or "", change)
    with pytest.raises(ConcurrencyError):  # the second member of staff read the same ETag
        world.meetings.change(officer("officer-2"), T, S, meeting.id, meeting.etag or "", change)
    # a crash after the instance was written but before the meeting: the retry adds no event
    count = len(kinds(world))
    world.meeting_store.rows[meeting.id] = meeting
    world.meetings.change(officer(), T, S, meeting.id, meeting.etag or "", change)
    assert len(kinds(world)) == count


def test_invalid_transitions_are_refused() -> None:
    world = MeetingWorld()
    meeting = world.book()
    with pytest.raises(InvalidTransition) as early:  # HELD before it starts
        world.meetings.change(officer(), T, S, meeting.id, meeting.etag or "",
                              MeetingChange(MeetingStatus.HELD, outcome=MeetingOutcome.NO_ACTION))
    assert early.value.field == "startsAt"
    cancelled = world.meetings.change(officer(), T, S, meeting.id, meeting.etag or "",
                                      MeetingChange(MeetingStatus.CANCELLED))
    world.at(AFTER)
    with pytest.raises(InvalidTransition) as late:
        world.meetings.change(officer(), T, S, meeting.id, cancelled.etag or "",
                              MeetingChange(MeetingStatus.HELD, outcome=MeetingOutcome.RESOLVED))
    assert late.value.field == "status" and world.current().status is InstanceStatus.ACTIVE


def test_outcomes_that_need_more_name_the_missing_field() -> None:
    world = MeetingWorld()
    meeting = world.book()
    world.at(AFTER)
    medical = MeetingChange(MeetingStatus.HELD, outcome=MeetingOutcome.MEDICAL_PLAN)
    for change, field in [(MeetingChange(MeetingStatus.HELD), "outcome"), (medical, "reviewOn"),
                          (MeetingChange(MeetingStatus.HELD, outcome=MeetingOutcome.SUPPORT_PLAN),
                           "followUp.assignee")]:
        with pytest.raises(ValidationFailed) as refused:
            world.meetings.change(officer(), T, S, meeting.id, meeting.etag or "", change)
        assert refused.value.field == field
    assert world.meeting_store.rows[meeting.id].status is MeetingStatus.SCHEDULED
