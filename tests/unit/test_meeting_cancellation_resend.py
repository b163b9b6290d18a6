"""The nightly re-sends a lost cancellation job (services/meetings/cancellation_resend.py): only for
a meeting tied to an intervention, cancelled between RESEND_AFTER and CANCELLATION_WINDOW ago,
still to come, with a guardian whose invitation was e-mailed and DELIVERED but who has no SENT
marker; never for posted-only or undelivered invitations. Invitations and markers are read once
each, only when some meeting is a candidate, and the invitations once a night however many
resends ask."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.ladder.model import ActionState
from domain.letters.artifacts import ArtifactStatus
from domain.meetings.model import InterventionMeeting, MeetingStatus
from domain.meetings.notices import CANCELLATION_WINDOW, InvitationRecord
from services.letters.resend import RESEND_AFTER
from services.meetings.cancellation import CANCELLATION
from services.meetings.cancellation_resend import LostCancellations, NightInvitations
from tests.unit.test_meeting_resend import Invitations, meeting, record
from tests.unit.test_meetings_nightly import AT, DAY, Night

CANCELLED_AT = AT - timedelta(hours=2)


class Marks:
    def __init__(self, *sent: tuple[str, str]) -> None:
        self.pairs, self.reads = set(sent), 0

    def sent(self, tenant_id: str, school_id: str) -> set[tuple[str, str]]:
        self.reads += 1
        return self.pairs


def cancelled(**kw: Any) -> InterventionMeeting:
    return meeting(**{"status": MeetingStatus.CANCELLED, "sequence": 1, "updated_at": CANCELLED_AT, **kw})


def emailed(guardian_id: str = "g1", *, meeting_id: str = "m1", channel: str = "EMAIL") -> InvitationRecord:
    return replace(record(ArtifactStatus.DELIVERED, channel=channel), guardian_id=guardian_id,
                   meeting_id=meeting_id)


def resend(invitations: Invitations, marks: Marks, *meetings: InterventionMeeting) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    count = LostCancellations(marks, sent.append).resend(invitations, meetings, now=AT, after=RESEND_AFTER)
    assert count == len(sent)
    return sent


def test_a_cancellation_with_no_sent_marker_for_an_e_mailed_guardian_gets_its_job_again() -> None:
    [job] = resend(Invitations(emailed()), Marks(), cancelled())
    assert (job["kind"], job["meetingId"], job["tenantId"], job["schoolId"]) == (CANCELLATION, "m1", "t", "s")


def test_every_e_mailed_guardian_must_have_a_sent_marker() -> None:
    both = Invitations(emailed("g1"), emailed("g2"), emailed("g3", channel="EMAIL_AND_POST"))
    assert len(resend(both, Marks(("m1", "g1"), ("m1", "g2")), cancelled())) == 1
    assert resend(both, Marks(("m1", "g1"), ("m1", "g2"), ("m1", "g3")), cancelled()) == []
    other_meetings = Marks(("m2", "g3"), ("m1", "g1"), ("m1", "g2"))  # g3's marker is another meeting's
    assert len(resend(both, other_meetings, cancelled())) == 1


def test_posted_undelivered_or_other_meetings_invitations_cost_no_marker_read() -> None:
    marks = Marks()
    for found in (record(ArtifactStatus.DELIVERED, channel="POST"),
                  record(ArtifactStatus.FAILED, channel="EMAIL"),
                  record(ArtifactStatus.RENDERED, channel="EMAIL"), emailed(meeting_id="m2")):
        assert resend(Invitations(found), marks, cancelled()) == [], found
    assert marks.reads == 0


def test_meetings_not_recently_cancelled_or_already_past_are_not_candidates_and_cost_no_read() -> None:
    invitations, marks = Invitations(emailed()), Marks()
    for m in (cancelled(updated_at=AT - timedelta(minutes=5)),  # the job may be on its way
              cancelled(updated_at=AT - CANCELLATION_WINDOW - timedelta(minutes=1)),  # given up
              cancelled(starts_at=AT - timedelta(hours=1)),  # past: nothing to take out of a calendar
              cancelled(starts_at=None, ends_at=None),
              cancelled(instance_id=None, stage_order=None),  # standalone: it had no invitation
              meeting(), meeting(status=MeetingStatus.HELD, updated_at=CANCELLED_AT)):
        assert resend(invitations, marks, m) == [], m
    assert invitations.reads == 0 and marks.reads == 0
    assert len(resend(invitations, marks, cancelled(updated_at=AT - CANCELLATION_WINDOW))) == 1  # the edge


def test_many_candidates_read_invitations_and_markers_once() -> None:
    invitations = Invitations(*(emailed(meeting_id=f"m{n}") for n in range(1, 5)))
    marks = Marks(("m2", "g1"))
    sent = resend(invitations, marks, *(cancelled(id=f"m{n}") for n in range(1, 5)))
    assert sorted(j["meetingId"] for j in sent) == ["m1", "m3", "m4"]
    assert invitations.reads == 1 and marks.reads == 1


def test_night_invitations_read_the_school_once() -> None:
    reader = Invitations(emailed())
    night = NightInvitations(reader)
    assert night.school("t", "s") == night.school("t", "s") == reader.records and reader.reads == 1


def test_the_nightly_re_sends_a_lost_cancellation_until_it_is_sent_and_shares_one_invitation_read() -> None:
    notices: list[dict[str, Any]] = []
    invitations, marks = Invitations(emailed()), Marks()
    night = Night(invitations=invitations, sent_notices=marks, send_notice=notices.append)
    night.at_meeting_stage(action=ActionState.APPROVED, action_done_on=None)
    start = datetime(2024, 10, 20, 9, tzinfo=UTC)
    night.meetings.rows["m1"] = cancelled(starts_at=start, ends_at=start + timedelta(hours=1))
    night.meetings.rows["m2"] = meeting(id="m2", starts_at=start, ends_at=start + timedelta(hours=1))
    night.run(DAY)  # m2 is a lost-invitation candidate too: still one invitation read
    assert [j["meetingId"] for j in notices] == ["m1"]
    assert invitations.reads == 1 and marks.reads == 1 and night.meetings.school_reads == 1
    night.run(DAY + timedelta(days=1))  # the job went again but its handler has not run yet
    assert len(notices) == 2
    marks.pairs.add(("m1", "g1"))
    night.run(DAY + timedelta(days=2))
    assert len(notices) == 2
