"""Job runs: what a timer or queue job did for one scope, so re-runs are recognised."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

SYSTEM_TENANT = "_system"


class JobStatus(StrEnum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class JobRun(BaseModel):
    """One row per (tenant, kind, scope); a re-run of the scope updates the same row."""

    model_config = ConfigDict(extra="forbid")

    tenant_id: str
    kind: str
    scope: str
    status: JobStatus
    attempts: int = 1
    started_at: datetime
    finished_at: datetime | None = None
    counters: dict[str, int] = Field(default_factory=dict)
    error: str | None = None
    correlation_id: str | None = None
    etag: str | None = Field(default=None, exclude=True)

    def should_skip(self, *, force: bool) -> bool:
        """A finished scope is not redone unless forced (a replayed timer or message)."""
        return self.status is JobStatus.SUCCEEDED and not force
