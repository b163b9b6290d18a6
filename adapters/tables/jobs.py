"""Job runs in the `jobruns` table: PartitionKey tenant, RowKey kind|scope."""

from __future__ import annotations

import json
from datetime import datetime

from adapters.storage.keys import escape_key_part, key, prefix_range
from adapters.storage.tables import Entity, Table
from domain.platform.jobs import JobRun, JobStatus

TABLE = "jobruns"


def _to_entity(run: JobRun) -> dict[str, object]:
    return {
        "PartitionKey": escape_key_part(run.tenant_id),
        "RowKey": key(run.kind, run.scope),
        "kind": run.kind, "scope": run.scope, "status": run.status.value,
        "attempts": run.attempts, "startedAt": run.started_at.isoformat(),
        "finishedAt": run.finished_at.isoformat() if run.finished_at else None,
        "counters": json.dumps(run.counters, sort_keys=True), "error": run.error,
        "correlationId": run.correlation_id,
    }


def _from_entity(tenant_id: str, row: Entity) -> JobRun:
    run = JobRun(
        tenant_id=tenant_id, kind=row["kind"], scope=row["scope"],
        status=JobStatus(row["status"]), attempts=row["attempts"],
        started_at=datetime.fromisoformat(row["startedAt"]),
        finished_at=datetime.fromisoformat(row["finishedAt"]) if row.get("finishedAt") else None,
        counters=json.loads(row.get("counters") or "{}"), error=row.get("error"),
        correlation_id=row.get("correlationId"))
    run.etag = row.etag
    return run


class TableJobRunRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def find(self, tenant_id: str, kind: str, scope: str) -> JobRun | None:
        row = self._table.find(escape_key_part(tenant_id), key(kind, scope))
        return _from_entity(tenant_id, row) if row else None

    def create(self, run: JobRun) -> JobRun:
        etag = self._table.insert(_to_entity(run))
        return run.model_copy(update={"etag": etag})

    def replace(self, run: JobRun) -> JobRun:
        assert run.etag, "replace needs the ETag the run was read with"
        etag = self._table.update(_to_entity(run), etag=run.etag)
        return run.model_copy(update={"etag": etag})

    def list(self, tenant_id: str, *, kind: str | None, school_ids: frozenset[str] | None, limit: int,
             continuation: str | None) -> tuple[list[JobRun], str | None]:
        """A page of the tenant's runs, of one kind and/or of some schools. The schools are part of
        the query, so a page is never emptied by a filter applied after it was read."""
        if school_ids is not None and not school_ids:
            return [], None
        clauses = ["PartitionKey eq @pk"]
        params: dict[str, object] = {"pk": escape_key_part(tenant_id)}
        if kind:
            # one school of one kind is a RowKey range; several schools filter the `scope` property
            one = next(iter(school_ids)) + "/" if school_ids is not None and len(school_ids) == 1 else ""
            lower, upper = prefix_range(key(kind, one))
            clauses.append("RowKey ge @lo and RowKey lt @hi")
            params.update(lo=lower, hi=upper)
        if school_ids is not None:
            # a school's runs have scopes `{schoolId}/...`; the '/' keeps s1 from matching s10
            names = [f"s{i}" for i in range(len(school_ids))]
            ranges = [f"( scope ge @{n} and scope lt @{n}x )" for n in names]
            clauses.append("( " + " or ".join(ranges) + " )")
            for n, school in zip(names, sorted(school_ids), strict=True):
                lower, upper = prefix_range(school + "/")
                params.update({n: lower, f"{n}x": upper})
        page = self._table.query_page(" and ".join(clauses), parameters=params, page_size=limit,
                                      continuation=continuation)
        return [_from_entity(tenant_id, r) for r in page.items], page.continuation
