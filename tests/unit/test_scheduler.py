"""The nightly scheduler and the queue over fakes, on the England preset: a re-run of the same
night changes nothing; a student crossing the threshold gets LETTER_1 due with evidence;
approving sends a letter job (and a second approval conflicts); a stage that needs no approval
proceeds by itself; escalation raises the case's tier and stages the event for agencies."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.casework.cases import CaseStatus
from domain.ladder.events import EventKind, verify_chain
from domain.ladder.model import ActionState, InstanceStatus, InvalidTransition
from domain.ladder.transitions import mark_done
from domain.roster.schools import School, Student
from domain.rules import InterventionRuleSet
from domain.rules.ruleset import StageType
from services.interventions.effects import Collected
from services.interventions.queue import InterventionQueue, StaffCommand
from services.platform.audit import AuditLog
from services.platform.ports import FixedClock
from tests.fakes_attendance import FakeAuditRepository, FakeRoster, Trips
from tests.fakes_interventions import FakeRuleSets, FakeStore, FakeSummaryDays, nightly
from tests.unit.referral_ladder import england_with_referral
from tests.unit.rules_examples import ENG, ENG_CAL, rows, sessions

T, S = "t", "s"
END = date(2024, 12, 20)
CROSSES, FIFTEENTH = date(2024, 9, 19), date(2024, 9, 20)  # 28 and 30 possible sessions
STAFF = None


def pupil(student_id: str) -> Student:
    return Student(tenant_id=T, school_id=S, student_id=student_id, sis_id=student_id, forename="A",
                   surname="B", enrolment_start=date(2024, 9, 1))


def year(student_id: str, absences: dict[date, tuple[str, str]]) -> dict[date, Any]:
    return rows(ENG_CAL, sessions(ENG_CAL, END, absences), END, ENG, pupil(student_id))


ALWAYS = {d: ("O", "O") for d in ENG_CAL.school_days_between(ENG_CAL.start, END)}
MONDAYS = {d: ("O", "O") for d in ENG_CAL.school_days_between(ENG_CAL.start, END) if d.weekday() == 0}


class World:
    def __init__(self, rule_set: InterventionRuleSet | None = None,
                 students: tuple[str, ...] = ("absent", "fine")) -> None:
        self.rule_set = rule_set or england_with_referral(tenant_id=T, rule_set_id="england")
        self.store = FakeStore()
        patterns = {"absent": ALWAYS, "monday": MONDAYS, "fine": {}}
        self.summaries = FakeSummaryDays({sid: year(sid, patterns[sid]) for sid in students})
        school = School(tenant_id=T, school_id=S, name="Oak", jurisdiction="ENG", time_zone="Europe/London")
        self.roster = FakeRoster(Trips(), school, [ENG_CAL], [])
        self.clock = FixedClock(datetime(2024, 9, 2, 17, tzinfo=UTC))
        self.letters: list[dict[str, Any]] = []
        self.audit = FakeAuditRepository()
        self.nightly = nightly(FakeRuleSets(self.rule_set), self.roster, self.summaries, self.store,
                               self.clock, self.letters.append)
        self.queue = InterventionQueue(self.store, self.roster, AuditLog(self.audit, self.clock), self.clock,
                                       self.letters.append)

    def night(self, day: date) -> dict[str, int]:
        self.clock.at = datetime(day.year, day.month, day.day, 17, tzinfo=UTC)
        return self.nightly.run(T, S, day).counters

    def item(self, student_id: str) -> Any:
        [item] = [i for i in self.queue.due(T, S, None) if i.student_id == student_id]
        return item


def officer() -> Any:
    from domain.platform.access import Principal, Role

    return Principal("officer-1", T, frozenset({Role.ATTENDANCE_OFFICER}), frozenset({S}))


def test_a_student_crossing_the_threshold_gets_letter_1_due_with_evidence() -> None:
    world = World()
    world.night(CROSSES)
    assert world.queue.due(T, S, CROSSES) == []  # 28 possible sessions: the guard wants 30
    counters = world.night(FIFTEENTH)
    item = world.item("absent")
    assert (item.stage_type, item.action.value, item.status, item.queued_on) == (
        StageType.LETTER_1, "SEND_LETTER", "QUEUED", FIFTEENTH)
    assert any("0%" in sentence or "0.0" in sentence for sentence in item.evidence), item.evidence
    assert counters["studentsChanged"] == 1 and world.store.case_rows["absent"].tier == 1
    assert world.summaries.calls == 2  # one batch read per night, not one per student


def test_the_same_night_twice_changes_nothing() -> None:
    world = World()
    world.night(FIFTEENTH)
    before = (dict(world.store.instance_rows), dict(world.store.event_rows), dict(world.store.items),
              world.store.saves)
    again = world.night(FIFTEENTH)
    assert "studentsChanged" not in again and "events" not in again
    assert (world.store.instance_rows, world.store.event_rows, world.store.items, world.store.saves) == before


def test_approving_sends_one_letter_job_and_a_second_approval_conflicts() -> None:
    world = World()
    world.night(FIFTEENTH)
    item = world.item("absent")
    approved = world.queue.act(officer(), T, S, item.id, StaffCommand.APPROVE)
    assert approved.status == "APPROVED"
    assert world.letters == [{"tenantId": T, "schoolId": S, "instanceId": item.instance_id, "stageOrder": 1,
                              "actionId": item.id, "correlationId": None}]
    with pytest.raises(InvalidTransition):
        world.queue.act(officer(), T, S, item.id, StaffCommand.APPROVE)
    assert len(world.letters) == 1 and world.queue.due(T, S, None) == []
    [entry] = world.audit.records
    assert entry.action == "interventions.queue.approve" and entry.actor == "officer-1"
    events = world.store.events(T, S, item.instance_id)
    assert [e.kind for e in events][-1] is EventKind.APPROVED and events[-1].actor == "officer-1"
    assert verify_chain(events, head=world.store.instance(T, S, item.instance_id).last_hash) is None


def test_a_write_refused_on_the_etag_rereads_and_then_conflicts() -> None:
    world = World()
    world.night(FIFTEENTH)
    item = world.item("absent")
    stale = world.store.instance(T, S, item.instance_id)
    world.queue.act(officer(), T, S, item.id, StaffCommand.APPROVE)  # the other member of staff
    reads = iter([stale])
    real = world.store.instance
    world.store.instance = lambda *a: next(reads, None) or real(*a)  # type: ignore[method-assign]
    with pytest.raises(InvalidTransition):  # the stale write is refused, the re-read conflicts
        world.queue.act(officer(), T, S, item.id, StaffCommand.APPROVE)
    assert len(world.letters) == 1


def test_a_stage_that_needs_no_approval_proceeds_by_itself() -> None:
    preset = england_with_referral(tenant_id=T, rule_set_id="england")
    first = preset.stages[0].model_copy(update={"requires_approval": False})
    world = World(preset.model_copy(update={"stages": (first, *preset.stages[1:])}))
    counters = world.night(FIFTEENTH)
    [instance] = world.store.instances(T, S)
    assert instance.action is ActionState.APPROVED and world.queue.due(T, S, None) == []
    assert counters["letterJobs"] == 1 and world.letters[0]["instanceId"] == instance.id
    kinds = [e.kind for e in world.store.events(T, S, instance.id)]
    assert kinds == [EventKind.STAGE_ENTERED, EventKind.ACTION_QUEUED, EventKind.APPROVED]
    assert world.night(FIFTEENTH) == {"ruleSets": 1, "students": 2, "rowDates": 1, "rowsLoaded": 2}
    assert len(world.letters) == 1


def send_letters(world: World, day: date) -> None:
    """The letters and meetings services: an approved letter or meeting is done the same day."""
    for instance in world.store.instances(T, S):
        if instance.action is ActionState.APPROVED and instance.status is InstanceStatus.ACTIVE:
            after, events = mark_done(instance, on=day)
            found = Collected(instance.student_id, world.store.case(T, S, instance.student_id))
            found.add(after, events, None, on=day, now=world.clock.now())
            change = found.change()
            assert change is not None and world.store.save(T, S, [change]) == []


def test_escalation_raises_the_case_tier_and_stages_the_event_for_agencies() -> None:
    world = World(students=("monday", "fine"))
    for day in ENG_CAL.school_days_between(ENG_CAL.start, date(2024, 11, 21)):
        world.night(day)
        for item in world.queue.due(T, S, day):
            world.queue.act(officer(), T, S, item.id, StaffCommand.APPROVE)
        send_letters(world, day)
    assert world.store.case_rows["monday"].tier == 1 and "fine" not in world.store.case_rows
    world.night(date(2024, 11, 22))  # no improvement since the meeting: escalated to stage 4
    case = world.store.case_rows["monday"]
    item = world.item("monday")
    assert item.evidence and "improvement" in item.evidence[0]
    assert item.stage_type is StageType.ESCALATION and case.tier == 3 and world.store.outbox == []
    world.queue.act(officer(), T, S, item.id, StaffCommand.APPROVE)  # hand the case on
    [event] = world.store.outbox
    assert event.type == "intervention.escalated" and event.data["studentId"] == "monday"
    assert event.data["caseTier"] == 3 and case.status is CaseStatus.OPEN
    [instance] = world.store.student_instances(T, S, "monday")
    assert instance.status is InstanceStatus.ESCALATED
    kinds = [e.kind for e in world.store.events(T, S, instance.id)]
    assert kinds.count(EventKind.STAGE_ENTERED) == 4 and kinds[-1] is EventKind.ESCALATED
    assert [j["stageOrder"] for j in world.letters if j["instanceId"] == instance.id] == [1, 2]
    world.night(date(2024, 11, 25))
    assert len(world.store.outbox) == 1  # not restarted, not escalated twice


def test_snooze_needs_a_date_and_returns_to_the_queue_when_it_ends() -> None:
    world = World()
    world.night(FIFTEENTH)
    item = world.item("absent")
    from domain.platform.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        world.queue.act(officer(), T, S, item.id, StaffCommand.SNOOZE)
    snoozed = world.queue.act(officer(), T, S, item.id, StaffCommand.SNOOZE, until=date(2024, 9, 24),
                              reason="family bereavement")
    assert snoozed.status == "SNOOZED" and world.queue.due(T, S, None) == []
    world.night(date(2024, 9, 23))
    assert world.queue.due(T, S, None) == []
    world.night(date(2024, 9, 24))
    assert world.item("absent").queued_on == date(2024, 9, 24)
