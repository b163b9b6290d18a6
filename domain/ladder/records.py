"""The storage and API shape of an instance: camelCase keys, ISO dates, plain lists.

(Events have theirs on the class: `InterventionEvent.to_record` / `from_record`, because the
hash is computed over that same shape.) The ETag is not part of the record; the adapter passes
the one it read to `instance_from_record`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.rules.baseline import StageBaseline
from domain.rules.ruleset import StageType, Track


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def instance_to_record(instance: StudentInterventionInstance) -> dict[str, Any]:
    i = instance
    return {
        "id": i.id, "tenantId": i.tenant_id, "schoolId": i.school_id, "studentId": i.student_id,
        "ruleSetId": i.rule_set_id, "ruleSetVersion": i.rule_set_version, "status": i.status.value,
        "stageOrder": i.stage_order, "stageType": i.stage_type.value, "action": i.action.value,
        "startedOn": i.started_on.isoformat(), "stageEnteredOn": i.stage_entered_on.isoformat(),
        "stageEvidence": list(i.stage_evidence), "actionDoneOn": _iso(i.action_done_on),
        "snoozedUntil": _iso(i.snoozed_until), "interventionSinceDone": i.intervention_since_done,
        "closedOn": _iso(i.closed_on), "closedReason": i.closed_reason, "eventCount": i.event_count,
        "lastHash": i.last_hash, "pausedUntil": _iso(i.paused_until), "pauseReason": i.pause_reason,
        "stageBaseline": i.stage_baseline.to_record() if i.stage_baseline else None,
        "approvedOn": _iso(i.approved_on),
        "approvedAt": i.approved_at.isoformat() if i.approved_at else None,
        "track": i.track.value,
    }


def instance_from_record(record: Mapping[str, Any], *,
                         etag: str | None = None) -> StudentInterventionInstance:
    r = record
    return StudentInterventionInstance(
        r["id"], r["tenantId"], r["schoolId"], r["studentId"], r["ruleSetId"], int(r["ruleSetVersion"]),
        InstanceStatus(r["status"]), int(r["stageOrder"]), StageType(r["stageType"]),
        ActionState(r["action"]),
        date.fromisoformat(r["startedOn"]), date.fromisoformat(r["stageEnteredOn"]),
        tuple(r.get("stageEvidence") or ()), _day(r.get("actionDoneOn")), _day(r.get("snoozedUntil")),
        bool(r.get("interventionSinceDone", False)), _day(r.get("closedOn")), r.get("closedReason"),
        int(r["eventCount"]), r["lastHash"], etag, _day(r.get("pausedUntil")), r.get("pauseReason"),
        StageBaseline.from_record(r["stageBaseline"]) if r.get("stageBaseline") else None,
        approved_on=_day(r.get("approvedOn")),
        approved_at=datetime.fromisoformat(r["approvedAt"]) if r.get("approvedAt") else None,
        track=Track(r.get("track") or Track.SUPPORT))
