"""The intervention scheduler's trigger: one `evaluate-school` message (sent after a school's
nightly normalization) runs the scheduler for that school and date in a job run
(`interventions`, `{schoolId}/{date}`). See docs/operations.md."""

from __future__ import annotations

import azure.functions as func

import bootstrap
from services.interventions.jobs import EVALUATE_QUEUE, parse_request
from services.platform.context import correlation

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name=EVALUATE_QUEUE, connection="AzureWebJobsStorage")
def evaluate_school(msg: func.QueueMessage) -> None:
    """A malformed body raises (ValueError): after 5 dequeues it rests in evaluate-school-poison."""
    request = parse_request(msg.get_body())
    with correlation(request.correlation_id):
        bootstrap.composition().nightly.jobs.handle(request)
