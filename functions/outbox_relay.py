"""Outbox relay triggers: a queue nudge relays one partition now; a timer sweeps for the rest
(services/platform/relay_jobs.py)."""

from __future__ import annotations

import azure.functions as func

import bootstrap
from services.platform.context import correlation
from services.platform.outbox import DISPATCH_QUEUE
from services.platform.relay_jobs import Nudge

bp = func.Blueprint()


@bp.queue_trigger(arg_name="msg", queue_name=DISPATCH_QUEUE, connection="AzureWebJobsStorage")
def outbox_dispatch(msg: func.QueueMessage) -> None:
    """Relay the partition a commit just wrote events to. A malformed nudge raises ValueError;
    errors propagate: the host retries and, after maxDequeueCount, parks the message in
    outbox-dispatch-poison (the sweep still relays the rows)."""
    nudge = Nudge.parse(msg.get_body())
    with correlation(nudge.correlation_id):
        bootstrap.composition().platform.relay_jobs.dispatch(nudge)


@bp.timer_trigger(arg_name="timer", schedule="%OUTBOX_RELAY_SCHEDULE%")
def outbox_sweep(timer: func.TimerRequest) -> None:
    """Relay outbox rows whose nudge was lost or failed, once per minute (RelayJobs.sweep)."""
    with correlation():
        bootstrap.composition().platform.relay_jobs.sweep()
