"""Outbox relay triggers: a queue nudge relays one partition now; a timer sweeps for the rest."""

from __future__ import annotations

import json
import logging

import azure.functions as func

import bootstrap
from services.platform.context import correlation

bp = func.Blueprint()
log = logging.getLogger(__name__)


@bp.queue_trigger(arg_name="msg", queue_name="outbox-dispatch", connection="AzureWebJobsStorage")
def outbox_dispatch(msg: func.QueueMessage) -> None:
    """Relay the partition a commit just wrote events to. Errors propagate: the host retries
    and, after maxDequeueCount, parks the message in outbox-dispatch-poison (the sweep still
    relays the rows)."""
    body = json.loads(msg.get_body())
    if not isinstance(body, dict) or not body.get("table") or not body.get("partitionKey"):
        raise ValueError("outbox-dispatch: message needs 'table' and 'partitionKey'")
    with correlation(body.get("correlationId")):
        c = bootstrap.container()
        c.relay.relay_partition(c.tables(body["table"]), body["partitionKey"])


@bp.timer_trigger(arg_name="timer", schedule="%OUTBOX_RELAY_SCHEDULE%")
def outbox_sweep(timer: func.TimerRequest) -> None:
    """Relay outbox rows whose nudge was lost or failed. Scoped to the minute: a replay of the
    same occurrence (lost singleton lease) is skipped, the next occurrence is new work."""
    with correlation():
        c = bootstrap.container()
        scope = c.clock.now().strftime("%Y-%m-%dT%H:%M")
        with c.jobs.run("outbox-sweep", scope) as run:
            if not run.skipped:
                run.count("events", c.relay.sweep(c.outbox_tables))
