"""Meeting invitations through the letter renderer, with fakes: `meetingWhen` in the school's
zone, one artifact per meeting and sequence (a moved meeting is invited again, a redelivered job
creates nothing), stale invitation jobs skipped with the reason; the job message and the
plain-letter artifact ids that must not change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.ladder.model import ActionState, InstanceStatus
from domain.letters import LetterTemplate, approve
from domain.letters.artifacts import artifact_id
from domain.letters.meeting_when import meeting_when
from domain.meetings.model import InterventionMeeting, MeetingStatus
from domain.platform.events import event_id
from domain.rules.ruleset import StageType
from services.letters.job import LetterJob
from services.meetings.invitations import invitation_job
from tests.fakes_letters import (
    BODY,
    SCHEMA,
    FakeTemplates,
    RendererWorld,
    letter_item,
)
from tests.fakes_meetings import FakeMeetingStore

AT = datetime(2026, 1, 2, 9, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def meeting(**kw: object) -> InterventionMeeting:
    values: dict[str, object] = dict(
        id="mtg-1", tenant_id="t1", school_id="s1", student_id="st1", status=MeetingStatus.SCHEDULED,
        created_by="officer", created_at=AT, updated_by="officer", updated_at=AT, instance_id="i1",
        stage_order=3, starts_at=datetime(2026, 1, 6, 9, 30, tzinfo=UTC),
        ends_at=datetime(2026, 1, 6, 10, tzinfo=UTC), location="Room 4")
    return InterventionMeeting(**{**values, **kw})  # type: ignore[arg-type]


def invitation_template() -> LetterTemplate:
    draft = LetterTemplate(key="eng-meeting-invitation", version=1, language="en", last_edited_by="ed",
                           body=BODY.replace("</p>", " {{ meetingWhen }}</p>"),
                           effective_from=datetime(2024, 9, 1).date(),
                           merge_fields={**SCHEMA, "meetingWhen": {"type": "string"}})
    return approve(draft, "boss", AT)


class World(RendererWorld):
    def __init__(self, **instance_kw: object) -> None:
        self.meetings = FakeMeetingStore()
        self.meetings.create(meeting())
        super().__init__(templates=FakeTemplates(invitation_template()), key="eng-meeting-invitation",
                         at=AT, meetings=self.meetings,
                         **{"stage_order": 3, "stage_type": StageType.MEETING, **instance_kw})

    def invitation(self, sequence: int | None = 0) -> LetterJob:
        return LetterJob("t1", "s1", "i1", 3, letter_item(self.instance).id, meeting_id="mtg-1",
                         meeting_sequence=sequence)

    def move(self, **kw: object) -> None:
        current = self.meetings.rows["mtg-1"]
        self.meetings.rows["mtg-1"] = replace(current, sequence=current.sequence + 1, **kw)  # type: ignore[arg-type]


def test_meeting_when_is_plain_and_in_the_school_zone() -> None:
    # Babel's (CLDR's) British English: full date, 24-hour range, an en dash
    assert meeting_when(meeting(), LONDON) == "Tuesday, 6 January 2026, 09:30\u201310:00, Room 4"
    summer = meeting(starts_at=datetime(2026, 6, 2, 8, 30, tzinfo=UTC),
                     ends_at=datetime(2026, 6, 2, 9, tzinfo=UTC), location=" ")
    assert meeting_when(summer, LONDON) == "Tuesday, 2 June 2026, 09:30\u201310:00"  # BST
    late = meeting(starts_at=datetime(2026, 1, 6, 23, tzinfo=UTC),
                   ends_at=datetime(2026, 1, 7, 0, 30, tzinfo=UTC))
    assert meeting_when(late, LONDON) == (
        "Tuesday, 6 January 2026, 23:00\u2009\u2013\u2009Wednesday, 7 January 2026, 00:30, Room 4")


def test_a_plain_letters_artifact_id_is_unchanged() -> None:
    old = event_id("letter.artifact", "i1", "1", "g1", "en", "eng-letter-1", "2")
    assert artifact_id("i1", 1, "g1", "en", "eng-letter-1", 2) == old
    assert artifact_id("i1", 1, "g1", "en", "eng-letter-1", 2, "mtg-1", 0) != old
    assert artifact_id("i1", 1, "g1", "en", "eng-letter-1", 2, "mtg-1", 0) != artifact_id(
        "i1", 1, "g1", "en", "eng-letter-1", 2, "mtg-1", 1)


def test_the_job_message_carries_the_meeting_and_a_standalone_meeting_has_none() -> None:
    job = invitation_job(meeting(sequence=2))
    assert job is not None
    parsed = LetterJob.parse(job)
    assert (parsed.meeting_id, parsed.meeting_sequence, parsed.stage_order) == ("mtg-1", 2, 3)
    assert LetterJob.parse({k: v for k, v in job.items() if not k.startswith("meeting")}).meeting_id is None
    assert invitation_job(meeting(instance_id=None, stage_order=None)) is None


def test_an_invitation_has_the_meeting_time_and_a_redelivered_job_creates_nothing() -> None:
    world = World()
    [artifact] = world.renderer.handle(world.invitation())
    assert (artifact.meeting_id, artifact.meeting_sequence) == ("mtg-1", 0)
    assert '"meetingWhen":"Tuesday, 6 January 2026, 09:30\u201310:00, Room 4"' in artifact.merge_data
    assert "Tuesday, 6 January 2026" in world.blobs.blobs[("letters", artifact.storage_path)].decode()
    assert [a.id for a in world.renderer.handle(world.invitation())] == [artifact.id]
    assert len(world.artifacts.rows) == 1 and world.blobs.puts == 1


def test_a_moved_meeting_is_invited_again_even_after_the_stage_was_done() -> None:
    world = World()
    [first] = world.renderer.handle(world.invitation())
    world.store.instance_rows["i1"] = replace(world.instance, action=ActionState.DONE)
    world.move(starts_at=datetime(2026, 1, 7, 14, tzinfo=UTC), ends_at=datetime(2026, 1, 7, 15, tzinfo=UTC))
    assert world.renderer.handle(world.invitation(0)) == []  # the first job again: the meeting moved on
    [second] = world.renderer.handle(world.invitation(1))
    assert second.id != first.id and second.meeting_sequence == 1
    assert "Wednesday, 7 January 2026, 14:00\u201315:00" in second.merge_data
    assert len(world.artifacts.rows) == 2


@pytest.mark.parametrize(("instance_kw", "meeting_kw", "reason"), [
    ({"status": InstanceStatus.STOPPED}, {}, "STOPPED"),
    ({"stage_order": 2}, {}, "not meeting stage 3"),
    ({"action": ActionState.QUEUED}, {}, "QUEUED"),
    ({}, {"status": MeetingStatus.CANCELLED}, "CANCELLED"),
    ({}, {"instance_id": "other"}, "another intervention"),
])
def test_a_stale_invitation_is_skipped_and_says_why(instance_kw, meeting_kw, reason) -> None:  # type: ignore[no-untyped-def]
    world = World(**instance_kw)
    world.meetings.rows["mtg-1"] = replace(world.meetings.rows["mtg-1"], **meeting_kw)
    assert world.renderer.handle(world.invitation()) == []
    assert not world.artifacts.rows
    [record] = world.audit.records
    assert record.action == "letter.skipped" and reason in record.after["reason"]
