"""A school's night, as the `evaluate-school` job runs it (jobs.py): the stranded-letter sweep,
one read of the school (school_night.py), the resends of lost jobs (housekeeping.py), then the
evaluation (scheduler.py). Re-running the same night is a fixpoint: no events, no writes.
"""

from __future__ import annotations

from datetime import date

from services.interventions.housekeeping import Housekeeping
from services.interventions.scheduler import Scheduler
from services.interventions.school_night import NightReader, NightResult


class Nightly:
    def __init__(self, reader: NightReader, housekeeping: Housekeeping, scheduler: Scheduler) -> None:
        self._reader, self._housekeeping, self._scheduler = reader, housekeeping, scheduler

    def run(self, tenant_id: str, school_id: str, day: date) -> NightResult:
        result = NightResult()
        swept = self._housekeeping.sweep(tenant_id, school_id, result)
        night = self._reader.read(tenant_id, school_id, day, result)
        if night is not None:
            self._housekeeping.resend(night, swept.rendered, result)
            self._scheduler.evaluate(night, result)
        return result
