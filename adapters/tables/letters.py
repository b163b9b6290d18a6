"""Letter artifacts: `letterartifacts`, PartitionKey `key(tenant, school)`, RowKey the artifact id.

One partition per school: a job's artifacts (one instance and stage) and a student's artifacts
are each one filtered read of that partition. The merge-data snapshot is a JSON string property
(well under the 64 KiB property limit for a letter's fields and its monthly chart).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from adapters.storage.keys import escape_key_part, key
from adapters.storage.tables import Entity, Table
from domain.letters.artifacts import ArtifactStatus, LetterArtifact

TABLE = "letterartifacts"
TABLES = [TABLE]

def _entity(a: LetterArtifact) -> dict[str, Any]:
    return {"PartitionKey": key(a.tenant_id, a.school_id), "RowKey": escape_key_part(a.id),
            "id": a.id, "studentId": a.student_id, "instanceId": a.instance_id,
            "stageOrder": a.stage_order, "actionId": a.action_id, "templateKey": a.template_key,
            "templateVersion": a.template_version, "guardianId": a.guardian_id, "language": a.language,
            "status": a.status.value, "generatedAt": a.generated_at.isoformat(),
            "storagePath": a.storage_path, "contentHash": a.content_hash, "mergeData": a.merge_data,
            "missingTranslation": a.missing_translation, "failureReason": a.failure_reason,
            "attempts": a.attempts,
            "deliveredAt": a.delivered_at.isoformat() if a.delivered_at else None,
            "guardianUnreachable": a.guardian_unreachable,
            "sendingSince": a.sending_since.isoformat() if a.sending_since else None,
            "channel": a.channel, "meetingId": a.meeting_id, "meetingSequence": a.meeting_sequence,
            "companionOf": a.companion_of}


def _artifact(tenant_id: str, school_id: str, row: Entity) -> LetterArtifact:
    return LetterArtifact(
        id=row["id"], tenant_id=tenant_id, school_id=school_id, student_id=row["studentId"],
        instance_id=row["instanceId"], stage_order=int(row["stageOrder"]), action_id=row["actionId"],
        template_key=row["templateKey"], template_version=int(row["templateVersion"]),
        guardian_id=row["guardianId"], language=row["language"], status=ArtifactStatus(row["status"]),
        generated_at=datetime.fromisoformat(row["generatedAt"]), storage_path=row.get("storagePath"),
        content_hash=row.get("contentHash"), merge_data=row.get("mergeData") or "{}",
        missing_translation=row.get("missingTranslation"), failure_reason=row.get("failureReason"),
        attempts=int(row.get("attempts") or 0),
        delivered_at=datetime.fromisoformat(row["deliveredAt"]) if row.get("deliveredAt") else None,
        guardian_unreachable=bool(row.get("guardianUnreachable")),
        sending_since=datetime.fromisoformat(row["sendingSince"]) if row.get("sendingSince") else None,
        channel=row.get("channel"), meeting_id=row.get("meetingId"),
        meeting_sequence=int(row["meetingSequence"]) if row.get("meetingSequence") is not None else None,
        companion_of=row.get("companionOf"), etag=row.etag)


class TableLetterArtifacts:
    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, tenant_id: str, school_id: str, artifact_id: str) -> LetterArtifact:
        """Raises NotFound."""
        row = self._table.get(key(tenant_id, school_id), escape_key_part(artifact_id))
        return _artifact(tenant_id, school_id, row)

    def for_stage(self, tenant_id: str, school_id: str, instance_id: str,
                  stage_order: int) -> list[LetterArtifact]:
        rows = self._table.query("PartitionKey eq @pk and instanceId eq @iid and stageOrder eq @so",
                                 parameters={"pk": key(tenant_id, school_id), "iid": instance_id,
                                             "so": stage_order})
        return [_artifact(tenant_id, school_id, r) for r in rows]

    def for_student(self, tenant_id: str, school_id: str, student_id: str) -> list[LetterArtifact]:
        rows = self._table.query("PartitionKey eq @pk and studentId eq @sid",
                                 parameters={"pk": key(tenant_id, school_id), "sid": student_id})
        return sorted((_artifact(tenant_id, school_id, r) for r in rows),
                      key=lambda a: (a.generated_at, a.id))

    def with_status(self, tenant_id: str, school_id: str,
                    statuses: Iterable[ArtifactStatus]) -> list[LetterArtifact]:
        """The school's artifacts in any of `statuses`: one filtered read of its partition."""
        wanted = sorted({s.value for s in statuses})
        params: dict[str, Any] = {"pk": key(tenant_id, school_id)}
        params.update({f"s{i}": value for i, value in enumerate(wanted)})
        either = " or ".join(f"status eq @s{i}" for i in range(len(wanted)))
        # spaces inside the parentheses: the SDK finds @names by splitting the filter on spaces
        rows = self._table.query(f"PartitionKey eq @pk and ( {either} )", parameters=params)
        return [_artifact(tenant_id, school_id, r) for r in rows]

    def page(self, tenant_id: str, school_id: str, *, student_id: str | None,
             status: ArtifactStatus | None, limit: int,
             continuation: str | None) -> tuple[list[LetterArtifact], str | None]:
        """One page of the school's artifacts (of one student and/or in one status), in RowKey
        order, i.e. by artifact id. A filtered page may hold fewer than `limit` (even none) and
        still carry a token: the service stops scanning after a while."""
        clauses, params = ["PartitionKey eq @pk"], {"pk": key(tenant_id, school_id)}
        if student_id is not None:
            clauses.append("studentId eq @sid")
            params["sid"] = student_id
        if status is not None:
            clauses.append("status eq @status")
            params["status"] = status.value
        found = self._table.query_page(" and ".join(clauses), parameters=params, page_size=limit,
                                       continuation=continuation)
        return [_artifact(tenant_id, school_id, r) for r in found.items], found.continuation

    def insert(self, artifact: LetterArtifact) -> LetterArtifact:
        """Raises AlreadyExists."""
        etag = self._table.insert(_entity(artifact))
        return _with_etag(artifact, etag)

    def replace(self, artifact: LetterArtifact) -> LetterArtifact:
        """ETag-conditional when the artifact carries one (ConcurrencyError); else an upsert."""
        if artifact.etag:
            etag = self._table.update(_entity(artifact), etag=artifact.etag)
        else:
            etag = self._table.upsert(_entity(artifact))
        return _with_etag(artifact, etag)


def _with_etag(artifact: LetterArtifact, etag: str) -> LetterArtifact:
    return replace(artifact, etag=etag)
