"""The cancellation notice (services/meetings/cancellation.py): cancelling a SCHEDULED meeting sends
one `meeting-notices` job; its handler e-mails each guardian whose invitation was e-mailed, once,
with a METHOD:CANCEL .ics; a redelivered job, a racing handler or a posted-only invitation sends
nothing; a failed send gives its claim back for the retry; a stale claim is taken over."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.letters.artifacts import ArtifactStatus, Attachment
from domain.meetings.model import InterventionMeeting, MeetingStatus
from domain.meetings.notices import InvitationRecord, NoticeMark, NoticeState
from domain.platform.errors import AlreadyExists, ConcurrencyError
from services.meetings.cancellation import (
    CancellationJob,
    MeetingCancellations,
    cancellation_job,
)
from services.meetings.service import MeetingChange
from services.platform.audit import AuditLog
from services.platform.ports import FixedClock
from tests.fakes_attendance import FakeAuditRepository
from tests.fakes_letters import FakeRoster, S, T, link
from tests.fakes_meetings import FakeMeetingStore, MeetingWorld, officer
from tests.fakes_meetings import S as MS
from tests.fakes_meetings import T as MT

NOW = datetime(2024, 10, 14, 12, tzinfo=UTC)
_etags = itertools.count(1)


class Marks:
    def __init__(self) -> None:
        self.rows: dict[str, NoticeMark] = {}

    def of_meeting(self, tenant_id: str, school_id: str, meeting_id: str) -> dict[str, NoticeMark]:
        return {m.guardian_id: m for m in self.rows.values() if m.meeting_id == meeting_id}

    def insert(self, mark: NoticeMark) -> NoticeMark:
        if mark.guardian_id in self.rows:
            raise AlreadyExists("exists")
        self.rows[mark.guardian_id] = replace(mark, etag=f"n{next(_etags)}")
        return self.rows[mark.guardian_id]

    def replace(self, mark: NoticeMark) -> NoticeMark:
        if self.rows[mark.guardian_id].etag != mark.etag:
            raise ConcurrencyError("stale")
        self.rows[mark.guardian_id] = replace(mark, etag=f"n{next(_etags)}")
        return self.rows[mark.guardian_id]


class Mailer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, tuple[Attachment, ...]]] = []
        self.fail = False

    def send_notice(self, to: str, subject: str, body: str, attachments: tuple[Attachment, ...] = ()) -> str:
        if self.fail:
            raise OSError("smtp down")
        self.sent.append((to, subject, body, attachments))
        return f"<msg-{len(self.sent)}>"


class Invitations:
    def __init__(self, *records: InvitationRecord) -> None:
        self.records = list(records)

    def of_meeting(self, tenant_id: str, school_id: str, meeting_id: str) -> list[InvitationRecord]:
        return [r for r in self.records if r.meeting_id == meeting_id]


def invitation(guardian_id: str, *, sequence: int = 0, channel: str | None = "EMAIL",
               status: ArtifactStatus = ArtifactStatus.DELIVERED) -> InvitationRecord:
    return InvitationRecord(f"a-{guardian_id}-{sequence}", "m1", sequence, guardian_id, status, NOW, channel)


class World:
    def __init__(self, *records: InvitationRecord, status: MeetingStatus = MeetingStatus.CANCELLED) -> None:
        g1, g2, g3 = link("g1", 1), link("g2", 2), link("g3", 3)
        for _, guardian in (g1, g2):
            object.__setattr__(guardian, "email", f"{guardian.guardian_id}@example.org")
        self.roster = FakeRoster([g1, g2, g3])
        self.meetings, self.marks, self.mailer = FakeMeetingStore(), Marks(), Mailer()
        start = NOW + timedelta(days=1)
        self.meetings.rows["m1"] = InterventionMeeting(
            "m1", T, S, "st1", status, "u", NOW, "u", NOW, "i1", 3, start, start + timedelta(hours=1),
            "Room 4", sequence=2)
        self.clock, self.audit = FixedClock(NOW), FakeAuditRepository()
        self.handler = MeetingCancellations(self.meetings, Invitations(*records), self.marks, self.roster,
                                            self.mailer, AuditLog(self.audit, self.clock), self.clock)

    def run(self) -> int:
        return self.handler.handle(CancellationJob(T, S, "m1"))


def test_each_e_mailed_guardian_gets_one_cancellation_with_a_cancel_calendar_file() -> None:
    world = World(invitation("g1", sequence=0), invitation("g1", sequence=1),
                  invitation("g2", channel="EMAIL_AND_POST"), invitation("g3", channel="POST"))
    assert world.run() == 2
    assert [m[0] for m in world.mailer.sent] == ["g1@example.org", "g2@example.org"]
    to, subject, body, [ics] = world.mailer.sent[0]
    assert subject == "Meeting cancelled: School"
    assert body.startswith("The meeting about Aoife on ") and "Room 4 is cancelled." in body
    text = ics.content.decode()
    assert ics.filename == "cancellation.ics" and ics.content_type == "text/calendar; method=CANCEL"
    assert "METHOD:CANCEL" in text and "STATUS:CANCELLED" in text and "SEQUENCE:2" in text
    assert {m.state for m in world.marks.rows.values()} == {NoticeState.SENT}
    assert [r.action for r in world.audit.records] == ["meeting.cancellation-sent"] * 2
    assert all("example.org" not in str(r.after) for r in world.audit.records)


def test_a_redelivered_job_sends_nothing_more() -> None:
    world = World(invitation("g1"))
    assert world.run() == 1
    assert world.run() == 0
    assert len(world.mailer.sent) == 1


def test_nothing_goes_to_undelivered_or_posted_invitations_or_for_a_meeting_not_cancelled() -> None:
    world = World(invitation("g1", status=ArtifactStatus.RENDERED), invitation("g3", channel="POST"))
    assert world.run() == 0
    scheduled = World(invitation("g1"), status=MeetingStatus.SCHEDULED)
    assert scheduled.run() == 0
    assert world.mailer.sent == scheduled.mailer.sent == [] and world.marks.rows == {}


def test_a_failed_send_gives_the_claim_back_so_the_retry_sends_it() -> None:
    world = World(invitation("g1"))
    world.mailer.fail = True
    with pytest.raises(OSError, match="smtp down"):
        world.run()
    assert world.marks.rows["g1"].state is NoticeState.SENDING and world.marks.rows["g1"].since is None
    world.mailer.fail = False
    assert world.run() == 1


def test_a_live_claim_is_left_to_its_handler_and_a_stale_one_is_taken_over() -> None:
    world = World(invitation("g1"))
    world.marks.insert(NoticeMark(T, S, "m1", "g1", NoticeState.SENDING, NOW - timedelta(minutes=1)))
    assert world.run() == 0
    world.clock.at = NOW + timedelta(minutes=15)  # the other handler died mid-send
    assert world.run() == 1
    assert world.marks.rows["g1"].state is NoticeState.SENT


def test_two_handlers_racing_for_one_guardian_send_once() -> None:
    world = World(invitation("g1"))
    inner = world.marks.insert

    def racer(mark: NoticeMark) -> NoticeMark:  # the other handler's claim lands first
        inner(replace(mark, since=NOW))
        return inner(mark)

    world.marks.insert = racer  # type: ignore[method-assign]
    assert world.run() == 0 and world.mailer.sent == []


def test_the_job_names_the_meeting_and_a_standalone_meeting_has_none() -> None:
    world = World()
    meeting = world.meetings.rows["m1"]
    job: dict[str, Any] | None = cancellation_job(meeting)
    assert job is not None and CancellationJob.parse(job) == CancellationJob(T, S, "m1", job["correlationId"])
    assert cancellation_job(replace(meeting, instance_id=None)) is None
    with pytest.raises(ValueError, match="unknown kind"):
        CancellationJob.parse({"kind": "other", "tenantId": T, "schoolId": S, "meetingId": "m1"})


def test_meetings_call_the_cancelled_seam_for_a_scheduled_meeting_only() -> None:
    world = MeetingWorld()
    cancelled: list[InterventionMeeting] = []
    world.meetings._cancelled = cancelled.append
    booked = world.book()
    world.meetings.change(officer(), MT, MS, booked.id, booked.etag or "", MeetingChange(location="Room 5"))
    assert cancelled == []
    current = world.meeting_store.meeting(MT, MS, booked.id)
    done = world.meetings.change(officer(), MT, MS, booked.id, current.etag or "",
                                 MeetingChange(status=MeetingStatus.CANCELLED))
    assert [m.id for m in cancelled] == [booked.id] and done.status is MeetingStatus.CANCELLED
