"""Print-batch triggers: the hourly timer fans out one message per school at its local
BUILD_HOUR, the queue trigger builds that school's batch for the day before
(services/letters/printing/schedule.py, docs/operations.md)."""

from __future__ import annotations

import azure.functions as func

import bootstrap
from services.letters.printing.schedule import PRINT_BATCH_QUEUE, PrintBatchRequest
from services.platform.context import correlation

bp = func.Blueprint()


@bp.timer_trigger(arg_name="timer", schedule="%PRINT_BATCH_SCHEDULE%")
def print_batch_timer(timer: func.TimerRequest) -> None:
    """A job run scoped to the UTC hour: a replayed occurrence sends nothing twice
    (PrintBatchJobs.hourly)."""
    with correlation():
        bootstrap.composition().letters.print_batch_jobs.hourly()


@bp.queue_trigger(arg_name="msg", queue_name=PRINT_BATCH_QUEUE, connection="AzureWebJobsStorage")
def build_print_batch(msg: func.QueueMessage) -> None:
    """A malformed body raises (ValueError): after 5 dequeues it rests in print-batch-jobs-poison."""
    request = PrintBatchRequest.parse(msg.get_body())
    with correlation(request.correlation_id):
        bootstrap.composition().letters.print_batch_jobs.handle(request)
