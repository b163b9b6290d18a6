"""The meeting invitation end to end on Azurite with a real local SMTP server: booking through
`POST /api/meetings` sends a `letter-jobs` message (bootstrap's `invite`), the letter trigger
renders the England starter `eng-meeting-invitation` with the meeting's time, the blob trigger
e-mails the PDF with `invitation.ics`; the MEETING stage is done (MEETING_SCHEDULED). Moving the
meeting invites again with SEQUENCE 1; a redelivered job or blob event sends nothing more."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from azure.functions import QueueMessage
from pypdf import PdfReader

import bootstrap
from domain.casework.cases import Case, CaseStatus
from domain.ladder.events import EventKind, verify_chain
from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.letters.artifacts import ArtifactStatus
from domain.rules.ruleset import StageType
from services.interventions.effects import LETTER_JOBS_QUEUE
from services.interventions.ports import StudentChange
from services.platform.ports import FixedClock
from tests.integration.test_attendance_api import function, mark, normalize, post
from tests.integration.test_letter_delivery import Inbox, blob_event, free_port, seed

pytestmark = pytest.mark.integration

S1 = {"schoolId": "s1"}
NOW = datetime(2024, 10, 14, 12, tzinfo=UTC)  # a Monday
START, END = "2024-10-15T08:30:00+00:00", "2024-10-15T09:00:00+00:00"  # 09:30 to 10:00 in London


class RecordedJobs:
    """The container's queue sender with `letter-jobs` kept here rather than on the shared
    Azurite queue (other tests drain that queue); everything else is sent as usual."""

    def __init__(self, real: Any) -> None:
        self.real, self.jobs = real, []  # type: list[dict[str, Any]]

    def send(self, queue: str, body: Any, **kw: Any) -> str:
        if queue == LETTER_JOBS_QUEUE:
            self.jobs.append(body)
            return "recorded"
        return str(self.real.send(queue, body, **kw))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def world(client, settings, admin, mint, tenant, inbox) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """s1 on a clock at NOW with st1 (one e-mail guardian, English) absent often enough to have
    summaries, on the England preset's MEETING stage with the action queued and an open case."""
    _, port = inbox
    previous = bootstrap.composition()
    own = bootstrap.Composition(settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_use_tls": False}), clock=FixedClock(NOW))
    recorded = RecordedJobs(own.platform.queues)
    own.platform.queues = recorded  # type: ignore[misc]
    bootstrap.use_composition(own)
    seed(client, admin, "email")
    sis = mint("Integration", tenant, ["s1"])
    days = [date(2024, 9, 2) + timedelta(days=i) for i in range(43)]
    post(client, sis, [mark("st1", d.isoformat(), s, "O" if d.day % 3 == 0 else "/") for d in days
                       if d.weekday() < 5 for s in ("AM", "PM")])
    normalize(client, admin, "2024-10-14")
    preset = client.post("/api/interventions/rules/presets/ENG", params=S1, headers=admin)
    assert preset.status_code == 201, preset.text
    instance = StudentInterventionInstance(
        "inst-" + tenant, tenant, "s1", "st1", preset.json()["id"], preset.json()["version"],
        InstanceStatus.ACTIVE, 3, StageType.MEETING, ActionState.QUEUED, date(2024, 9, 20),
        date(2024, 10, 14), ("evidence",))
    case = Case(tenant, "s1", "st1", 1, CaseStatus.OPEN, date(2024, 9, 20), date(2024, 9, 20), (instance.id,))
    change = StudentChange("st1", ((instance, ()),), (), case)
    assert own.interventions.store.save(tenant, "s1", [change]) == []
    yield {"officer": mint("AttendanceOfficer", tenant, ["s1"]), "container": own, "jobs": recorded.jobs,
           "instance": instance.id, "tenant": tenant}
    bootstrap.use_composition(previous)


def render(job: dict[str, Any]) -> None:
    function("render_letter")(QueueMessage(body=json.dumps(job).encode()))


def invitations(w: dict[str, Any]) -> list[Any]:
    found = w["container"].letters.artifact_store.for_student(w["tenant"], "s1", "st1")
    return sorted(found, key=lambda a: a.meeting_sequence or 0)


def pdf_text(data: bytes) -> str:
    return " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages)


def parts(message: Any) -> tuple[bytes, str, str]:
    """The PDF, the .ics text and the .ics Content-Type of an invitation e-mail."""
    pdf, ics = list(message.iter_attachments())
    assert pdf.get_content_type() == "application/pdf" and pdf.get_filename() == "letter.pdf"
    assert ics.get_filename() == "invitation.ics"
    return pdf.get_content(), ics.get_content(), str(ics["Content-Type"])


def test_booking_e_mails_the_invitation_with_its_calendar_file_and_moving_it_invites_again(  # type: ignore[no-untyped-def]
        client, world, inbox):
    booked = client.post("/api/meetings", params=S1, headers=world["officer"], json={
        "studentId": "st1", "instanceId": world["instance"], "startsAt": START, "endsAt": END,
        "location": "Room 4"})
    assert booked.status_code == 201, booked.text
    meeting_id = booked.json()["id"]
    [job] = world["jobs"]
    assert (job["meetingId"], job["meetingSequence"], job["stageOrder"]) == (meeting_id, 0, 3)

    render(job)
    [first] = invitations(world)
    assert first.status is ArtifactStatus.RENDERED
    assert (first.meeting_id, first.meeting_sequence) == (meeting_id, 0)
    blob_event(first.storage_path)
    [message] = inbox[0].messages
    assert message["Subject"] == "Invitation to a meeting at St Brigid's"
    pdf, ics, kind = parts(message)
    assert "Tuesday, 15 October 2024, 09:30\u201310:00, Room 4" in " ".join(pdf_text(pdf).split())
    assert kind.startswith("text/calendar") and 'method="REQUEST"' in kind
    assert "METHOD:REQUEST" in ics and "DTSTART:20241015T083000Z" in ics and "SEQUENCE:0" in ics
    assert f"UID:{meeting_id}@" in ics

    store = world["container"].interventions.store
    instance = store.instance(world["tenant"], "s1", world["instance"])
    assert instance.action is ActionState.DONE
    events = store.events(world["tenant"], "s1", instance.id)
    assert events[-1].kind is EventKind.MEETING_SCHEDULED and events[-1].data["meetingId"] == meeting_id
    assert verify_chain(events, head=instance.last_hash) is None

    moved = client.put(f"/api/meetings/{meeting_id}", params=S1, json={
        "startsAt": "2024-10-16T13:00:00+00:00", "endsAt": "2024-10-16T13:30:00+00:00"},
        headers={**world["officer"], "If-Match": booked.headers["ETag"]})
    assert moved.status_code == 200 and moved.json()["sequence"] == 1, moved.text
    old_job, new_job = world["jobs"]
    assert new_job["meetingSequence"] == 1
    render(old_job)  # the first job again: its meeting has moved on, nothing new
    assert len(invitations(world)) == 1
    render(new_job)
    _, second = invitations(world)
    assert second.id != first.id and second.meeting_sequence == 1
    blob_event(second.storage_path)
    render(new_job)  # redelivered job and blob events: nothing more is sent
    blob_event(second.storage_path)
    blob_event(first.storage_path)

    assert len(inbox[0].messages) == 2
    pdf, ics, _ = parts(inbox[0].messages[1])
    assert "Wednesday, 16 October 2024, 14:00\u201314:30" in " ".join(pdf_text(pdf).split())
    assert "SEQUENCE:1" in ics and "DTSTART:20241016T130000Z" in ics and f"UID:{meeting_id}@" in ics
    assert len(invitations(world)) == 2
    kinds = [e.kind for e in store.events(world["tenant"], "s1", world["instance"])]
    assert kinds.count(EventKind.MEETING_SCHEDULED) == 1


def test_a_standalone_meeting_sends_no_invitation(client, world) -> None:  # type: ignore[no-untyped-def]
    booked = client.post("/api/meetings", params=S1, headers=world["officer"], json={
        "studentId": "st1", "startsAt": START, "endsAt": END})
    assert booked.status_code == 201, booked.text
    assert world["jobs"] == []


def test_an_invitation_to_a_meeting_cancelled_before_delivery_is_not_sent(  # type: ignore[no-untyped-def]
        client, world, inbox):
    booked = client.post("/api/meetings", params=S1, headers=world["officer"], json={
        "studentId": "st1", "instanceId": world["instance"], "startsAt": START, "endsAt": END})
    assert booked.status_code == 201, booked.text
    render(world["jobs"][0])
    cancelled = client.put(f"/api/meetings/{booked.json()['id']}", params=S1, json={"status": "CANCELLED"},
                           headers={**world["officer"], "If-Match": booked.headers["ETag"]})
    assert cancelled.status_code == 200, cancelled.text
    [artifact] = invitations(world)
    blob_event(artifact.storage_path)
    assert inbox[0].messages == []
    after = world["container"].letters.artifact_store.get(world["tenant"], "s1", artifact.id)
    assert after.status is ArtifactStatus.FAILED and "CANCELLED" in (after.failure_reason or "")
    records, _ = world["container"].platform.audit.list(world["tenant"], entity_id=artifact.id)
    assert "letter.superseded" in [r.action for r in records]
