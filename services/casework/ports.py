"""What exemptions, cases and work tasks read and write beside the intervention instances
(adapters/tables/casework.py implements it on the `interventions` table; unit tests fake it in
tests/fakes_casework.py)."""

from __future__ import annotations

from typing import Protocol

from domain.casework.cases import Case
from domain.casework.tasks import WorkTask
from domain.rules import Exemption


class ExemptionReader(Protocol):
    def exemptions(self, tenant_id: str, school_id: str) -> dict[str, Exemption]:
        """Every student's exemption in the school (one range read): the nightly's facts."""
        ...


class CaseworkStore(ExemptionReader, Protocol):
    def exemption(self, tenant_id: str, school_id: str, student_id: str) -> Exemption | None: ...

    def put_exemption(self, tenant_id: str, school_id: str, student_id: str,
                      exemption: Exemption) -> None: ...

    def delete_exemption(self, tenant_id: str, school_id: str, student_id: str) -> None: ...

    def save_case(self, case: Case) -> Case:
        """ETag-conditional: ConcurrencyError when the case changed since it was read."""
        ...

    def tasks(self, tenant_id: str, school_id: str) -> list[WorkTask]:
        """Every task of the school (one range read)."""
        ...

    def task(self, tenant_id: str, school_id: str, task_id: str) -> WorkTask:
        """Raises NotFound."""
        ...

    def save_task(self, task: WorkTask) -> WorkTask:
        """Created when `etag` is None, else ETag-conditional (ConcurrencyError); returns it with
        its new ETag."""
        ...
