"""Writing and reading the audit log. Services call `record` for every change they make."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from domain.platform.access import Principal
from domain.platform.audit import AuditRecord
from services.platform.context import current_correlation_id
from services.platform.ports import Clock

SYSTEM_ACTOR = "system"


class AuditRepository(Protocol):
    def append(self, record: AuditRecord) -> None: ...  # insert-only; never updates
    def list(self, tenant_id: str, *, school_ids: frozenset[str] | None, since: datetime | None,
             until: datetime | None, entity_id: str | None, limit: int,
             continuation: str | None) -> tuple[list[AuditRecord], str | None]: ...


class AuditLog:
    def __init__(self, repo: AuditRepository, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock

    def record(self, *, actor: Principal | None, tenant_id: str, school_id: str | None,
               action: str, entity_type: str, entity_id: str,
               before: dict[str, Any] | None = None,
               after: dict[str, Any] | None = None) -> AuditRecord:
        """`actor` None means the system (a nightly job, a trigger)."""
        entry = AuditRecord(
            id=uuid.uuid4().hex, tenant_id=tenant_id, school_id=school_id,
            actor=actor.subject if actor else SYSTEM_ACTOR,
            actor_roles=tuple(sorted(r.value for r in actor.roles)) if actor else (),
            action=action, entity_type=entity_type, entity_id=entity_id,
            before=before, after=after, correlation_id=current_correlation_id(),
            at=self._clock.now())
        self._repo.append(entry)
        return entry

    def list(self, tenant_id: str, *, school_ids: frozenset[str] | None = None,
             since: datetime | None = None, until: datetime | None = None,
             entity_id: str | None = None, limit: int = 50,
             continuation: str | None = None) -> tuple[list[AuditRecord], str | None]:
        """Newest first. `school_ids` None means every school of the tenant."""
        return self._repo.list(tenant_id, school_ids=school_ids, since=since, until=until,
                               entity_id=entity_id, limit=limit, continuation=continuation)
