"""The nightly scheduler with England's two tracks, in memory ("Working together to improve
school attendance", DfE, August 2024, paras 174-200, and the national framework for penalty
notices): the support ladder and the legal track for the same pupil on the same night; the legal
track's evidence read with one extra range query for that pupil only; notices stored in earlier
school years counting towards the two-in-three-years limit; a notice staff decide against
closing the consideration, and the same sessions never counted twice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.platform.access import Principal, Role
from domain.roster.schools import School, Student
from domain.rules import InterventionRuleSet, load_presets
from domain.rules.ruleset import StageType, Track
from services.interventions.queue import InterventionQueue, StaffCommand
from services.platform.audit import AuditLog
from services.platform.ports import FixedClock
from tests.fakes_attendance import FakeAuditRepository, FakeRoster, Trips
from tests.fakes_interventions import FakeRuleSets, FakeStore, FakeSummaryDays, nightly
from tests.unit.rules_examples import ENG, ENG_CAL, rows, sessions

T, S, P = "t", "s", "mondays"
END = date(2024, 12, 20)
SUPPORT, LEGAL = (InterventionRuleSet.model_validate({**r.to_json(), "tenantId": T})
                  for r in load_presets("ENG"))
MONDAYS = {d: ("O", "O") for d in ENG_CAL.school_days_between(ENG_CAL.start, END) if d.weekday() == 0}
OFFICER = Principal("officer-1", T, frozenset({Role.ATTENDANCE_OFFICER}), frozenset({S}))


class StudentRows:
    """One student's rows over a range (the adapter's `for_student`), counting the calls."""

    def __init__(self, by_student: dict[str, dict[date, Any]]) -> None:
        self.by_student, self.calls = by_student, []

    def for_student(self, tenant_id: str, school_id: str, student_id: str, first: date,
                    last: date) -> list[Any]:
        self.calls.append((student_id, first, last))
        return [r for d, r in sorted(self.by_student[student_id].items()) if first <= d <= last]


class World:
    def __init__(self, *rule_sets: InterventionRuleSet) -> None:
        student = Student(tenant_id=T, school_id=S, student_id=P, sis_id=P, forename="A", surname="B",
                          enrolment_start=date(2024, 9, 1))
        fine = student.model_copy(update={"student_id": "fine", "sis_id": "fine"})
        year = {P: rows(ENG_CAL, sessions(ENG_CAL, END, MONDAYS), END, ENG, student),
                "fine": rows(ENG_CAL, sessions(ENG_CAL, END, {}), END, ENG, fine)}
        self.store, self.clock = FakeStore(), FixedClock(datetime(2024, 9, 2, 17, tzinfo=UTC))
        self.student_rows = StudentRows(year)
        school = School(tenant_id=T, school_id=S, name="Oak", jurisdiction="ENG", time_zone="Europe/London")
        roster = FakeRoster(Trips(), school, [ENG_CAL], [])
        self.nightly = nightly(FakeRuleSets(*rule_sets), roster, FakeSummaryDays(year), self.store,
                               self.clock, lambda job: None, student_rows=self.student_rows)
        self.queue = InterventionQueue(self.store, roster, AuditLog(FakeAuditRepository(), self.clock),
                                       self.clock, lambda job: None)

    def night(self, day: date) -> dict[str, int]:
        self.clock.at = datetime(day.year, day.month, day.day, 17, tzinfo=UTC)
        return self.nightly.run(T, S, day).counters

    def legal(self) -> list[Any]:
        return [i for i in self.queue.due(T, S, None) if i.track is Track.STATUTORY]

    def act(self, item: Any, command: StaffCommand, reason: str | None = None) -> Any:
        return self.queue.act(OFFICER, T, S, item.id, command, reason=reason)


def test_the_same_pupil_on_both_tracks_and_the_sessions_read_for_that_pupil_only() -> None:
    world = World(SUPPORT, LEGAL)
    world.night(date(2024, 9, 20))
    assert [(i.track, i.stage_type.value) for i in world.queue.due(T, S, None)] == [
        (Track.SUPPORT, "LETTER_1")]
    counters = world.night(date(2024, 9, 30))
    assert counters["studentsListed"] == 1
    assert world.student_rows.calls == [(P, ENG_CAL.start, date(2024, 9, 30))]
    assert {(i.student_id, i.track) for i in world.queue.due(T, S, None)} == {
        (P, Track.SUPPORT), (P, Track.STATUTORY)}
    [notice] = world.legal()
    assert notice.evidence[1].count("morning (O) and afternoon (O)") == 5
    assert world.night(date(2024, 9, 30)).get("events", 0) == 0  # a re-run of the night


def test_notices_from_earlier_school_years_count_towards_the_limit() -> None:
    world = World(LEGAL)
    for n, on in enumerate((date(2022, 11, 7), date(2024, 3, 4))):  # two earlier school years
        world.store.instance_rows[f"old-{n}"] = StudentInterventionInstance(
            f"old-{n}", T, S, P, LEGAL.id, 1, InstanceStatus.ESCALATED, 1, StageType.ESCALATION,
            ActionState.DONE, on, on, ("10 sessions …",), action_done_on=on, closed_on=on,
            track=Track.STATUTORY, etag=f"e{n}")
    world.night(date(2024, 9, 30))
    [item] = world.legal()
    assert item.stage_order == 2 and "Consider other action" in item.evidence[0]
    assert "on 7 November 2022 and 4 March 2024" in item.evidence[0]


def test_a_notice_more_than_three_years_old_leaves_room_for_another() -> None:
    world = World(LEGAL)
    for n, on in enumerate((date(2021, 9, 27), date(2024, 3, 4))):
        world.store.instance_rows[f"old-{n}"] = StudentInterventionInstance(
            f"old-{n}", T, S, P, LEGAL.id, 1, InstanceStatus.ESCALATED, 1, StageType.ESCALATION,
            ActionState.DONE, on, on, (), action_done_on=on, closed_on=on, track=Track.STATUTORY,
            etag=f"e{n}")
    world.night(date(2024, 9, 30))
    [item] = world.legal()
    assert item.stage_order == 1


def test_a_notice_decided_against_is_closed_and_its_sessions_are_not_counted_again() -> None:
    world = World(LEGAL)
    world.night(date(2024, 9, 30))
    [item] = world.legal()
    after = world.act(item, StaffCommand.SKIP, reason="family circumstances known to the school")
    assert after.status == "STOPPED"
    for day in ENG_CAL.school_days_between(date(2024, 10, 1), date(2024, 11, 8)):
        world.night(day)
    assert world.legal() == []  # 8 new sessions by then: the old ones do not count twice
    world.night(date(2024, 11, 11))
    [again] = world.legal()
    assert again.stage_order == 1 and "after 30 September 2024" in again.evidence[0]
