"""The audit log in the `audit` table: PartitionKey tenant, RowKey newest-first time + id.

Reads are one tenant partition in RowKey order, so the newest entries come first and a
time window is a RowKey range; a school filter is a property filter within it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from adapters.storage.keys import escape_key_part
from adapters.storage.tables import Entity, Table
from domain.platform.audit import AuditRecord

TABLE = "audit"
_MAX_MICROS = 10**17  # far beyond year 9999 in microseconds since the epoch


def _inverted(at: datetime) -> str:
    micros = int(at.astimezone(UTC).timestamp() * 1_000_000)
    return f"{_MAX_MICROS - micros:018d}"


def _to_entity(r: AuditRecord) -> dict[str, object]:
    return {
        "PartitionKey": escape_key_part(r.tenant_id), "RowKey": f"{_inverted(r.at)}|{r.id}",
        "id": r.id, "schoolId": r.school_id, "actor": r.actor,
        "actorRoles": ",".join(r.actor_roles), "action": r.action, "entityType": r.entity_type,
        "entityId": r.entity_id,
        "before": json.dumps(r.before, default=str) if r.before is not None else None,
        "after": json.dumps(r.after, default=str) if r.after is not None else None,
        "correlationId": r.correlation_id, "at": r.at.isoformat(),
    }


def _from_entity(tenant_id: str, e: Entity) -> AuditRecord:
    return AuditRecord(
        id=e["id"], tenant_id=tenant_id, school_id=e.get("schoolId"), actor=e["actor"],
        actor_roles=tuple(x for x in (e.get("actorRoles") or "").split(",") if x),
        action=e["action"], entity_type=e["entityType"], entity_id=e["entityId"],
        before=json.loads(e["before"]) if e.get("before") else None,
        after=json.loads(e["after"]) if e.get("after") else None,
        correlation_id=e.get("correlationId"), at=datetime.fromisoformat(e["at"]))


class TableAuditRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def append(self, record: AuditRecord) -> None:
        self._table.insert(_to_entity(record))

    def list(self, tenant_id: str, *, school_ids: frozenset[str] | None, since: datetime | None,
             until: datetime | None, entity_id: str | None, limit: int,
             continuation: str | None) -> tuple[list[AuditRecord], str | None]:
        clauses = ["PartitionKey eq @pk"]
        params: dict[str, object] = {"pk": escape_key_part(tenant_id)}
        if until:
            clauses.append("RowKey ge @lo")
            params["lo"] = _inverted(until)
        if since:
            clauses.append("RowKey lt @hi")
            params["hi"] = _inverted(since) + "|\uffff"
        if entity_id:
            clauses.append("entityId eq @entity")
            params["entity"] = entity_id
        if school_ids is not None:
            if not school_ids:
                return [], None
            names = [f"s{i}" for i in range(len(school_ids))]
            # the SDK substitutes @names split on spaces, so keep them apart from the parentheses
            clauses.append("( " + " or ".join(f"schoolId eq @{n}" for n in names) + " )")
            params.update(zip(names, sorted(school_ids), strict=True))
        page = self._table.query_page(" and ".join(clauses), parameters=params, page_size=limit,
                                      continuation=continuation)
        return [_from_entity(tenant_id, e) for e in page.items], page.continuation
