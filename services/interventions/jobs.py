"""Running a school's night (nightly.py: the housekeeping and the evaluation): after the school's
nightly normalization (an `evaluate-school` queue message), and on demand through the API.

Every run is a job run of kind `interventions`, scope `{schoolId}/{date}`, in the school's
tenant: a redelivered message finds the scope SUCCEEDED and is skipped. A forced run (after a SIS
sync, or on demand) runs the night again, which is harmless: the nightly is a fixpoint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from domain.platform.access import Principal
from domain.platform.jobs import JobRun
from services.interventions.nightly import Nightly
from services.platform.audit import AuditLog
from services.platform.context import current_correlation_id
from services.platform.jobs import JobRuns

EVALUATE_QUEUE = "evaluate-school"
KIND = "interventions"


class EvaluateRequest(BaseModel):
    """The `evaluate-school` message (camelCase JSON)."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel, populate_by_name=True)

    tenant_id: str = Field(min_length=1)
    school_id: str = Field(min_length=1)
    date: dt.date
    force: bool = False
    correlation_id: str | None = None


def evaluate_request(tenant_id: str, school_id: str, day: date, *, force: bool) -> EvaluateRequest:
    return EvaluateRequest(tenant_id=tenant_id, school_id=school_id, date=day, force=force,
                           correlation_id=current_correlation_id())


def parse_request(body: bytes | str) -> EvaluateRequest:
    """A message body; pydantic's ValidationError (a ValueError) for a malformed one."""
    return EvaluateRequest.model_validate_json(body)


class InterventionJobs:
    def __init__(self, nightly: Callable[[], Nightly], jobs: JobRuns, audit: AuditLog) -> None:
        self._nightly = nightly  # built on first use: it needs the rule set reader
        self._jobs = jobs
        self._audit = audit

    def handle(self, request: EvaluateRequest) -> JobRun:
        return self.run(request.tenant_id, request.school_id, request.date, force=request.force)

    def run(self, tenant_id: str, school_id: str, day: date, *, force: bool = False) -> JobRun:
        scope = f"{school_id}/{day.isoformat()}"
        with self._jobs.run(KIND, scope, tenant_id=tenant_id, force=force) as handle:
            if not handle.skipped:
                for name, value in self._nightly().run(tenant_id, school_id, day).counters.items():
                    handle.count(name, value)
        return handle.run

    def run_now(self, actor: Principal | None, tenant_id: str, school_id: str, day: date) -> JobRun:
        """On demand (the API): always runs, and is audited."""
        run = self.run(tenant_id, school_id, day, force=True)
        self._audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id,
                           action="interventions.evaluate.run", entity_type="jobrun",
                           entity_id=f"{KIND}|{run.scope}",
                           after={"status": run.status.value, **run.counters})
        return run
