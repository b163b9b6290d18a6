"""Scheduled syncs: the timers fan out one `sis-sync` message per connected school; the queue
function runs that school's sync.

Each fan-out is a job run (`sis-sync-fanout`, `{slot}/{UTC minute}`), so a replayed timer
occurrence enqueues no school twice. A sync Wonde could not serve (throttled, down) is sent again
later, at most MAX_ATTEMPTS times, not before Wonde's `Retry-After`; a refused one (token revoked)
is not: its status shows the error until someone changes the connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from domain.platform.errors import NotFound, ValidationFailed
from domain.platform.jobs import JobRun
from services.platform.context import current_correlation_id
from services.platform.jobs import JobRuns
from services.platform.ports import Clock
from services.sis.connections import Connections
from services.sis.sync import SisSync, SyncReport, SyncRunning

log = logging.getLogger(__name__)

SYNC_QUEUE = "sis-sync"
FANOUT_KIND = "sis-sync-fanout"
MAX_ATTEMPTS = 3
RETRY_SECONDS = 300
BUSY_SECONDS = 120
Send = Callable[..., object]  # QueueSender.send bound to SYNC_QUEUE: (body, visibility_timeout=)


class SyncRequest(BaseModel):
    """The `sis-sync` message (camelCase JSON)."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel, populate_by_name=True)

    tenant_id: str = Field(min_length=1)
    school_id: str = Field(min_length=1)
    reason: str = "nightly"  # nightly | intraday | retry
    attempt: int = 1
    correlation_id: str | None = None


class SyncJobs:
    def __init__(self, connections: Connections, sync: SisSync, jobs: JobRuns, clock: Clock,
                 send: Send) -> None:
        self._connections, self._sync, self._jobs = connections, sync, jobs
        self._clock, self._send = clock, send

    def fan_out(self, slot: str) -> JobRun:
        """One message per connected school; `slot` is `nightly` or `intraday`."""
        minute = self._clock.now().strftime("%Y-%m-%dT%H:%M")
        with self._jobs.run(FANOUT_KIND, f"{slot}/{minute}") as run:
            if not run.skipped:
                for connection in self._connections.all():
                    self._send(SyncRequest(tenant_id=connection.tenant_id, school_id=connection.school_id,
                                           reason=slot, correlation_id=current_correlation_id()))
                    run.count("schools")
        return run.run

    def handle(self, request: SyncRequest) -> SyncReport | None:
        try:
            report = self._sync.run(None, request.tenant_id, request.school_id)
        except SyncRunning:
            self._again(request, BUSY_SECONDS, same_attempt=True)
            return None
        except (NotFound, ValidationFailed) as exc:  # disconnected, or its token setting is gone
            log.warning("sis sync of %s not run: %s", request.school_id, exc)
            return None
        if report.retryable:
            self._again(request, max(report.retry_after or 0, RETRY_SECONDS))
        return report

    def _again(self, request: SyncRequest, delay: float, *, same_attempt: bool = False) -> None:
        attempt = request.attempt if same_attempt else request.attempt + 1
        if attempt > MAX_ATTEMPTS:
            log.warning("sis sync of %s: giving up after %d attempts", request.school_id, request.attempt)
            return
        self._send(request.model_copy(update={"reason": "retry", "attempt": attempt}),
                   visibility_timeout=int(delay))


def parse_sync_request(body: bytes | str) -> SyncRequest:
    return SyncRequest.model_validate_json(body)
