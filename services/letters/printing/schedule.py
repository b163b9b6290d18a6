"""When print batches are built: an hourly UTC timer (`PRINT_BATCH_SCHEDULE`) sends one
`print-batch-jobs` message per school whose local hour is BUILD_HOUR (05:00 in the school's time
zone, before the office opens), for the school-local day before: a day that has ended, so every
letter posted on it is in. Zone offsets and summer time come from the school's `timeZone`.

Each message builds that school and day in a job run (`print-batch`, `{schoolId}/{date}`): a
redelivered message or a replayed timer occurrence is skipped. A day with nothing posted builds
nothing (counter `letters` 0). Staff can build any day now through the API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.platform.errors import NotFound
from services.letters.printing.batches import PrintBatches
from services.platform.context import current_correlation_id
from services.platform.jobs import JobRun, JobRuns
from services.platform.ports import Clock
from services.roster.ports import RosterReader

PRINT_BATCH_QUEUE = "print-batch-jobs"
KIND = "print-batch"
TIMER_KIND = "print-batch-timer"
BUILD_HOUR = 5


@dataclass(frozen=True)
class PrintBatchRequest:
    tenant_id: str
    school_id: str
    day: date
    correlation_id: str | None = None

    def body(self) -> dict[str, Any]:
        return {"tenantId": self.tenant_id, "schoolId": self.school_id, "date": self.day.isoformat(),
                "correlationId": self.correlation_id}

    @classmethod
    def parse(cls, raw: bytes) -> PrintBatchRequest:
        try:
            body = json.loads(raw)
            return cls(str(body["tenantId"]), str(body["schoolId"]), date.fromisoformat(body["date"]),
                       body.get("correlationId"))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a print-batch request: {exc}") from exc


class PrintBatchJobs:
    def __init__(self, roster: RosterReader, batches: Callable[[], PrintBatches], jobs: JobRuns,
                 clock: Clock, send: Callable[[str, dict[str, Any]], object]) -> None:
        self._roster, self._batches, self._jobs, self._clock, self._send = roster, batches, jobs, clock, send

    def hourly(self) -> JobRun:
        """The hourly timer's fan-out, in a job run scoped to the UTC hour: a replayed occurrence
        sends nothing twice."""
        with self._jobs.run(TIMER_KIND, self._clock.now().strftime("%Y-%m-%dT%H")) as run:
            if not run.skipped:
                run.count("schools", self.fan_out())
        return run.run

    def fan_out(self) -> int:
        """Messages for the schools where it is now BUILD_HOUR local time; returns how many."""
        now = self._clock.now()
        sent = 0
        for school in self._roster.all_schools():
            local = now.astimezone(school.zone)  # an unknown zone is UTC, as the nightly treats it
            if local.hour != BUILD_HOUR:
                continue
            request = PrintBatchRequest(school.tenant_id, school.school_id,
                                        local.date() - timedelta(days=1), current_correlation_id())
            self._send(PRINT_BATCH_QUEUE, request.body())
            sent += 1
        return sent

    def handle(self, request: PrintBatchRequest) -> JobRun:
        scope = f"{request.school_id}/{request.day.isoformat()}"
        with self._jobs.run(KIND, scope, tenant_id=request.tenant_id) as run:
            if not run.skipped:
                try:
                    batch = self._batches().build(request.tenant_id, request.school_id, request.day)
                    run.count("letters", batch.letters)
                    run.count("pages", batch.pages)
                except NotFound:
                    run.count("letters", 0)
        return run.run
