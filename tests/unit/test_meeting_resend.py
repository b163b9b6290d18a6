"""The nightly re-sends a lost invitation job (services/meetings/resend.py): only for a booked meeting
still to come whose instance waits on that MEETING stage, booked more than RESEND_AFTER ago, whose
current-sequence invitation has no artifact or only a stopped PENDING one; never for one whose
invitations are delivered or otherwise settled. The invitations are read once, and only when some
meeting is a candidate."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.letters.artifacts import ArtifactStatus
from domain.meetings.model import InterventionMeeting, MeetingStatus
from domain.meetings.notices import InvitationRecord
from domain.rules.ruleset import StageType
from services.letters.resend import RESEND_AFTER
from services.meetings.resend import resend_lost_invitations
from tests.unit.test_meetings_nightly import AT, DAY, Night

T, S, P = "t", "s", "pupil-1"
BOOKED = AT - timedelta(hours=2)


class Invitations:
    def __init__(self, *records: InvitationRecord) -> None:
        self.records, self.reads = list(records), 0

    def school(self, tenant_id: str, school_id: str) -> list[InvitationRecord]:
        self.reads += 1
        return self.records


def instance(**kw: Any) -> StudentInterventionInstance:
    base = StudentInterventionInstance("inst-1", T, S, P, "england", 1, InstanceStatus.ACTIVE, 3,
                                       StageType.MEETING, ActionState.APPROVED, date(2024, 9, 20), DAY,
                                       ("evidence",))
    return replace(base, **kw)


def meeting(**kw: Any) -> InterventionMeeting:
    start = AT + timedelta(days=1)
    base = InterventionMeeting("m1", T, S, P, MeetingStatus.SCHEDULED, "u", BOOKED, "u", BOOKED, "inst-1", 3,
                               start, start + timedelta(hours=1))
    return replace(base, **kw)


def record(status: ArtifactStatus, *, sequence: int = 0, at: datetime = BOOKED,
           **kw: Any) -> InvitationRecord:
    return InvitationRecord(f"a-{status.value}-{sequence}", "m1", sequence, "g1", status, at, **kw)


def resend(invitations: Invitations, *meetings: InterventionMeeting,
           instances: tuple[StudentInterventionInstance, ...] = (instance(),)) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    count = resend_lost_invitations(invitations, sent.append, instances, meetings, now=AT, after=RESEND_AFTER)
    assert count == len(sent)
    return sent


def test_a_booked_meeting_with_no_invitation_artifact_gets_its_job_again() -> None:
    [job] = resend(Invitations(), meeting(sequence=1))
    assert (job["meetingId"], job["meetingSequence"], job["instanceId"]) == ("m1", 1, "inst-1")
    assert job["stageOrder"] == 3


def test_an_invitation_of_an_earlier_sequence_does_not_count_for_the_moved_meeting() -> None:
    assert len(resend(Invitations(record(ArtifactStatus.DELIVERED, sequence=0)), meeting(sequence=1))) == 1


def test_delivered_failed_unreachable_and_in_flight_invitations_are_not_sent_again() -> None:
    for found in (record(ArtifactStatus.DELIVERED, channel="EMAIL"), record(ArtifactStatus.FAILED),
                  record(ArtifactStatus.RENDERED, unreachable=True), record(ArtifactStatus.RENDERED),
                  record(ArtifactStatus.SENDING)):
        assert resend(Invitations(found), meeting()) == [], found


def test_a_pending_invitation_is_sent_again_only_once_its_render_job_is_long_gone() -> None:
    assert len(resend(Invitations(record(ArtifactStatus.PENDING)), meeting())) == 1
    recent = record(ArtifactStatus.PENDING, at=AT - timedelta(minutes=5))
    assert resend(Invitations(recent), meeting()) == []
    delivered = replace(record(ArtifactStatus.DELIVERED), guardian_id="g2")
    mixed = Invitations(record(ArtifactStatus.PENDING), delivered)
    assert resend(mixed, meeting()) == []


def test_meetings_the_renderer_would_skip_or_just_booked_are_not_candidates_and_cost_no_read() -> None:
    invitations = Invitations()
    for m, i in ((meeting(updated_at=AT - timedelta(minutes=5)), instance()),  # the job may be on its way
                 (meeting(starts_at=AT - timedelta(hours=1)), instance()),  # already past
                 (meeting(status=MeetingStatus.CANCELLED), instance()),
                 (meeting(instance_id=None, stage_order=None), instance()),  # standalone
                 (meeting(), instance(stage_order=4, stage_type=StageType.ESCALATION)),
                 (meeting(), instance(action=ActionState.QUEUED)),
                 (meeting(), instance(status=InstanceStatus.STOPPED))):
        assert resend(invitations, m, instances=(i,)) == []
    assert invitations.reads == 0


def test_many_candidates_read_the_invitations_once() -> None:
    invitations = Invitations(record(ArtifactStatus.DELIVERED))
    others = [meeting(id=f"m{n}", instance_id=f"inst-{n}") for n in range(2, 5)]
    instances = (instance(), *(instance(id=f"inst-{n}") for n in range(2, 5)))
    sent = resend(invitations, meeting(), *others, instances=instances)
    assert sorted(j["meetingId"] for j in sent) == ["m2", "m3", "m4"] and invitations.reads == 1


def test_the_nightly_re_sends_a_lost_invitation_once_and_not_after_it_is_delivered() -> None:
    sent: list[dict[str, Any]] = []
    invitations = Invitations()
    night = Night(send=sent.append, invitations=invitations)
    night.at_meeting_stage(action=ActionState.APPROVED, action_done_on=None)
    night.meetings.rows["m1"] = meeting(starts_at=datetime(2024, 10, 20, 9, tzinfo=UTC),
                                        ends_at=datetime(2024, 10, 20, 10, tzinfo=UTC))
    night.run(DAY)
    assert [j["meetingId"] for j in sent] == ["m1"]
    assert night.meetings.school_reads == 1  # the resend and the meeting facts share one read
    night.run(DAY + timedelta(days=1))  # the job went again but its renderer has not run yet
    assert len(sent) == 2
    invitations.records.append(record(ArtifactStatus.DELIVERED, channel="EMAIL"))
    night.run(DAY + timedelta(days=2))
    assert len(sent) == 2
    waiting = night.store.instance_rows["inst-1"]
    assert (waiting.stage_order, waiting.action) == (3, ActionState.APPROVED)  # still a candidate
