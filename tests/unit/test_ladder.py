"""The stage ladder: the transition table, the ladder's rules, the nightly step, the event chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from domain.ladder.events import EventKind, InterventionEvent, verify_chain
from domain.ladder.model import (
    ActionState,
    Finding,
    InstanceStatus,
    InvalidTransition,
    Ladder,
    LadderStage,
    StageType,
)
from domain.ladder.nightly import decide
from domain.ladder.queue import ActionKind
from domain.ladder.transitions import (
    advance_due,
    approve,
    complete,
    escalate,
    escalate_to_next,
    log_intervention,
    mark_done,
    queue_action,
    skip,
    snooze,
    start,
    stop,
)
from domain.platform.errors import ValidationFailed
from tests.unit.ladder_helpers import CAL, MONDAY, STUDENT, FakeFacts, four_stages, night, started

A = ActionState
COMMANDS = {
    "queue": lambda i: queue_action(i, on=MONDAY),
    "approve": lambda i: approve(i, on=MONDAY, actor="head@school"),
    "skip": lambda i: skip(i, on=MONDAY, actor="head@school", reason="known illness"),
    "snooze": lambda i: snooze(i, on=MONDAY, until=MONDAY + timedelta(days=7), actor="head@school"),
    "mark_done": lambda i: mark_done(i, on=MONDAY),
    "log": lambda i: log_intervention(i, on=MONDAY, actor="ewo@school", reason="phone call home"),
    "stop": lambda i: stop(i, on=MONDAY, reason="case resolved"),
    "escalate": lambda i: escalate(i, on=MONDAY, reason="no improvement"),
}
# Written out by hand, not read from TRANSITIONS: (action state, command) -> action state after.
ALLOWED = {
    (A.DUE, "queue"): A.QUEUED, (A.SNOOZED, "queue"): A.QUEUED, (A.SKIPPED, "queue"): A.QUEUED,
    (A.QUEUED, "approve"): A.APPROVED,
    (A.DUE, "skip"): A.SKIPPED, (A.QUEUED, "skip"): A.SKIPPED, (A.SNOOZED, "skip"): A.SKIPPED,
    (A.DUE, "snooze"): A.SNOOZED, (A.QUEUED, "snooze"): A.SNOOZED, (A.SNOOZED, "snooze"): A.SNOOZED,
    (A.APPROVED, "mark_done"): A.DONE,
    **{(state, "log"): state for state in A},
}
CLOSING = {"stop": InstanceStatus.STOPPED, "escalate": InstanceStatus.ESCALATED}
EVENT = {"queue": EventKind.ACTION_QUEUED, "approve": EventKind.APPROVED, "skip": EventKind.SKIPPED,
         "snooze": EventKind.SNOOZED, "mark_done": EventKind.LETTER_SENT,
         "log": EventKind.INTERVENTION_LOGGED, "stop": EventKind.STOPPED, "escalate": EventKind.ESCALATED}


@pytest.mark.parametrize("state", list(A))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_transition_table_on_an_active_instance(state: ActionState, command: str) -> None:
    instance = replace(started(), action=state)
    if command in CLOSING:
        after, events = COMMANDS[command](instance)
        assert after.status is CLOSING[command] and after.action is state and after.closed_on == MONDAY
    elif (state, command) in ALLOWED:
        after, events = COMMANDS[command](instance)
        assert after.status is InstanceStatus.ACTIVE and after.action is ALLOWED[(state, command)]
    else:
        with pytest.raises(InvalidTransition) as refused:
            COMMANDS[command](instance)
        assert refused.value.status == 409
        return
    assert [e.kind for e in events] == [EVENT[command]]
    assert events[0].sequence == instance.event_count + 1 and events[0].previous_hash == instance.last_hash
    assert (after.event_count, after.last_hash) == (events[0].sequence, events[0].hash)


@pytest.mark.parametrize("status", [s for s in InstanceStatus if s.closed])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_closed_instance_accepts_no_command(status: InstanceStatus, command: str) -> None:
    for state in A:
        with pytest.raises(InvalidTransition):
            COMMANDS[command](replace(started(), status=status, action=state))


def test_approving_twice_is_a_conflict() -> None:
    queued, _ = queue_action(started(), on=MONDAY)
    approved, _ = approve(queued, on=MONDAY, actor="head@school")
    # a second member of staff approving from the same queue view
    with pytest.raises(InvalidTransition) as second:
        approve(approved, on=MONDAY, actor="deputy@school")
    assert second.value.status == 409 and "APPROVED" in second.value.detail


def test_staff_commands_need_an_actor_and_a_stop_needs_a_reason() -> None:
    queued, _ = queue_action(started(), on=MONDAY)
    with pytest.raises(ValidationFailed) as no_actor:
        skip(queued, on=MONDAY, actor=" ")
    with pytest.raises(ValidationFailed) as no_reason:
        stop(queued, on=MONDAY, reason="")
    assert (no_actor.value.field, no_reason.value.field) == ("actor", "reason")


def test_start_enters_stage_one_with_its_evidence_and_a_deterministic_id() -> None:
    instance, events = start(four_stages(), STUDENT, None, Finding(True, ("14 sessions missed",)),
                             on=MONDAY, calendar=CAL)
    again, _ = start(four_stages(), STUDENT, None, Finding(True, ("14 sessions missed",)),
                     on=MONDAY, calendar=CAL)
    assert (instance.stage_order, instance.stage_type, instance.action) == (1, StageType.LETTER_1, A.DUE)
    assert [e.kind for e in events] == [EventKind.STAGE_ENTERED]
    assert events[0].evidence == ("14 sessions missed",) == instance.stage_evidence
    assert again.id == instance.id and again.last_hash == instance.last_hash


@pytest.mark.parametrize(("entry", "latest_status", "day", "refusal"), [
    (False, None, MONDAY, "entry condition"),
    (True, InstanceStatus.ACTIVE, MONDAY, "already has an active instance"),
    (True, None, date(2024, 9, 7), "not a school day"),
])
def test_start_is_refused(entry: bool, latest_status: InstanceStatus | None, day: date, refusal: str) -> None:
    latest = replace(started(), status=latest_status) if latest_status else None
    with pytest.raises(InvalidTransition, match=refusal):
        start(four_stages(), STUDENT, latest, Finding(entry), on=day, calendar=CAL)


def test_cool_off_is_counted_in_school_days_across_half_term() -> None:
    ladder = four_stages(cool_off=5)
    stopped, _ = stop(started(ladder), on=date(2024, 10, 24), reason="attendance recovered")  # a Thursday
    # five school days after the stop: Fri 25 Oct, then (after half term) 4, 5, 6 and 7 Nov
    for day, left in ((date(2024, 10, 25), 4), (date(2024, 11, 4), 3), (date(2024, 11, 6), 1)):
        with pytest.raises(InvalidTransition, match=f"{left} more school days? of cool-off"):
            start(ladder, STUDENT, stopped, Finding(True), on=day, calendar=CAL)
    restarted, _ = start(ladder, STUDENT, stopped, Finding(True), on=date(2024, 11, 7), calendar=CAL)
    assert restarted.id != stopped.id and restarted.started_on == date(2024, 11, 7)


def test_no_restart_on_the_day_an_instance_stopped_even_without_cool_off() -> None:
    stopped = replace(started(), status=InstanceStatus.STOPPED, closed_on=MONDAY)
    with pytest.raises(InvalidTransition, match="cool-off"):
        start(four_stages(), STUDENT, stopped, Finding(True), on=MONDAY, calendar=CAL)
    assert start(four_stages(), STUDENT, stopped, Finding(True), on=MONDAY + timedelta(days=1),
                 calendar=CAL).instance.stage_order == 1


@pytest.mark.parametrize("status", [InstanceStatus.COMPLETED, InstanceStatus.ESCALATED])
def test_a_finished_ladder_does_not_restart_in_the_same_school_year(status: InstanceStatus) -> None:
    finished = replace(started(), status=status, closed_on=MONDAY)
    with pytest.raises(InvalidTransition, match=f"was {status.value.lower()} this school year"):
        start(four_stages(), STUDENT, finished, Finding(True), on=date(2025, 7, 1), calendar=CAL)
    last_year = replace(finished, closed_on=date(2024, 7, 1))
    assert start(four_stages(), STUDENT, last_year, Finding(True), on=MONDAY, calendar=CAL).instance


def test_a_stop_condition_that_already_holds_keeps_the_student_off_the_ladder() -> None:
    spec = FakeFacts(stop={1})
    result = night(four_stages(), None, spec, MONDAY)
    assert result.instance is None and result.events == ()
    assert result.waiting == "stage 1's stop condition already holds"
    with pytest.raises(InvalidTransition, match="stop condition"):
        start(four_stages(), STUDENT, None, Finding(True), on=MONDAY, calendar=CAL,
              stop_condition=Finding(True))
    not_due = FakeFacts(entry=set())
    assert night(four_stages(), None, not_due, MONDAY).waiting == "stage 1's entry condition does not hold"
    assert not_due.asked == [("entry", 1)]  # the stop condition is only asked once the entry holds


def _done(ladder: Ladder, on: date, order: int = 1):  # type: ignore[no-untyped-def]
    """An instance at stage `order` whose action was done on `on`."""
    instance = replace(started(ladder), stage_order=order, stage_type=ladder.stage(order).type,
                       action=A.APPROVED)
    return mark_done(instance, on=on).instance


def test_the_wait_is_counted_in_school_days_across_half_term() -> None:
    ladder = four_stages()  # stage 1 waits 5 school days
    done = _done(ladder, date(2024, 10, 25))  # the Friday before half term
    for day, left in ((date(2024, 10, 25), 5), (date(2024, 11, 4), 4), (date(2024, 11, 7), 1)):
        with pytest.raises(InvalidTransition, match=f"{left} more school days? of stage 1's wait"):
            advance_due(done, ladder, Finding(True), on=day, calendar=CAL)
    advanced, events = advance_due(done, ladder, Finding(True, ("18 sessions missed",)), on=date(2024, 11, 8),
                                   calendar=CAL)
    assert (advanced.stage_order, advanced.action, advanced.stage_entered_on) == (2, A.DUE, date(2024, 11, 8))
    assert [(e.kind, e.stage_order, e.evidence) for e in events] == [
        (EventKind.STAGE_ENTERED, 2, ("18 sessions missed",))]


@pytest.mark.parametrize("state", [A.DUE, A.QUEUED, A.APPROVED, A.SKIPPED, A.SNOOZED])
def test_no_advance_before_the_action_is_done(state: ActionState) -> None:
    instance = replace(started(), action=state, action_done_on=MONDAY - timedelta(days=60))
    with pytest.raises(InvalidTransition, match="not done"):
        advance_due(instance, four_stages(), Finding(True), on=MONDAY, calendar=CAL)


def test_the_nightly_does_not_evaluate_the_next_entry_while_the_wait_runs() -> None:
    ladder, spec = four_stages(), FakeFacts()
    result = night(ladder, _done(ladder, MONDAY), spec, MONDAY + timedelta(days=2))
    assert result.events == () and result.waiting == "3 more school days of stage 1's wait"
    assert spec.asked == [("stop", 1), ("escalation", 1)]


def test_no_stage_is_skipped_even_when_a_later_stage_is_due() -> None:
    ladder = four_stages()
    done = _done(ladder, MONDAY)
    spec = FakeFacts(entry={3, 4})  # stage 2's entry no longer holds, stage 3's does
    result = night(ladder, done, spec, MONDAY + timedelta(days=14))
    assert result.instance == done and result.events == ()
    assert result.waiting == "stage 2's entry condition does not hold"
    spec.entry.add(2)
    moved = night(ladder, done, spec, MONDAY + timedelta(days=14)).instance
    assert moved is not None and moved.stage_order == 2


def test_the_last_stage_cannot_advance_and_completes_only_when_done() -> None:
    ladder = Ladder("rs-2", 1, (LadderStage(1, StageType.LETTER_1, wait_school_days=2),))
    with pytest.raises(InvalidTransition, match="last stage"):
        advance_due(_done(ladder, MONDAY), ladder, Finding(True), on=MONDAY + timedelta(days=7), calendar=CAL)
    with pytest.raises(InvalidTransition):
        complete(replace(started(ladder), action=A.APPROVED), ladder, on=MONDAY)
    completed, events = complete(_done(ladder, MONDAY), ladder, on=MONDAY)
    assert completed.status is InstanceStatus.COMPLETED and [e.kind for e in events] == [EventKind.COMPLETED]
    with pytest.raises(InvalidTransition, match="not the last"):
        complete(_done(four_stages(), MONDAY), four_stages(), on=MONDAY)


# --- an intervention between two letters -----------------------------------------------------


def test_back_to_back_letters_wait_for_an_intervention_logged_after_the_first() -> None:
    ladder = four_stages(between_letters=True)
    queued, _ = queue_action(started(ladder), on=MONDAY)
    # logged before letter 1 went: not "between" the letters
    early, _ = log_intervention(queued, on=MONDAY, actor="ewo@school", reason="phone call home")
    sent, _ = mark_done(approve(early, on=MONDAY, actor="head@school").instance, on=MONDAY)
    later = MONDAY + timedelta(days=14)
    with pytest.raises(InvalidTransition, match="intervention must be logged between two letters"):
        advance_due(sent, ladder, Finding(True), on=later, calendar=CAL)
    logged, events = log_intervention(sent, on=MONDAY + timedelta(days=2), actor="ewo@school",
                                      reason="home visit")
    assert logged.intervention_since_done and events[0].reason == "home visit"
    assert advance_due(logged, ladder, Finding(True), on=later, calendar=CAL).instance.stage_order == 2


def test_without_the_rule_letters_may_follow_each_other_and_a_meeting_never_waits() -> None:
    later = MONDAY + timedelta(days=14)
    assert advance_due(_done(four_stages(), MONDAY), four_stages(), Finding(True), on=later,
                       calendar=CAL).instance.stage_order == 2
    strict = four_stages(between_letters=True)
    after_letter_2 = _done(strict, MONDAY, order=2)
    meeting = advance_due(after_letter_2, strict, Finding(True), on=later, calendar=CAL).instance
    assert meeting.stage_order == 3


# --- snooze and skip ---------------------------------------------------------------------------


def test_a_snoozed_action_returns_to_the_queue_on_its_day() -> None:
    ladder = four_stages()
    queued = night(ladder, None, FakeFacts(), MONDAY).instance
    assert queued is not None and queued.action is A.QUEUED
    with pytest.raises(ValidationFailed) as bad:
        snooze(queued, on=MONDAY, until=MONDAY, actor="head@school")
    assert bad.value.field == "until"
    snoozed, events = snooze(queued, on=MONDAY, until=date(2024, 9, 12), actor="head@school", reason="away")
    assert snoozed.snoozed_until == date(2024, 9, 12) and events[0].data == {"until": "2024-09-12"}
    asleep = night(ladder, snoozed, FakeFacts(), date(2024, 9, 11))
    assert asleep.events == () and asleep.due is None and asleep.waiting == "the action is snoozed"
    woken = night(ladder, snoozed, FakeFacts(), date(2024, 9, 12))
    assert [e.kind for e in woken.events] == [EventKind.ACTION_QUEUED]
    assert woken.instance is not None and woken.instance.snoozed_until is None and woken.due is not None


def test_a_skipped_action_holds_the_ladder_until_it_is_queued_again() -> None:
    ladder = four_stages()
    queued = night(ladder, None, FakeFacts(), MONDAY).instance
    assert queued is not None
    skipped, _ = skip(queued, on=MONDAY, actor="head@school", reason="known illness")
    held = night(ladder, skipped, FakeFacts(), MONDAY + timedelta(days=30))
    assert held.events == () and held.due is None and "skipped" in (held.waiting or "")
    requeued, events = queue_action(skipped, on=MONDAY + timedelta(days=30), actor="head@school")
    assert requeued.action is A.QUEUED and events[0].actor == "head@school"


# --- the nightly ---------------------------------------------------------------------------------


def test_a_first_night_starts_queues_and_offers_the_letter() -> None:
    result = night(four_stages(), None, FakeFacts(), MONDAY)
    assert [e.kind for e in result.events] == [EventKind.STAGE_ENTERED, EventKind.ACTION_QUEUED]
    assert all(e.actor is None for e in result.events)
    due = result.due
    assert due is not None and (due.action, due.stage_order, due.template_key) == (
        ActionKind.SEND_LETTER, 1, "letter-1")
    assert due.evidence == ("entry 1 met",) and due.instance_id == result.instance.id  # type: ignore[union-attr]


def test_a_stage_without_approval_is_approved_by_the_system() -> None:
    ladder = four_stages(meeting_approval=False)
    done = _done(ladder, MONDAY, order=2)
    result = night(ladder, done, FakeFacts(), MONDAY + timedelta(days=7))
    assert [(e.kind, e.actor) for e in result.events] == [
        (EventKind.STAGE_ENTERED, None), (EventKind.ACTION_QUEUED, None), (EventKind.APPROVED, None)]
    assert result.instance is not None and result.instance.action is A.APPROVED and result.due is None


def test_the_same_night_twice_changes_nothing_and_a_replay_builds_identical_events() -> None:
    ladder, spec = four_stages(), FakeFacts()
    done = _done(ladder, MONDAY)
    later = MONDAY + timedelta(days=14)
    first = night(ladder, done, spec, later)
    assert [e.kind for e in first.events] == [EventKind.STAGE_ENTERED, EventKind.ACTION_QUEUED]
    second = night(ladder, first.instance, spec, later)
    assert second.events == () and second.instance == first.instance and second.due == first.due
    replay = night(ladder, done, spec, later)  # a crash before the instance was saved
    assert [(e.id, e.hash) for e in replay.events] == [(e.id, e.hash) for e in first.events]
    assert decide(ladder, STUDENT, first.instance, spec.facts(), on=later, calendar=CAL) == first.due


@pytest.mark.parametrize(("stop_", "escalation", "status"), [
    ({2}, set(), InstanceStatus.STOPPED),
    ({2}, {2}, InstanceStatus.STOPPED),  # stopping wins
])
def test_a_stop_condition_closes_the_instance(stop_: set[int], escalation: set[int],
                                              status: InstanceStatus) -> None:
    ladder = four_stages()
    at_2 = _done(ladder, MONDAY, order=2)
    spec = FakeFacts(stop=stop_, escalation=escalation)
    result = night(ladder, at_2, spec, MONDAY + timedelta(days=1))
    assert result.instance is not None and result.instance.status is status
    assert [(e.kind, e.reason, e.evidence) for e in result.events] == [
        (EventKind.STOPPED, "stop condition met", ("stop 2 met",))]
    assert result.instance.closed_reason == "stop condition met" and result.due is None
    assert ("escalation", 2) not in spec.asked and ("entry", 3) not in spec.asked


def test_an_escalation_condition_moves_on_at_once_waiving_the_wait_and_entry() -> None:
    ladder = four_stages()
    at_2 = _done(ladder, MONDAY, order=2)  # stage 2 waits 5 school days; this is the next day
    spec = FakeFacts(entry={1, 2}, escalation={2})  # stage 3's entry does not hold
    result = night(ladder, at_2, spec, MONDAY + timedelta(days=1))
    assert [(e.kind, e.stage_order) for e in result.events] == [
        (EventKind.ESCALATED, 2), (EventKind.STAGE_ENTERED, 3), (EventKind.ACTION_QUEUED, 3)]
    assert result.events[0].data == {"via": "condition", "toStage": "3"}
    assert result.events[1].evidence == ("escalation 2 met",) and result.events[1].reason == (
        "escalation condition met")
    assert result.instance is not None and result.instance.status is InstanceStatus.ACTIVE
    assert result.due is not None and result.due.action is ActionKind.SCHEDULE_MEETING
    assert ("entry", 3) not in spec.asked


def test_an_escalation_waits_for_the_stage_action_and_closes_at_the_last_stage() -> None:
    ladder = four_stages()
    queued = replace(started(ladder), stage_order=2, stage_type=StageType.LETTER_2, action=A.QUEUED)
    waiting = night(ladder, queued, FakeFacts(escalation={2}), MONDAY)
    assert waiting.events == () and waiting.waiting == (
        "escalation condition met, but stage 2's action is not done yet")
    last = Ladder("rs-4", 1, (LadderStage(1, StageType.LETTER_1), LadderStage(2, StageType.MEETING)))
    meeting = replace(started(last), stage_order=2, stage_type=StageType.MEETING, action=A.QUEUED)
    closed = night(last, meeting, FakeFacts(escalation={2}), MONDAY)
    assert closed.instance is not None and closed.instance.status is InstanceStatus.ESCALATED
    assert [(e.kind, e.data) for e in closed.events] == [(EventKind.ESCALATED, {"via": "condition"})]


def test_staff_can_escalate_to_the_next_stage_but_not_past_an_unfinished_action() -> None:
    ladder = four_stages()
    moved, events = escalate_to_next(_done(ladder, MONDAY), ladder, on=MONDAY, reason="home visit refused",
                                     actor="head@school", calendar=CAL)
    assert moved.stage_order == 2 and [e.actor for e in events] == ["head@school"] * 2
    assert events[0].data == {"via": "staff", "toStage": "2"}
    with pytest.raises(InvalidTransition, match="not done"):
        escalate_to_next(replace(started(ladder), action=A.QUEUED), ladder, on=MONDAY, reason="x",
                         calendar=CAL)


def test_a_stage_whose_stop_condition_holds_is_not_entered() -> None:
    ladder = four_stages()
    result = night(ladder, _done(ladder, MONDAY), FakeFacts(stop={2}), MONDAY + timedelta(days=7))
    assert result.events == () and result.waiting == "stage 2's stop condition already holds"


def test_finishing_the_escalation_stage_escalates() -> None:
    ladder = four_stages()
    at_4 = replace(started(ladder), stage_order=4, stage_type=StageType.ESCALATION, action=A.APPROVED)
    escalated, events = mark_done(at_4, on=MONDAY, actor="head@school")
    assert escalated.status is InstanceStatus.ESCALATED and escalated.closed_on == MONDAY
    assert [e.kind for e in events] == [EventKind.ESCALATED]


def test_meeting_done_records_a_meeting_and_the_nightly_completes_after_the_last_wait() -> None:
    ladder = Ladder("rs-3", 1, (LadderStage(1, StageType.MEETING, wait_school_days=3),))
    meeting, events = mark_done(replace(started(ladder), action=A.APPROVED), on=MONDAY,
                                data={"meetingOn": "2024-09-10"})
    assert [e.kind for e in events] == [EventKind.MEETING_SCHEDULED]
    waiting = night(ladder, meeting, FakeFacts(), date(2024, 9, 11))
    assert waiting.events == () and waiting.waiting == "1 more school day before completing"
    completed = night(ladder, meeting, FakeFacts(), date(2024, 9, 12))
    assert completed.instance is not None and completed.instance.status is InstanceStatus.COMPLETED


def test_nothing_moves_on_a_non_school_day() -> None:
    result = night(four_stages(), None, FakeFacts(), date(2024, 9, 14))
    assert result.instance is None and result.events == () and "not a school day" in (result.waiting or "")


def test_an_instance_runs_under_the_version_it_started_with() -> None:
    instance = started()
    newer = replace(four_stages(), version=2)
    with pytest.raises(ValidationFailed) as wrong:
        night(newer, instance, FakeFacts(), MONDAY + timedelta(days=1))
    assert wrong.value.field == "ruleSetVersion"


# --- the event chain -----------------------------------------------------------------------------


def _history() -> list[InterventionEvent]:
    ladder, spec, events = four_stages(), FakeFacts(), []
    instance = None
    for day in CAL.school_days_between(MONDAY, MONDAY + timedelta(days=30)):
        if instance is not None and instance.status is InstanceStatus.ESCALATED:
            break
        result = night(ladder, instance, spec, day)
        instance, events = result.instance, [*events, *result.events]
        if instance is not None and instance.action is A.QUEUED:
            approved, by_staff = approve(instance, on=day, actor="head@school")
            instance, sent = mark_done(approved, on=day)
            events += [*by_staff, *sent]
    # entered, queued, approved, done: four events for each of the four stages
    assert instance is not None and instance.stage_order == 4 and len(events) == 16
    return events


def test_a_history_verifies_and_each_event_has_its_own_id() -> None:
    events = _history()
    assert verify_chain(events) is None
    assert len({e.id for e in events}) == len(events)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert [InterventionEvent.from_record(e.to_record()) for e in events] == events


@pytest.mark.parametrize(("tamper", "bad_index"), [
    (lambda es: [*es[:3], replace(es[3], reason="edited"), *es[4:]], 3),
    (lambda es: [*es[:3], replace(es[3], actor="someone-else"), *es[4:]], 3),
    (lambda es: [*es[:2], *es[3:]], 2),  # an event removed
    (lambda es: [es[0], es[2], es[1], *es[3:]], 1),  # two swapped
])
def test_tampering_is_detected_at_the_first_bad_event(tamper, bad_index: int) -> None:  # type: ignore[no-untyped-def]
    assert verify_chain(tamper(_history())) == bad_index


def test_a_rehashed_edit_still_breaks_the_next_link() -> None:
    from domain.ladder.events import content_hash

    events = _history()
    forged = replace(events[3], reason="edited")
    forged = replace(forged, hash=content_hash(forged))
    assert verify_chain([*events[:3], forged, *events[4:]]) == 4


def test_a_missing_tail_is_caught_against_the_instance_head() -> None:
    events = _history()
    assert verify_chain(events[:-2]) is None
    assert verify_chain(events[:-2], head=events[-1].hash) == len(events) - 2


def test_an_instance_record_round_trips_with_the_etag_kept_apart() -> None:
    from domain.ladder.records import instance_from_record, instance_to_record

    snoozed = snooze(queue_action(started(), on=MONDAY).instance, on=MONDAY, until=date(2024, 9, 16),
                     actor="head@school").instance
    stopped = stop(_done(four_stages(), MONDAY, order=2), on=MONDAY, reason="moved school").instance
    for instance in (started(), snoozed, stopped):
        record = instance_to_record(replace(instance, etag="W/1"))
        assert "etag" not in record and record["stageEvidence"] == list(instance.stage_evidence)
        assert instance_from_record(record, etag="W/2") == replace(instance, etag="W/2")
