"""In-memory fakes for the meetings service: the meeting store (ETag-checked like the table),
the casework store, and a small world with an England student whose intervention sits on its
MEETING stage."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from domain.casework.cases import Case, CaseStatus
from domain.casework.tasks import WorkTask
from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.meetings.model import InterventionMeeting
from domain.platform.access import Principal, Role
from domain.platform.errors import AlreadyExists, ConcurrencyError, NotFound
from domain.roster.schools import School, Student
from domain.rules import Exemption
from domain.rules.ruleset import StageType
from services.casework.service import Casework
from services.meetings.effects import MeetingEffects
from services.meetings.ports import MeetingFilter
from services.meetings.service import Meetings
from services.platform.audit import AuditLog
from services.platform.ports import FixedClock
from tests.fakes_attendance import FakeAuditRepository, FakeRoster, Trips
from tests.fakes_interventions import FakeRuleSets, FakeStore
from tests.unit.referral_ladder import england_with_referral
from tests.unit.rules_examples import ENG_CAL

_etags = itertools.count(1)
T, S, STUDENT = "t", "s", "pupil-1"


class FakeMeetingStore:
    def __init__(self) -> None:
        self.rows: dict[str, InterventionMeeting] = {}
        self.school_reads = 0

    def meeting(self, tenant_id: str, school_id: str, meeting_id: str) -> InterventionMeeting:
        if meeting_id not in self.rows:
            raise NotFound("no such meeting")
        return self.rows[meeting_id]

    def school(self, tenant_id: str, school_id: str) -> list[InterventionMeeting]:
        self.school_reads += 1
        return list(self.rows.values())

    def page(self, tenant_id: str, school_id: str, where: MeetingFilter, *, limit: int,
             continuation: str | None) -> tuple[list[InterventionMeeting], str | None]:
        found = [m for m in self.rows.values() if (where.status is None or m.status is where.status)
                 and (where.student_id is None or m.student_id == where.student_id)]
        return found[:limit], None

    def create(self, meeting: InterventionMeeting) -> InterventionMeeting:
        if meeting.id in self.rows:
            raise AlreadyExists("exists")
        self.rows[meeting.id] = replace(meeting, etag=f"m{next(_etags)}")
        return self.rows[meeting.id]

    def save(self, meeting: InterventionMeeting,
             proposed: InterventionMeeting | None = None) -> InterventionMeeting:
        if self.rows[meeting.id].etag != meeting.etag:
            raise ConcurrencyError("stale")
        self.rows[meeting.id] = replace(meeting, etag=f"m{next(_etags)}")
        if proposed is not None:
            self.rows[proposed.id] = replace(proposed, etag=f"m{next(_etags)}")
        return self.rows[meeting.id]


class FakeCaseworkStore:
    def __init__(self, cases: FakeStore) -> None:
        self.task_rows: dict[str, WorkTask] = {}
        self._cases = cases

    def exemptions(self, tenant_id: str, school_id: str) -> dict[str, Exemption]:
        return {}

    def save_case(self, case: Case) -> Case:
        self._cases.case_rows[case.student_id] = replace(case, etag=f"c{next(_etags)}")
        return self._cases.case_rows[case.student_id]

    def tasks(self, tenant_id: str, school_id: str) -> list[WorkTask]:
        return list(self.task_rows.values())

    def save_task(self, task: WorkTask) -> WorkTask:
        if task.etag is None and task.id in self.task_rows:
            raise AlreadyExists("task exists")
        self.task_rows[task.id] = replace(task, etag=f"k{next(_etags)}")
        return self.task_rows[task.id]


def officer(subject: str = "officer-1") -> Principal:
    return Principal(subject, T, frozenset({Role.ATTENDANCE_OFFICER}), frozenset({S}))


class MeetingWorld:
    """An England school on 2024-10-14 (a Monday) with one student on the MEETING stage (3) of
    the England preset, the stage's action QUEUED, and an open tier-1 case."""

    def __init__(self, action: ActionState = ActionState.QUEUED) -> None:
        self.rule_set = england_with_referral(tenant_id=T, rule_set_id="england")
        self.store = FakeStore()
        school = School(tenant_id=T, school_id=S, name="Oak", jurisdiction="ENG", time_zone="Europe/London")
        pupil = Student(tenant_id=T, school_id=S, student_id=STUDENT, sis_id=STUDENT, forename="A",
                        surname="B", enrolment_start=date(2024, 9, 2))
        self.roster = FakeRoster(Trips(), school, [ENG_CAL], [pupil])
        self.day = date(2024, 10, 14)
        self.clock = FixedClock(datetime(2024, 10, 14, 15, tzinfo=UTC))
        self.audit_rows = FakeAuditRepository()
        audit = AuditLog(self.audit_rows, self.clock)
        self.casework_store = FakeCaseworkStore(self.store)
        self.casework = Casework(self.casework_store, self.store, self.roster, audit, self.clock)  # type: ignore[arg-type]
        self.meeting_store = FakeMeetingStore()
        self.invited: list[InterventionMeeting] = []
        ids = (f"mtg-{n}" for n in itertools.count(1))
        self.meetings = Meetings(self.meeting_store, MeetingEffects(self.store, FakeRuleSets(self.rule_set),
                                                                    self.roster),
                                 self.casework, self.roster, audit, self.clock, invite=self.invited.append,
                                 new_id=lambda: next(ids))
        self.instance = StudentInterventionInstance(
            "inst-1", T, S, STUDENT, "england", self.rule_set.version, InstanceStatus.ACTIVE, 3,
            StageType.MEETING, action, date(2024, 9, 20), date(2024, 10, 14), ("evidence",), etag="i0")
        self.store.instance_rows["inst-1"] = self.instance
        self.store.case_rows[STUDENT] = Case(T, S, STUDENT, 1, CaseStatus.OPEN, date(2024, 9, 20),
                                             date(2024, 9, 20), ("inst-1",), etag="c0")

    def at(self, when: datetime) -> None:
        self.clock.at = when

    def book(self, **kw: Any) -> InterventionMeeting:
        return self.meetings.schedule(officer(), T, S, student_id=STUDENT, instance_id="inst-1",
                                      starts_at=datetime(2024, 10, 15, 9, tzinfo=UTC),
                                      ends_at=datetime(2024, 10, 15, 10, tzinfo=UTC), location="Room 4", **kw)

    def current(self) -> StudentInterventionInstance:
        return self.store.instance_rows["inst-1"]
