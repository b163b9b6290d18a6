"""Lost invitation jobs and cancellation e-mails on Azurite with a real local SMTP server (the
world of tests/integration/test_meeting_invitations.py: `letter-jobs` kept in memory, and here
`meeting-notices` too). The nightly re-sends a lost invitation job once and not after the
invitation is delivered; cancelling an e-mailed meeting sends its guardian one plain e-mail with
a METHOD:CANCEL .ics, however often its job is delivered; a lost cancellation job is re-sent by
the nightly until its e-mail is SENT."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from azure.functions import QueueMessage

from adapters.tables.meeting_notices import NOTICES_TABLE, TableNoticeMarks
from domain.meetings.notices import NoticeMark, NoticeState
from domain.platform.errors import AlreadyExists, ConcurrencyError
from services.letters.resend import RESEND_AFTER
from services.meetings.cancellation import MEETING_NOTICES_QUEUE
from tests.integration import test_meeting_invitations as invitation_world
from tests.integration.test_attendance_api import function
from tests.integration.test_letter_delivery import blob_event
from tests.integration.test_meeting_invitations import END, NOW, S1, START, invitations, render

pytestmark = pytest.mark.integration
DAY = date(2024, 10, 14)
inbox, world = invitation_world.inbox, invitation_world.world  # that module's fixtures, here too


class Notices:
    """`meeting-notices` kept here too (the world keeps `letter-jobs`)."""

    def __init__(self, real: Any) -> None:
        self.real, self.jobs = real, []  # type: list[dict[str, Any]]

    def send(self, queue: str, body: Any, **kw: Any) -> str:
        if queue == MEETING_NOTICES_QUEUE:
            self.jobs.append(body)
            return "recorded"
        return str(self.real.send(queue, body, **kw))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def book(client: Any, w: dict[str, Any]) -> Any:
    booked = client.post("/api/meetings", params=S1, headers=w["officer"], json={
        "studentId": "st1", "instanceId": w["instance"], "startsAt": START, "endsAt": END,
        "location": "Room 4"})
    assert booked.status_code == 201, booked.text
    return booked


def nightly(w: dict[str, Any]) -> dict[str, int]:
    return w["container"].nightly.service.run(w["tenant"], "s1", DAY).counters


def test_the_nightly_re_sends_a_lost_invitation_job_once(client, world, inbox) -> None:  # type: ignore[no-untyped-def]
    meeting_id = book(client, world).json()["id"]
    world["jobs"].clear()  # the process died before the job was sent
    world["container"].platform.clock.at = NOW + RESEND_AFTER - timedelta(minutes=1)
    assert "invitationJobsResent" not in nightly(world)  # too soon: the job may be on its way
    world["container"].platform.clock.at = NOW + RESEND_AFTER + timedelta(minutes=1)
    assert nightly(world)["invitationJobsResent"] == 1
    [job] = world["jobs"]
    assert (job["meetingId"], job["meetingSequence"]) == (meeting_id, 0)

    render(job)
    [artifact] = invitations(world)
    blob_event(artifact.storage_path)
    assert len(inbox[0].messages) == 1
    assert "invitationJobsResent" not in nightly(world)  # delivered: never again
    assert len(world["jobs"]) == 1


def test_cancelling_an_e_mailed_meeting_e_mails_one_cancellation(client, world, inbox) -> None:  # type: ignore[no-untyped-def]
    notices = Notices(world["container"].platform.queues)
    world["container"].platform.queues = notices
    booked = book(client, world)
    render(world["jobs"][0])
    [artifact] = invitations(world)
    blob_event(artifact.storage_path)
    assert len(inbox[0].messages) == 1

    cancelled = client.put(f"/api/meetings/{booked.json()['id']}", params=S1, json={"status": "CANCELLED"},
                           headers={**world["officer"], "If-Match": booked.headers["ETag"]})
    assert cancelled.status_code == 200, cancelled.text
    [job] = notices.jobs
    for _ in range(2):  # the job delivered twice: one e-mail
        function("send_meeting_notice")(QueueMessage(body=json.dumps(job).encode()))
    assert len(inbox[0].messages) == 2
    message = inbox[0].messages[1]
    assert message["Subject"] == "Meeting cancelled: St Brigid's"
    assert message["To"] == inbox[0].messages[0]["To"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert ("The meeting about Sean on Tuesday, 15 October 2024, 09:30\u201310:00, Room 4 is cancelled."
            in body)
    [ics] = list(message.iter_attachments())  # no PDF
    assert ics.get_filename() == "cancellation.ics" and 'method="CANCEL"' in str(ics["Content-Type"])
    text = ics.get_content()
    assert "METHOD:CANCEL" in text and "SEQUENCE:1" in text and f"UID:{booked.json()['id']}@" in text
    records, _ = world["container"].platform.audit.list(world["tenant"], entity_id=booked.json()["id"])
    assert [r.action for r in records].count("meeting.cancellation-sent") == 1


def test_the_nightly_re_sends_a_lost_cancellation_job_until_it_is_e_mailed(client, world, inbox) -> None:  # type: ignore[no-untyped-def]
    notices = Notices(world["container"].platform.queues)
    world["container"].platform.queues = notices  # before the nightly binds its queue senders
    booked = book(client, world)
    render(world["jobs"][0])
    [artifact] = invitations(world)
    blob_event(artifact.storage_path)
    cancelled = client.put(f"/api/meetings/{booked.json()['id']}", params=S1, json={"status": "CANCELLED"},
                           headers={**world["officer"], "If-Match": booked.headers["ETag"]})
    assert cancelled.status_code == 200, cancelled.text
    notices.jobs.clear()  # the process died before the job was sent
    world["container"].platform.clock.at = NOW + RESEND_AFTER - timedelta(minutes=1)
    assert "cancellationJobsResent" not in nightly(world)  # too soon: the job may be on its way
    world["container"].platform.clock.at = NOW + RESEND_AFTER + timedelta(minutes=1)
    assert nightly(world)["cancellationJobsResent"] == 1
    [job] = notices.jobs
    assert (job["kind"], job["meetingId"]) == ("meeting-cancellation", booked.json()["id"])

    function("send_meeting_notice")(QueueMessage(body=json.dumps(job).encode()))
    assert [m["Subject"] for m in inbox[0].messages][1:] == ["Meeting cancelled: St Brigid's"]
    assert "cancellationJobsResent" not in nightly(world)  # its marker is SENT: never again
    assert len(notices.jobs) == 1


def test_notice_marks_claim_once_and_read_one_meeting_only(app_container, tenant) -> None:  # type: ignore[no-untyped-def]
    marks = TableNoticeMarks(app_container.platform.tables(NOTICES_TABLE))
    first = marks.insert(NoticeMark(tenant, "s1", "m1", "g1", NoticeState.SENDING, NOW))
    marks.insert(NoticeMark(tenant, "s1", "m10", "g1", NoticeState.SENDING, NOW))  # a prefix of m1's
    with pytest.raises(AlreadyExists):
        marks.insert(NoticeMark(tenant, "s1", "m1", "g1", NoticeState.SENDING, NOW))
    sent = marks.replace(first.sent("<id@x>"))
    with pytest.raises(ConcurrencyError):
        marks.replace(first.released())  # the claim read before it was sent
    [(guardian, found)] = marks.of_meeting(tenant, "s1", "m1").items()
    assert guardian == "g1" and found.state is NoticeState.SENT and found.message_id == "<id@x>"
    assert found.etag == sent.etag and found.since == NOW
    assert marks.sent(tenant, "s1") == {("m1", "g1")}  # the SENT ones only, for the nightly
