"""Intervention instances, their events, queue items and cases: one table, one partition per
school, so a student's night (instance, events, queue item, case, outbox row) is ONE
entity-group transaction.

`interventions`, PartitionKey `tenant|school`; RowKeys by kind, each kind one range:
- `c|{studentId}`: the student's case (tier, status, linked instances);
- `e|{instanceId}|{sequence:06d}`: an event (append-only; the hash chain in `record`);
- `i|{instanceId}`: an instance (`record` = `instance_to_record`, ETag-conditional updates);
- `q|{actionId}`: the queue item of an instance's stage (merge-upserted as its action moves);
- `~outbox|{eventId}`: `intervention.escalated` waiting for the relay (services/platform/outbox.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from azure.core import MatchConditions
from azure.data.tables import UpdateMode

from adapters.storage.keys import key, prefix_range
from adapters.storage.tables import BATCH_LIMIT, Entity, Table
from adapters.tables.summaries import Committer
from domain.casework.cases import Case, CaseStatus, QueueItem
from domain.ladder.events import InterventionEvent
from domain.ladder.model import StudentInterventionInstance
from domain.ladder.queue import ActionKind
from domain.ladder.records import instance_from_record, instance_to_record
from domain.platform.errors import AlreadyExists, ConcurrencyError
from domain.rules.ruleset import StageType, Track
from services.interventions.ports import StudentChange

TABLE = "interventions"
TABLES = [TABLE]
_MERGE = {"mode": UpdateMode.MERGE}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _conditional(partition: str, row_key: str, etag: str | None, body: dict[str, Any]) -> tuple[Any, ...]:
    entity = {"PartitionKey": partition, "RowKey": row_key, **body}
    if etag is None:
        return ("create", entity)
    return ("update", entity, {"mode": UpdateMode.REPLACE, "etag": etag,
                               "match_condition": MatchConditions.IfNotModified})


def _item_entity(partition: str, item: QueueItem) -> dict[str, Any]:
    return {"PartitionKey": partition, "RowKey": key("q", item.id), "id": item.id,
            "instanceId": item.instance_id, "studentId": item.student_id, "ruleSetId": item.rule_set_id,
            "ruleSetVersion": item.rule_set_version, "stageOrder": item.stage_order,
            "stageType": item.stage_type.value, "action": item.action.value, "templateKey": item.template_key,
            "evidence": json.dumps(list(item.evidence)), "stageEnteredOn": item.stage_entered_on.isoformat(),
            "status": item.status, "queuedOn": _iso(item.queued_on),
            # "" rather than None: a merge drops None values, and a resume must clear the pause
            "pausedUntil": _iso(item.paused_until) or "", "track": item.track.value}


def _item(row: dict[str, Any]) -> QueueItem:
    return QueueItem(row["id"], row["instanceId"], row["studentId"], row["ruleSetId"],
                     int(row["ruleSetVersion"]),
                     int(row["stageOrder"]), StageType(row["stageType"]), ActionKind(row["action"]),
                     row.get("templateKey"), tuple(json.loads(row.get("evidence") or "[]")),
                     date.fromisoformat(row["stageEnteredOn"]), row["status"], _day(row.get("queuedOn")),
                     _day(row.get("pausedUntil")), Track(row.get("track") or Track.SUPPORT))


def _case_body(case: Case) -> dict[str, Any]:
    return {"studentId": case.student_id, "tier": case.tier, "status": case.status.value,
            "openedOn": case.opened_on.isoformat(), "updatedOn": case.updated_on.isoformat(),
            "instanceIds": json.dumps(list(case.instance_ids))}


def _case(tenant_id: str, school_id: str, row: Entity) -> Case:
    return Case(tenant_id, school_id, row["studentId"], int(row["tier"]), CaseStatus(row["status"]),
                date.fromisoformat(row["openedOn"]), date.fromisoformat(row["updatedOn"]),
                tuple(json.loads(row.get("instanceIds") or "[]")), row.etag)


def _instance(row: Entity) -> StudentInterventionInstance:
    return instance_from_record(json.loads(row["record"]), etag=row.etag)


class TableInterventionStore:
    def __init__(self, table: Table, outbox: Committer) -> None:
        self._table = table
        self._outbox = outbox

    def _range(self, tenant_id: str, school_id: str, prefix: str, extra: str = "",
               parameters: dict[str, Any] | None = None) -> Iterator[Entity]:
        low, high = prefix_range(prefix)
        return self._table.query(
            "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi" + extra,
            parameters={"pk": key(tenant_id, school_id), "lo": low, "hi": high, **(parameters or {})})

    def instances(self, tenant_id: str, school_id: str) -> list[StudentInterventionInstance]:
        return [_instance(r) for r in self._range(tenant_id, school_id, "i|")]

    def instance(self, tenant_id: str, school_id: str, instance_id: str) -> StudentInterventionInstance:
        return _instance(self._table.get(key(tenant_id, school_id), key("i", instance_id)))

    def student_instances(self, tenant_id: str, school_id: str,
                          student_id: str) -> list[StudentInterventionInstance]:
        rows = self._range(tenant_id, school_id, "i|", " and studentId eq @sid", {"sid": student_id})
        return [_instance(r) for r in rows]

    def events(self, tenant_id: str, school_id: str, instance_id: str) -> list[InterventionEvent]:
        rows = self._range(tenant_id, school_id, key("e", instance_id) + "|")
        # RowKeys end in the zero-padded sequence: the query returns the chain in order
        return [InterventionEvent.from_record(json.loads(r["record"])) for r in rows]

    def cases(self, tenant_id: str, school_id: str) -> dict[str, Case]:
        found = (_case(tenant_id, school_id, r) for r in self._range(tenant_id, school_id, "c|"))
        return {c.student_id: c for c in found}

    def case(self, tenant_id: str, school_id: str, student_id: str) -> Case | None:
        row = self._table.find(key(tenant_id, school_id), key("c", student_id))
        return _case(tenant_id, school_id, row) if row else None

    def queue(self, tenant_id: str, school_id: str) -> list[QueueItem]:
        return [_item(r) for r in self._range(tenant_id, school_id, "q|")]

    def queue_item(self, tenant_id: str, school_id: str, action_id: str) -> QueueItem:
        return _item(self._table.get(key(tenant_id, school_id), key("q", action_id)))

    def save(self, tenant_id: str, school_id: str, changes: Sequence[StudentChange]) -> list[str]:
        partition = key(tenant_id, school_id)
        refused: list[str] = []
        for chunk in _packed(changes):
            try:
                self._commit(partition, chunk)
            except (ConcurrencyError, AlreadyExists):
                # Which student's rows changed is not reported: write them one at a time.
                for change in chunk if len(chunk) > 1 else ():
                    try:
                        self._commit(partition, [change])
                    except (ConcurrencyError, AlreadyExists):
                        refused.append(change.student_id)
                if len(chunk) == 1:
                    refused.append(chunk[0].student_id)
        return refused

    def _commit(self, partition: str, chunk: Sequence[StudentChange]) -> None:
        ops: list[tuple[Any, ...]] = []
        for change in chunk:
            ops += _operations(partition, change)
        self._outbox.commit(self._table, ops, [e for c in chunk for e in c.outbound], partition)


def _operations(partition: str, change: StudentChange) -> list[tuple[Any, ...]]:
    ops: list[tuple[Any, ...]] = []
    for instance, events in change.instances:
        ops.append(_conditional(partition, key("i", instance.id), instance.etag,
                                {"studentId": instance.student_id, "ruleSetId": instance.rule_set_id,
                                 "status": instance.status.value,
                                 "record": json.dumps(instance_to_record(instance))}))
        ops += [("upsert", {"PartitionKey": partition,
                            "RowKey": key("e", e.instance_id, f"{e.sequence:06d}"),
                            "instanceId": e.instance_id, "record": json.dumps(e.to_record())})
            for e in events]
    ops += [("upsert", _item_entity(partition, item), _MERGE) for item in change.items]
    if change.case is not None:
        ops.append(_conditional(partition, key("c", change.case.student_id), change.case.etag,
                                _case_body(change.case)))
    return ops


def _packed(changes: Sequence[StudentChange]) -> Iterator[list[StudentChange]]:
    """Students into transactions of at most 100 operations; a student is never split."""
    chunk: list[StudentChange] = []
    size = 0
    for change in changes:
        if chunk and size + change.size > BATCH_LIMIT:
            yield chunk
            chunk, size = [], 0
        chunk.append(change)
        size += change.size
    if chunk:
        yield chunk
