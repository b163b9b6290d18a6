"""Wonde syncs: two timers (nightly, before normalization; intraday) fan out one `sis-sync`
message per connected school, and the queue function syncs that school (services/sis/jobs.py)."""

from __future__ import annotations

import azure.functions as func

import bootstrap
from services.platform.context import correlation
from services.sis.jobs import SYNC_QUEUE, parse_sync_request

bp = func.Blueprint()


@bp.timer_trigger(arg_name="timer", schedule="%WONDE_SYNC_SCHEDULE%")
def wonde_sync_nightly(timer: func.TimerRequest) -> None:
    with correlation():
        bootstrap.composition().sis.jobs.fan_out("nightly")


@bp.timer_trigger(arg_name="timer", schedule="%WONDE_INTRADAY_SCHEDULE%")
def wonde_sync_intraday(timer: func.TimerRequest) -> None:
    with correlation():
        bootstrap.composition().sis.jobs.fan_out("intraday")


@bp.queue_trigger(arg_name="msg", queue_name=SYNC_QUEUE, connection="AzureWebJobsStorage")
def wonde_sync_school(msg: func.QueueMessage) -> None:
    """A malformed body raises (ValueError): after 5 dequeues it rests in sis-sync-poison."""
    request = parse_sync_request(msg.get_body())
    with correlation(request.correlation_id):
        bootstrap.composition().sis.jobs.handle(request)
