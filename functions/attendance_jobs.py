"""Normalization triggers: the nightly fan-out, one school per queue message, and SIS syncs.

The nightly timer sends one `normalize-school` message per school (yesterday in the school's
time zone); the queue function normalizes that school in a job run (`normalize`,
`{schoolId}/{date}`); a `sis-sync-completed` message enqueues the same work, forced.
See docs/operations.md.
"""

from __future__ import annotations

import logging

import azure.functions as func

import bootstrap
from functions.sis_sync import parse_sis_sync_message
from services.attendance.normalize_jobs import NORMALIZE_QUEUE, parse_request
from services.platform.context import correlation

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.timer_trigger(arg_name="timer", schedule="%NIGHTLY_SCHEDULE%")
def nightly(timer: func.TimerRequest) -> None:
    """A job run scoped to the UTC date: a replayed occurrence enqueues no school twice
    (NormalizeJobs.nightly)."""
    with correlation():
        bootstrap.composition().attendance.normalize_jobs.nightly()


@bp.queue_trigger(arg_name="msg", queue_name=NORMALIZE_QUEUE, connection="AzureWebJobsStorage")
def normalize_school(msg: func.QueueMessage) -> None:
    """A malformed body raises (ValueError): after 5 dequeues it rests in normalize-school-poison."""
    request = parse_request(msg.get_body())
    with correlation(request.correlation_id):
        # the message id is the same on each delivery: a redelivery takes over the school's lease
        # from an attempt that died holding it (storage went away), instead of waiting it out
        bootstrap.composition().attendance.normalize_jobs.handle(request, message_id=msg.id)


@bp.service_bus_queue_trigger(arg_name="msg", queue_name="%SIS_SYNC_QUEUE%",
                              connection="ServiceBusConnection")
def sis_sync_completed(msg: func.ServiceBusMessage) -> None:
    """An invalid message raises InvalidMessage: Service Bus redelivers, then dead-letters it."""
    sync = parse_sis_sync_message(msg)
    with correlation(sync.correlation_id):
        request = bootstrap.composition().attendance.normalize_jobs.on_sis_sync(sync)
        log.info("sis sync %s: normalization of %s/%s enqueued", sync.sync_id, sync.school_id,
                 request.date)
