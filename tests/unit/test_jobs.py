"""Job runs: recorded, skipped when a scope is already done, failures kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.platform.errors import AlreadyExists, ConcurrencyError
from domain.platform.jobs import JobRun, JobStatus
from services.platform.jobs import JobRuns
from services.platform.ports import FixedClock


class FakeJobRunRepository:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], JobRun] = {}
        self.version = 0

    def _etag(self) -> str:
        self.version += 1
        return f"v{self.version}"

    def find(self, tenant_id: str, kind: str, scope: str) -> JobRun | None:
        row = self.rows.get((tenant_id, kind, scope))
        return row.model_copy() if row else None

    def create(self, run: JobRun) -> JobRun:
        k = (run.tenant_id, run.kind, run.scope)
        if k in self.rows:
            raise AlreadyExists("exists")
        stored = run.model_copy(update={"etag": self._etag()})
        self.rows[k] = stored
        return stored.model_copy()

    def replace(self, run: JobRun) -> JobRun:
        k = (run.tenant_id, run.kind, run.scope)
        if self.rows[k].etag != run.etag:
            raise ConcurrencyError("changed")
        stored = run.model_copy(update={"etag": self._etag()})
        self.rows[k] = stored
        return stored.model_copy()

    def list(self, tenant_id, *, kind, school_ids, limit, continuation):  # type: ignore[no-untyped-def]
        return [r for (t, _, _), r in self.rows.items() if t == tenant_id][:limit], None


@pytest.fixture
def jobs() -> JobRuns:
    return JobRuns(FakeJobRunRepository(), FixedClock(datetime(2026, 3, 2, 2, tzinfo=UTC)))


def test_a_run_is_recorded_with_counters(jobs):
    with jobs.run("normalize", "s1/2026-03-02", tenant_id="t") as run:
        assert not run.skipped
        run.count("students", 3)
        run.count("students")
    [stored] = jobs.list("t")[0]
    assert stored.status is JobStatus.SUCCEEDED and stored.counters == {"students": 4}
    assert stored.finished_at is not None and stored.attempts == 1


def test_a_finished_scope_is_skipped_unless_forced(jobs):
    with jobs.run("normalize", "s1/2026-03-02", tenant_id="t") as run:
        run.count("students")
    with jobs.run("normalize", "s1/2026-03-02", tenant_id="t") as again:
        assert again.skipped
    with jobs.run("normalize", "s1/2026-03-02", tenant_id="t", force=True) as forced:
        assert not forced.skipped
    [stored] = jobs.list("t")[0]
    assert stored.attempts == 2


def test_a_failure_is_recorded_and_the_error_propagates(jobs):
    with pytest.raises(RuntimeError), jobs.run("normalize", "s1/d", tenant_id="t"):
        raise RuntimeError("storage down")
    [stored] = jobs.list("t")[0]
    assert stored.status is JobStatus.FAILED and "storage down" in (stored.error or "")
    with jobs.run("normalize", "s1/d", tenant_id="t") as retry:
        assert not retry.skipped  # a failed scope is redone
    assert jobs.list("t")[0][0].attempts == 2
