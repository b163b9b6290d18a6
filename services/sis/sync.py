"""One school's Wonde sync: codes, students, deletions, then marks, each from its watermark.

A sync holds the school's lease (a second one answers SyncRunning, 409), records a job run
(`sis-sync`, `{schoolId}/{started}`) with counts per resource, and moves a resource's watermark
only once its writes committed: the time that read *started*, less an overlap, so a record
changed while it was being read is read again next time (and changes nothing twice). A failed
read stops the sync; the resources before it keep their progress, and the next sync resumes
from the failed one's watermark. Then the normalize message the SIS-sync path sends.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from domain.platform.access import Principal
from domain.platform.errors import AlreadyExists, NotFound
from domain.platform.events import SisSyncCompleted
from domain.platform.jobs import JobRun
from domain.sis.sync_state import RESOURCES, Cursor
from services.platform.jobs import JobRuns
from services.platform.ports import Clock
from services.sis.connections import Connections
from services.sis.ports import SisError, SisUnavailable
from services.sis.steps import STEPS, Deps, Pass

log = logging.getLogger(__name__)

KIND = "sis-sync"
OVERLAP = timedelta(minutes=5)
LEASE = timedelta(minutes=30)
CHANGES = {"codes": (), "students": ("created", "updated"), "deletions": ("applied",),
           "marks": ("created", "replaced", "released")}
AfterSync = Callable[[SisSyncCompleted], object]


class SyncRunning(AlreadyExists):
    title = "A sync is running"


@dataclass
class SyncReport:
    run: JobRun | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    failed: str | None = None
    error: str | None = None
    retry_after: float | None = None
    retryable: bool = False  # Wonde could not serve it (429, 5xx, down): try again later
    changed: bool = False


class SisSync:
    def __init__(self, deps: Deps, connections: Connections, jobs: JobRuns, clock: Clock,
                 after: AfterSync) -> None:
        self._deps, self._connections, self._jobs = deps, connections, jobs
        self._clock, self._after = clock, after

    def run(self, actor: Principal | None, tenant_id: str, school_id: str) -> SyncReport:
        """Raises NotFound (not connected), SyncRunning (another sync holds the school)."""
        school = self._deps.roster.school(tenant_id, school_id)
        connection = self._connections.resolve(tenant_id, school_id)
        owner, now = uuid.uuid4().hex, self._clock.now()
        if not self._deps.state.acquire(tenant_id, school_id, owner, now, now + LEASE):
            raise SyncRunning(f"a sync of {school_id} is running", field="schoolId")
        report, handle = SyncReport(), None
        try:
            with self._jobs.run(KIND, f"{school_id}/{now.isoformat()}", tenant_id=tenant_id,
                                force=True) as handle:
                self._steps(Pass(actor, school, connection, school.local_date(now)), report)
                for resource, counts in report.counts.items():
                    for name, value in counts.items():
                        handle.count(f"{resource}.{name}", value)
                if report.failed:
                    raise _Failed(report.error or "failed")
        except _Failed:
            pass  # the job run is marked FAILED; the report says which resource and why
        finally:
            self._deps.state.release(tenant_id, school_id, owner)
        report.run = handle.run if handle is not None else None
        self._finish(actor, tenant_id, school_id, report)
        return report

    def _steps(self, run: Pass, report: SyncReport) -> None:
        cursors = self._deps.state.cursors(*run.ids)
        for resource in RESOURCES:
            cursor = cursors.get(resource) or Cursor(resource)
            started = self._clock.now()
            try:
                counts = STEPS[resource](self._deps, run, cursor.watermark)
            except (SisError, NotFound) as exc:
                self._deps.state.save_cursor(*run.ids, cursor.failed(started, self._clock.now(), _said(exc)))
                report.failed, report.error = resource, _said(exc)
                report.retryable = isinstance(exc, SisUnavailable)
                report.retry_after = exc.retry_after if isinstance(exc, SisUnavailable) else None
                log.warning("wonde sync of %s stopped at %s: %s", run.ids[1], resource, report.error)
                return
            report.counts[resource] = counts
            report.changed |= any(counts.get(name, 0) for name in CHANGES[resource])
            self._deps.state.save_cursor(*run.ids, cursor.succeeded(started - OVERLAP, started,
                                                                    self._clock.now(), counts))

    def _finish(self, actor: Principal | None, tenant_id: str, school_id: str, report: SyncReport) -> None:
        scope = report.run.scope if report.run else school_id
        counts = {f"{r}.{n}": v for r, c in report.counts.items() for n, v in c.items()}
        self._deps.audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id, action="sis.sync.run",
                                entity_type="jobrun", entity_id=f"{KIND}|{scope}",
                                after={"failed": report.failed, "changed": report.changed, **counts})
        if report.changed:  # a quiet sync stores nothing, so there is nothing to normalize
            self._after(SisSyncCompleted(tenant_id=tenant_id, school_id=school_id, sync_id=scope,
                                         completed_at=self._clock.now()))


class _Failed(Exception):
    """Raised inside the job run so it is recorded FAILED, caught right outside it."""


def _said(exc: Exception) -> str:
    """What an operator sees: the error's type and message (never a token: the client keeps it out)."""
    return f"{type(exc).__name__}: {exc}"[:500]
