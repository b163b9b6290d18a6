"""Scheduling normalization: the nightly fan-out, SIS syncs, queue messages and on-demand runs.

Every run is a job run of kind `normalize`, scope `{schoolId}/{date}`, in the school's tenant.
The nightly fans out one `normalize-school` message per school for YESTERDAY in the school's
time zone (the day that has just ended in Europe; docs/operations.md). A SIS sync normalizes the
local date it completed on, forced: new marks arrived, so a scope done earlier must run again.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from domain.platform.access import Principal
from domain.platform.events import SisSyncCompleted
from domain.platform.jobs import JobRun
from domain.roster.schools import School
from services.attendance.normalization import Normalization, SchoolBusy
from services.platform.audit import AuditLog
from services.platform.context import current_correlation_id
from services.platform.jobs import JobRuns
from services.platform.ports import Clock
from services.roster.ports import RosterReader

log = logging.getLogger(__name__)

NORMALIZE_QUEUE = "normalize-school"
KIND = "normalize"
NIGHTLY_KIND = "nightly"
# A message that found the school busy comes back after this (the lease lasts 10 minutes at most).
BUSY_RETRY_SECONDS = 60

Send = Callable[..., object]  # QueueSender.send bound to NORMALIZE_QUEUE: (body, visibility_timeout=)
# What runs after a school's date is normalized (tenant, school, date, force): bootstrap enqueues
# the intervention scheduler's `evaluate-school` message.
After = Callable[[str, str, date, bool], object]


class NormalizeRequest(BaseModel):
    """The `normalize-school` message (camelCase JSON)."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel,
                              populate_by_name=True)

    tenant_id: str = Field(min_length=1)
    school_id: str = Field(min_length=1)
    date: dt.date
    force: bool = False
    reason: str = "nightly"  # nightly | sis-sync | retry
    correlation_id: str | None = None


def scope(school_id: str, day: date) -> str:
    return f"{school_id}/{day.isoformat()}"


class NormalizeJobs:
    def __init__(self, roster: RosterReader, normalization: Normalization, jobs: JobRuns,
                 audit: AuditLog, clock: Clock, send: Send, after: After | None = None) -> None:
        self._roster = roster
        self._normalization = normalization
        self._jobs = jobs
        self._audit = audit
        self._clock = clock
        self._send = send
        self._after = after

    def nightly(self) -> JobRun:
        """The nightly timer's fan-out, in a job run scoped to the UTC date it ran: a replayed
        occurrence (lost singleton lease) is skipped, so no school is enqueued twice; a failed
        fan-out is retried by the next occurrence."""
        with self._jobs.run(NIGHTLY_KIND, self._clock.now().date().isoformat()) as run:
            if not run.skipped:
                run.count("schools", self.fan_out())
        return run.run

    def fan_out(self) -> int:
        """One message per school for yesterday in its time zone. Returns the messages sent."""
        now = self._clock.now()
        sent = 0
        for school in self._roster.all_schools():
            self._enqueue(school, school.local_date(now) - timedelta(days=1), force=False,
                          reason="nightly")
            sent += 1
        return sent

    def on_sis_sync(self, sync: SisSyncCompleted) -> NormalizeRequest:
        """The school's marks changed: normalize the local date the sync completed on."""
        school = self._roster.school(sync.tenant_id, sync.school_id)
        return self._enqueue(school, school.local_date(sync.completed_at), force=True,
                             reason="sis-sync")

    def handle(self, request: NormalizeRequest, message_id: str | None = None) -> JobRun | None:
        """A queue message (`message_id`: its id, the same on every delivery). A busy school sends
        the message again, delayed, instead of failing; a normalized one hands over to the
        intervention scheduler (`after`)."""
        try:
            run = self.run(request.tenant_id, request.school_id, request.date, force=request.force,
                           owner=message_id)
        except SchoolBusy:
            retry = request.model_copy(update={"reason": "retry", "force": True})
            self._send(retry, visibility_timeout=BUSY_RETRY_SECONDS)
            log.info("school %s busy; normalization of %s sent again", request.school_id, request.date)
            return None
        if self._after is not None:  # also when skipped: the evaluation is idempotent per date too
            self._after(request.tenant_id, request.school_id, request.date, request.force)
        return run

    def run(self, tenant_id: str, school_id: str, day: date, *, force: bool = False,
            full: bool = False, owner: str | None = None) -> JobRun:
        """Normalize inside a job run; a scope that already succeeded is skipped unless forced."""
        with self._jobs.run(KIND, scope(school_id, day), tenant_id=tenant_id, force=force) as handle:
            if not handle.skipped:
                result = self._normalization.normalize(tenant_id, school_id, day, full=full, owner=owner)
                for name, value in result.counters().items():
                    handle.count(name, value)
        return handle.run

    def run_now(self, actor: Principal | None, tenant_id: str, school_id: str, day: date, *,
                full: bool = False) -> JobRun:
        """On demand (the API): always runs, and is audited."""
        run = self.run(tenant_id, school_id, day, force=True, full=full)
        self._audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id,
                           action="attendance.normalize.run", entity_type="jobrun",
                           entity_id=f"{KIND}|{run.scope}",
                           after={"status": run.status.value, "full": full, **run.counters})
        return run

    def _enqueue(self, school: School, day: date, *, force: bool, reason: str) -> NormalizeRequest:
        if not school.zone_known:  # its local date was taken in UTC
            log.warning("school %s has an unknown time zone; using UTC", school.school_id)
        request = NormalizeRequest(tenant_id=school.tenant_id, school_id=school.school_id, date=day,
                                   force=force, reason=reason, correlation_id=current_correlation_id())
        self._send(request)
        return request


def parse_request(body: bytes | str) -> NormalizeRequest:
    """A message body; pydantic's ValidationError (a ValueError) for a malformed one."""
    return NormalizeRequest.model_validate_json(body)
