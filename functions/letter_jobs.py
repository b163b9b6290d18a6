"""The letter renderer's trigger: one `letter-jobs` message renders a stage's letter for its
guardians (services/letters/render.py). The dequeue count is the attempt: on the 5th failure the
artifacts are marked FAILED and the error re-raised, so the message rests in letter-jobs-poison."""

from __future__ import annotations

import json

import azure.functions as func

import bootstrap
from services.interventions.effects import LETTER_JOBS_QUEUE
from services.letters.job import LetterJob
from services.platform.context import correlation

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name=LETTER_JOBS_QUEUE, connection="AzureWebJobsStorage")
def render_letter(msg: func.QueueMessage) -> None:
    """A malformed body raises ValueError: after 5 dequeues it rests in letter-jobs-poison."""
    job = LetterJob.parse(json.loads(msg.get_body()))
    with correlation(job.correlation_id):
        bootstrap.composition().letters.renderer.handle(job, attempt=msg.dequeue_count or 1)
