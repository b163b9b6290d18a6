"""What the nightly makes of meetings: repeated no-shows escalate through the rule set's
`repeatedNoShows` condition (the meetings read once per school); a medical plan's pause holds
the ladder and ends after the review date; and a student under a medical plan is not started
while every absence since the plan is coded illness or medical."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.casework.cases import Case, CaseStatus
from domain.ladder.events import EventKind
from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.meetings.model import InterventionMeeting, MeetingOutcome, MeetingStatus
from domain.roster.schools import School, Student
from domain.rules.ruleset import StageType
from services.interventions.effects import SendJob
from services.meetings.cancellation_resend import SentNotices
from services.meetings.resend import InvitationReader
from services.platform.ports import FixedClock
from tests.fakes_attendance import FakeRoster, Trips
from tests.fakes_interventions import FakeRuleSets, FakeStore, FakeSummaryDays, nightly
from tests.fakes_meetings import FakeMeetingStore
from tests.unit.referral_ladder import england_with_referral
from tests.unit.rules_examples import ENG, ENG_CAL, rows, sessions

T, S, P = "t", "s", "pupil-1"
DAY, END = date(2024, 10, 14), date(2024, 12, 20)
AT = datetime(2024, 10, 14, 17, tzinfo=UTC)


def year(absences: dict[date, tuple[str, str]]) -> dict[date, Any]:
    student = Student(tenant_id=T, school_id=S, student_id=P, sis_id=P, forename="A", surname="B",
                      enrolment_start=date(2024, 9, 1))
    return rows(ENG_CAL, sessions(ENG_CAL, END, absences), END, ENG, student)


ALWAYS = {d: ("O", "O") for d in ENG_CAL.school_days_between(ENG_CAL.start, END)}


class Night:
    def __init__(self, absences: dict[date, tuple[str, str]] = ALWAYS, *, send: SendJob = lambda job: None,
                 invitations: InvitationReader | None = None, sent_notices: SentNotices | None = None,
                 send_notice: SendJob = lambda job: None) -> None:
        self.store, self.meetings = FakeStore(), FakeMeetingStore()
        school = School(tenant_id=T, school_id=S, name="Oak", jurisdiction="ENG", time_zone="Europe/London")
        rule_set = england_with_referral(tenant_id=T, rule_set_id="england")
        self.version = rule_set.version
        self.clock = FixedClock(AT)
        self.nightly = nightly(FakeRuleSets(rule_set), FakeRoster(Trips(), school, [ENG_CAL], []),
                               FakeSummaryDays({P: year(absences)}), self.store, self.clock, send,
                               meetings=self.meetings, invitations=invitations, sent_notices=sent_notices,
                               send_notice=send_notice)

    def at_meeting_stage(self, **changes: Any) -> StudentInterventionInstance:
        instance = StudentInterventionInstance(
            "inst-1", T, S, P, "england", self.version, InstanceStatus.ACTIVE, 3, StageType.MEETING,
            ActionState.DONE, date(2024, 9, 20), DAY, ("evidence",), action_done_on=DAY, etag="i0")
        instance = replace(instance, **changes)
        self.store.instance_rows[instance.id] = instance
        self.store.case_rows[P] = Case(T, S, P, 1, CaseStatus.OPEN, date(2024, 9, 20), date(2024, 9, 20),
                                       ("inst-1",), etag="c0")
        return instance

    def meeting(self, n: int, status: MeetingStatus, **kw: Any) -> None:
        start = datetime(2024, 10, 1, 9, tzinfo=UTC) + timedelta(days=n)
        self.meetings.rows[f"m{n}"] = InterventionMeeting(
            f"m{n}", T, S, P, status, "u", start, "u", start, kw.pop("instance_id", "inst-1"), 3, start,
            start + timedelta(hours=1), held_on=start.date(), **kw)

    def run(self, day: date) -> list[EventKind]:
        self.clock.at = datetime(day.year, day.month, day.day, 17, tzinfo=UTC)
        before = {k for k in self.store.event_rows}
        self.nightly.run(T, S, day)
        return [e.kind for k, e in sorted(self.store.event_rows.items()) if k not in before]


def test_two_no_shows_escalate_by_the_repeated_no_shows_condition() -> None:
    night = Night()
    night.at_meeting_stage()
    night.meeting(1, MeetingStatus.NO_SHOW)
    assert EventKind.ESCALATED not in night.run(DAY)  # one missed meeting: not yet
    night.meeting(2, MeetingStatus.NO_SHOW)
    assert night.run(DAY + timedelta(days=1))[:2] == [EventKind.ESCALATED, EventKind.STAGE_ENTERED]
    instance = night.store.instance_rows["inst-1"]
    assert (instance.stage_order, instance.stage_type) == (4, StageType.ESCALATION)
    escalated = [e for e in night.store.events(T, S, "inst-1") if e.kind is EventKind.ESCALATED]
    assert "2 arranged meetings missed" in " ".join(escalated[0].evidence)
    assert night.store.case_rows[P].tier == 3
    assert night.meetings.school_reads == 2  # one partition read per night


def test_no_shows_of_another_intervention_do_not_count() -> None:
    night = Night()
    night.at_meeting_stage()
    night.meeting(1, MeetingStatus.NO_SHOW, instance_id="other")
    night.meeting(2, MeetingStatus.NO_SHOW, instance_id="other")
    assert EventKind.ESCALATED not in night.run(DAY)


def test_a_paused_instance_stays_still_until_the_review_date_then_resumes() -> None:
    night = Night()
    night.at_meeting_stage(paused_until=date(2024, 10, 16), pause_reason="medical plan")
    night.meeting(1, MeetingStatus.NO_SHOW)
    night.meeting(2, MeetingStatus.NO_SHOW)  # would escalate, but the plan holds the ladder
    assert night.run(date(2024, 10, 15)) == []
    assert night.run(date(2024, 10, 16)) == []
    assert night.run(date(2024, 10, 17))[:2] == [EventKind.RESUMED, EventKind.ESCALATED]
    assert night.store.instance_rows["inst-1"].paused_until is None


def _plan(night: Night) -> None:
    night.meeting(0, MeetingStatus.HELD, instance_id=None, outcome=MeetingOutcome.MEDICAL_PLAN,
                  review_on=date(2024, 11, 29))


def test_illness_under_a_medical_plan_starts_nothing_but_other_absences_do() -> None:
    since = date(2024, 10, 1)
    ill = {d: ("I", "I") for d in ENG_CAL.school_days_between(since + timedelta(days=1), END)}
    night = Night(ill)
    _plan(night)
    assert night.run(DAY) == []
    truant = {**ill, DAY: ("O", "O")}
    other = Night({**ALWAYS, **truant})
    _plan(other)
    assert EventKind.STAGE_ENTERED in other.run(DAY)
    unplanned = Night({**ALWAYS, **ill})  # the same illness without a plan: the ladder starts
    assert EventKind.STAGE_ENTERED in unplanned.run(DAY)
