"""Recording job runs: begin, count, finish or fail; a finished scope is skipped on re-run."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from domain.platform.errors import ConcurrencyError
from domain.platform.jobs import SYSTEM_TENANT, JobRun, JobStatus
from services.platform.context import current_correlation_id
from services.platform.ports import Clock

log = logging.getLogger(__name__)


class JobRunRepository(Protocol):
    def find(self, tenant_id: str, kind: str, scope: str) -> JobRun | None: ...
    def create(self, run: JobRun) -> JobRun: ...  # raises AlreadyExists
    def replace(self, run: JobRun) -> JobRun: ...  # ETag-conditional; raises ConcurrencyError
    def list(self, tenant_id: str, *, kind: str | None, school_ids: frozenset[str] | None, limit: int,
             continuation: str | None) -> tuple[list[JobRun], str | None]: ...


@dataclass
class RunHandle:
    """What a running job sees: `skipped` says a previous run already did this scope."""

    run: JobRun
    skipped: bool = False
    counters: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, n: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + n


class JobRuns:
    def __init__(self, repo: JobRunRepository, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock

    @contextmanager
    def run(self, kind: str, scope: str, *, tenant_id: str = SYSTEM_TENANT,
            force: bool = False) -> Iterator[RunHandle]:
        """Record a run around the block. Exceptions mark it FAILED and propagate, so the
        trigger's retry and poison handling still apply."""
        handle = self._begin(kind, scope, tenant_id, force)
        if handle.skipped:
            log.info("job %s scope=%s already done; skipping", kind, scope)
            yield handle
            return
        try:
            yield handle
        except Exception as exc:
            self._end(handle, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
            raise
        self._end(handle, JobStatus.SUCCEEDED)

    def _begin(self, kind: str, scope: str, tenant_id: str, force: bool) -> RunHandle:
        now = self._clock.now()
        existing = self._repo.find(tenant_id, kind, scope)
        if existing and existing.should_skip(force=force):
            return RunHandle(existing, skipped=True)
        fresh = JobRun(tenant_id=tenant_id, kind=kind, scope=scope, status=JobStatus.RUNNING,
                       started_at=now, correlation_id=current_correlation_id(),
                       attempts=(existing.attempts + 1) if existing else 1)
        if existing is None:
            return RunHandle(self._repo.create(fresh))
        fresh.etag = existing.etag
        try:
            return RunHandle(self._repo.replace(fresh))
        except ConcurrencyError:
            # another instance began the same scope a moment ago: let it do the work
            latest = self._repo.find(tenant_id, kind, scope) or existing
            return RunHandle(latest, skipped=True)

    def _end(self, handle: RunHandle, status: JobStatus, *, error: str | None = None) -> None:
        run = handle.run.model_copy(update={
            "status": status, "finished_at": self._clock.now(),
            "counters": dict(handle.counters), "error": error})
        run.etag = handle.run.etag
        handle.run = self._repo.replace(run)
        log.info("job %s scope=%s %s counters=%s", run.kind, run.scope, status.value, run.counters)

    def list(self, tenant_id: str, *, kind: str | None = None, school_ids: frozenset[str] | None = None,
             limit: int = 50, continuation: str | None = None) -> tuple[list[JobRun], str | None]:
        """`school_ids` None: every run of the tenant; else the runs scoped to those schools."""
        return self._repo.list(tenant_id, kind=kind, school_ids=school_ids, limit=limit,
                               continuation=continuation)
