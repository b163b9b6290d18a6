"""Property: a night run twice writes nothing the second time (issue 11, item 1).

Random small districts on the in-memory fakes: a preset rule set (its waits, cool-off and approvals
drawn small, so a few weeks climb the ladder), a few students with random marks, and between
nights random staff work: approve, skip or snooze what is queued, send what was approved today or
later, log interventions, record meetings (held with an outcome, or missed), resolve cases, put
exemptions in force. Every school night is run, then run again: the second run must produce no
events, write no row, queue no item and send no letter job. Bounded and deterministic: a fixed
example budget, `derandomize`, and every other choice from a seed hypothesis draws."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.attendance.calendar import SchoolCalendar
from domain.casework.cases import CaseStatus
from domain.ladder.events import verify_chain
from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.ladder.pause import pause
from domain.ladder.table import Applied
from domain.ladder.transitions import log_intervention, mark_done
from domain.meetings.model import InterventionMeeting, MeetingOutcome, MeetingStatus
from domain.platform.access import Principal, Role
from domain.platform.errors import DomainError
from domain.roster.schools import Jurisdiction, School, Student
from domain.rules import Exemption, InterventionRuleSet, preset_for
from domain.rules.ruleset import StageType
from services.interventions.effects import Collected
from services.interventions.queue import InterventionQueue, StaffCommand
from services.platform.audit import AuditLog
from services.platform.ports import FixedClock
from tests.fakes_attendance import FakeAuditRepository, FakeRoster, Trips
from tests.fakes_interventions import FakeRuleSets, FakeStore, FakeSummaryDays, nightly
from tests.fakes_meetings import FakeMeetingStore
from tests.unit.rules_examples import CA, DAY_CAL, ENG, ENG_CAL, IE, days, rows, sessions

T, S = "t", "s"
OFFICER = Principal("officer-1", T, frozenset({Role.ATTENDANCE_OFFICER}), frozenset({S}))
# (jurisdiction, calendar, code table, by session?, codes to draw an absence from)
PLACES = {
    Jurisdiction.ENGLAND: (ENG_CAL, ENG, True, ("O", "O", "G", "N", "C", "I", "M", "U", "L")),
    Jurisdiction.IRELAND: (DAY_CAL, IE, False, ("A", "B", "E", "F", "F", "H", "L")),
    Jurisdiction.CALIFORNIA: (DAY_CAL, CA, False, ("U", "U", "T30", "E", "S", "T")),
}
OUTCOMES = (MeetingOutcome.NO_ACTION, MeetingOutcome.ESCALATE, MeetingOutcome.SUPPORT_PLAN,
            MeetingOutcome.MEDICAL_PLAN)


class Exemptions:
    def __init__(self) -> None:
        self.by_student: dict[str, Exemption] = {}

    def exemptions(self, tenant_id: str, school_id: str) -> dict[str, Exemption]:
        return dict(self.by_student)


def rule_set(jurisdiction: Jurisdiction, rng: random.Random) -> InterventionRuleSet:
    """The preset with small waits and cool-off, some stages approved by the nightly itself, and
    now and then an escalation condition on the last stage."""
    preset = preset_for(jurisdiction, tenant_id=T, rule_set_id="rs")
    raw = preset.model_dump(by_alias=True, mode="json")
    raw["coolOffSchoolDays"] = rng.randint(0, 3)
    for stage in raw["stages"]:
        stage["waitSchoolDays"] = 0 if stage["type"] == "ESCALATION" else rng.randint(0, 3)
        stage["requiresApproval"] = rng.random() < 0.7
    if rng.random() < 0.3:  # not in a preset: a last stage that a missed meeting escalates
        missed = {"type": "repeatedNoShows", "threshold": rng.randint(1, 2)}
        raw["stages"][-1]["escalationConditions"] = [missed]
    return InterventionRuleSet.model_validate(raw)


class District:
    def __init__(self, jurisdiction: Jurisdiction, seed: int, students: int, until: date) -> None:
        self.rng = random.Random(seed)
        self.calendar, codes, by_session, absences = PLACES[jurisdiction]
        self.rule_set = rule_set(jurisdiction, self.rng)
        school = School(tenant_id=T, school_id=S, name="Oak", jurisdiction=jurisdiction,
                        time_zone="Europe/London")
        self.store, self.meetings, self.exemptions = FakeStore(), FakeMeetingStore(), Exemptions()
        self.clock = FixedClock(datetime(2024, 9, 2, 17, tzinfo=UTC))
        self.roster = FakeRoster(Trips(), school, [self.calendar], [])
        self.summaries = FakeSummaryDays({
            f"st{n}": self._year(f"st{n}", until, codes, by_session, absences) for n in range(students)})
        self.letters: list[dict[str, Any]] = []
        self.nightly = nightly(FakeRuleSets(self.rule_set), self.roster, self.summaries, self.store,
                               self.clock, self.letters.append, exemptions=self.exemptions,
                               meetings=self.meetings)
        self.queue = InterventionQueue(self.store, self.roster, AuditLog(FakeAuditRepository(), self.clock),
                                       self.clock, self.letters.append)

    def _year(self, student_id: str, until: date, codes: Any, by_session: bool,
              absences: tuple[str, ...]) -> dict[date, Any]:
        """Marks up to `until`: each student absent at their own rate, in runs now and then."""
        rate, cal = self.rng.choice((0.0, 0.1, 0.3, 0.5, 0.8)), self.calendar
        pupil = Student(tenant_id=T, school_id=S, student_id=student_id, sis_id=student_id, forename="A",
                        surname="B", enrolment_start=cal.start)
        off = {d for d in cal.school_days_between(cal.start, until) if self.rng.random() < rate}
        if by_session:
            marks = sessions(cal, until, {d: (self.rng.choice(absences), self.rng.choice(("\\", *absences)))
                                          for d in off})
        else:
            marks = days(cal, until, {d: self.rng.choice(absences) for d in off})
        return rows(cal, marks, until, codes, pupil)

    def night(self, day: date) -> dict[str, int]:
        self.clock.at = datetime(day.year, day.month, day.day, 17, tzinfo=UTC)
        return self.nightly.run(T, S, day).counters

    def snapshot(self) -> tuple[Any, ...]:
        s = self.store
        return (dict(s.instance_rows), dict(s.event_rows), dict(s.items), dict(s.case_rows), len(s.outbox),
                s.saves)

    def staff(self, day: date, following: date) -> None:
        """A morning's work after the night of `day`."""
        rng = self.rng
        for item in self.queue.due(T, S, day):
            choice = rng.random()
            try:
                if choice < 0.6:
                    self.queue.act(OFFICER, T, S, item.id, StaffCommand.APPROVE)
                elif choice < 0.7:
                    self.queue.act(OFFICER, T, S, item.id, StaffCommand.SKIP, reason="handled by phone")
                elif choice < 0.8:
                    self.queue.act(OFFICER, T, S, item.id, StaffCommand.SNOOZE, reason="family away",
                                   until=following + timedelta(days=rng.randint(0, 7)))
            except DomainError:  # paused under a medical plan, say: staff see the refusal
                pass
        for instance in self.store.instances(T, S):
            if instance.status is not InstanceStatus.ACTIVE:
                continue
            if instance.action is ActionState.APPROVED and rng.random() < 0.7:
                self._save(instance, mark_done(instance, on=day), day)
                if instance.stage_type is StageType.MEETING and rng.random() < 0.8:
                    self._meeting(self.store.instance(T, S, instance.id), day)
            elif instance.action is ActionState.DONE and rng.random() < 0.3:
                logged = log_intervention(instance, on=day, actor="ewo", reason="home visit")
                self._save(instance, logged, day)
        if rng.random() < 0.02:
            self._resolve_a_case()
        if rng.random() < 0.02:
            student = rng.choice(sorted(self.summaries.rows))
            until = following + timedelta(days=rng.randint(0, 20))
            self.exemptions.by_student[student] = Exemption(reason="managed move", starts_on=following,
                                                            expires_on=until)

    def _meeting(self, instance: StudentInterventionInstance, day: date) -> None:
        rng = self.rng
        missed = rng.random() < 0.4
        outcome = None if missed else rng.choice(OUTCOMES)
        review = day + timedelta(days=rng.randint(1, 14)) if outcome is MeetingOutcome.MEDICAL_PLAN else None
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        meeting = InterventionMeeting(
            f"m{len(self.meetings.rows)}", T, S, instance.student_id,
            MeetingStatus.NO_SHOW if missed else MeetingStatus.HELD, "officer-1", at, "officer-1", at,
            instance_id=instance.id, stage_order=instance.stage_order, outcome=outcome, review_on=review,
            held_on=day)
        self.meetings.rows[meeting.id] = meeting
        if review is not None:
            self._save(instance, pause(instance, on=day, until=review, reason="medical plan"), day)

    def _resolve_a_case(self) -> None:
        open_cases = [c for c in self.store.case_rows.values() if c.status is CaseStatus.OPEN]
        if open_cases:
            case = self.rng.choice(open_cases)
            self.store.case_rows[case.student_id] = replace(case, status=CaseStatus.RESOLVED, etag="resolved")

    def _save(self, instance: StudentInterventionInstance, applied: Applied, day: date) -> None:
        found = Collected(instance.student_id, self.store.case(T, S, instance.student_id))
        found.add(applied.instance, applied.events, None, on=day, now=self.clock.now())
        change = found.change()
        assert change is not None and self.store.save(T, S, [change]) == []


def school_nights(calendar: SchoolCalendar, until: date) -> list[date]:
    return list(calendar.school_days_between(calendar.start, until))


@settings(max_examples=30, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(jurisdiction=st.sampled_from(list(PLACES)), seed=st.integers(0, 2**32 - 1),
       students=st.integers(1, 4), weeks=st.integers(4, 12))
def test_a_second_run_of_any_night_writes_nothing(jurisdiction: Jurisdiction, seed: int, students: int,
                                                  weeks: int) -> None:
    calendar = PLACES[jurisdiction][0]
    until = calendar.start + timedelta(weeks=weeks)
    district = District(jurisdiction, seed, students, until)
    nights = school_nights(calendar, until)
    for day, following in zip(nights, [*nights[1:], until + timedelta(days=1)], strict=True):
        district.night(day)
        before, sent = district.snapshot(), len(district.letters)
        again = district.night(day)
        assert "events" not in again and "studentsChanged" not in again, (day, again)
        assert district.snapshot() == before, day
        # the only jobs a re-run sends are the nightly's re-sends of approved letters not sent yet
        # (services/letters/resend.py), for actions whose job went out before: keyed on the action
        resent = [job["actionId"] for job in district.letters[sent:]]
        assert len(resent) == again.get("letterJobsResent", 0), (day, again)
        assert set(resent) <= {job["actionId"] for job in district.letters[:sent]}, day
        district.staff(day, following)
    for instance in district.store.instances(T, S):
        events = district.store.events(T, S, instance.id)
        assert verify_chain(events, head=instance.last_hash) is None
