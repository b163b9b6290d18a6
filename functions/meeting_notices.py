"""The meeting notices' trigger: one `meeting-notices` message (services/meetings/cancellation.py)
e-mails a cancelled meeting's guardians their cancellation once. A malformed body or a failed send
raises: the host retries, and after the 5th dequeue the message rests in meeting-notices-poison."""

from __future__ import annotations

import json

import azure.functions as func

import bootstrap
from services.meetings.cancellation import MEETING_NOTICES_QUEUE, CancellationJob
from services.platform.context import correlation

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name=MEETING_NOTICES_QUEUE, connection="AzureWebJobsStorage")
def send_meeting_notice(msg: func.QueueMessage) -> None:
    job = CancellationJob.parse(json.loads(msg.get_body()))
    with correlation(job.correlation_id):
        bootstrap.composition().meetings.cancellations.handle(job)
