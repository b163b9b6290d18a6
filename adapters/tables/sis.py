"""The Wonde sync's rows: `sisconnections` (PartitionKey tenant, RowKey school; no token) and
`sisstate` (PartitionKey tenant|school; RowKeys `cursor|res`, `lease`, `alias|id`, `code|id`,
`pending|student|date|session`, `ended|student`), so one partition read gives a school's state."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from adapters.storage.keys import escape_key_part, key, prefix_range, split_key
from adapters.storage.tables import Entity, Table
from domain.platform.errors import AlreadyExists, ConcurrencyError
from domain.sis.code_mapping import CodeReview, ReviewStatus
from domain.sis.sync_state import Connection, Cursor

CONNECTIONS, STATE = "sisconnections", "sisstate"
TABLES = [CONNECTIONS, STATE]


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _cursor(row: Entity) -> Cursor:
    return Cursor(row["resource"], _when(row.get("watermark")), row.get("status") or "NEVER",
                  _when(row.get("startedAt")), _when(row.get("finishedAt")),
                  json.loads(row.get("counts") or "{}"), row.get("error"))


def _review(row: Entity) -> CodeReview:
    return CodeReview(row["wondeId"], row["code"], row.get("description") or "", ReviewStatus(row["status"]),
                      row.get("mappedTo"), row.get("suggested"), row.get("suggestedMeaning"),
                      row.get("reason") or "")


def _mark_key(record: dict[str, Any]) -> str:
    return key("pending", str(record["student"]), str(record["date"]), str(record["session"]))


class TableSisState:
    def __init__(self, connections: Table, state: Table) -> None:
        self._connections, self._state = connections, state

    @staticmethod
    def _pk(tenant_id: str, school_id: str) -> str:
        return key(tenant_id, school_id)

    def _rows(self, tenant_id: str, school_id: str, kind: str) -> list[Entity]:
        low, high = prefix_range(kind + "|")
        return list(self._state.query("PartitionKey eq @pk and RowKey ge @low and RowKey lt @high",
                                      parameters={"pk": self._pk(tenant_id, school_id), "low": low,
                                                  "high": high}))

    # --- connections -------------------------------------------------------------------------------

    def connection(self, tenant_id: str, school_id: str) -> Connection | None:
        row = self._connections.find(escape_key_part(tenant_id), escape_key_part(school_id))
        return self._connection(row) if row else None

    @staticmethod
    def _connection(row: Entity) -> Connection:
        return Connection(row["tenantId"], row["schoolId"], row["wondeSchoolId"], row["region"],
                          row["tokenSetting"])

    def connections(self) -> list[Connection]:
        return [self._connection(row) for row in self._connections.query("PartitionKey ne ''")]

    def save_connection(self, c: Connection) -> None:
        self._connections.upsert({"PartitionKey": escape_key_part(c.tenant_id),
                                  "RowKey": escape_key_part(c.school_id), "tenantId": c.tenant_id,
                                  "schoolId": c.school_id, "wondeSchoolId": c.wonde_school_id,
                                  "region": c.region, "tokenSetting": c.token_setting})

    # --- cursors and the lease ---------------------------------------------------------------------

    def cursors(self, tenant_id: str, school_id: str) -> dict[str, Cursor]:
        return {c.resource: c for c in map(_cursor, self._rows(tenant_id, school_id, "cursor"))}

    def save_cursor(self, tenant_id: str, school_id: str, c: Cursor) -> None:
        pk = self._pk(tenant_id, school_id)
        self._state.upsert({"PartitionKey": pk, "RowKey": key("cursor", c.resource),
                            "resource": c.resource, "watermark": _stamp(c.watermark), "status": c.status,
                            "startedAt": _stamp(c.started_at), "finishedAt": _stamp(c.finished_at),
                            "counts": json.dumps(c.counts, sort_keys=True), "error": c.error})

    def acquire(self, tenant_id: str, school_id: str, owner: str, now: datetime, until: datetime) -> bool:
        pk = self._pk(tenant_id, school_id)
        row = self._state.find(pk, "lease")
        entity = {"PartitionKey": pk, "RowKey": "lease", "owner": owner, "until": until.isoformat()}
        try:
            if row is None:
                self._state.insert(entity)
            elif row.get("owner") and row["owner"] != owner and datetime.fromisoformat(row["until"]) > now:
                return False
            else:
                self._state.update(entity, etag=str(row.etag))
        except (AlreadyExists, ConcurrencyError):
            return False  # another sync took it between our read and our write
        return True

    def release(self, tenant_id: str, school_id: str, owner: str) -> None:
        pk = self._pk(tenant_id, school_id)
        row = self._state.find(pk, "lease")
        if row is not None and row.get("owner") == owner:
            try:
                self._state.update({"PartitionKey": pk, "RowKey": "lease", "owner": "", "until": ""},
                                   etag=str(row.etag))
            except ConcurrencyError:
                pass  # taken over after expiry: the new owner's lease stands

    # --- aliases, code reviews, held marks, ended enrolments ---------------------------------------

    def aliases(self, tenant_id: str, school_id: str) -> dict[str, str]:
        return {row["wondeId"]: row["studentId"] for row in self._rows(tenant_id, school_id, "alias")}

    def save_aliases(self, tenant_id: str, school_id: str, aliases: dict[str, str]) -> None:
        pk = self._pk(tenant_id, school_id)
        self._state.upsert_many({"PartitionKey": pk, "RowKey": key("alias", w), "wondeId": w, "studentId": s}
                                for w, s in aliases.items())

    def reviews(self, tenant_id: str, school_id: str) -> list[CodeReview]:
        return [_review(row) for row in self._rows(tenant_id, school_id, "code")]

    def save_reviews(self, tenant_id: str, school_id: str, reviews: Sequence[CodeReview]) -> None:
        pk = self._pk(tenant_id, school_id)
        self._state.upsert_many({"PartitionKey": pk, "RowKey": key("code", r.wonde_id), "wondeId": r.wonde_id,
                                 "code": r.code, "description": r.description, "status": r.status.value,
                                 "mappedTo": r.mapped_to, "suggested": r.suggested,
                                 "suggestedMeaning": r.suggested_meaning, "reason": r.reason}
                                for r in reviews)

    def pending(self, tenant_id: str, school_id: str) -> list[dict[str, Any]]:
        return [json.loads(row["record"]) for row in self._rows(tenant_id, school_id, "pending")]

    def hold(self, tenant_id: str, school_id: str, records: Sequence[dict[str, Any]]) -> None:
        pk = self._pk(tenant_id, school_id)
        self._state.upsert_many({"PartitionKey": pk, "RowKey": _mark_key(r), "record": json.dumps(r)}
                                for r in records)

    def release_pending(self, tenant_id: str, school_id: str, records: Sequence[dict[str, Any]]) -> None:
        pk = self._pk(tenant_id, school_id)
        self._state.submit([("delete", {"PartitionKey": pk, "RowKey": _mark_key(r)}) for r in records])

    def ended(self, tenant_id: str, school_id: str) -> dict[str, date | None]:
        return {split_key(row["RowKey"])[1]: date.fromisoformat(row["before"]) if row.get("before") else None
                for row in self._rows(tenant_id, school_id, "ended")}

    def save_ended(self, tenant_id: str, school_id: str, student_id: str, before: date | None) -> None:
        pk = self._pk(tenant_id, school_id)
        self._state.upsert({"PartitionKey": pk, "RowKey": key("ended", student_id),
                            "before": before.isoformat() if before else None})

    def forget_ended(self, tenant_id: str, school_id: str, student_id: str) -> None:
        self._state.delete(self._pk(tenant_id, school_id), key("ended", student_id))
