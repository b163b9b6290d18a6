"""Meeting invitations as the nightly and the cancellation notice read them, and the
cancellation's send-once markers.

`TableInvitations` reads the `letterartifacts` table (adapters/tables/letters.py writes it) with
one filtered query of the school's partition, projecting only the columns
domain/meetings/notices.py needs: `meetingSequence ge 0` selects invitations (a plain letter has
no such property: Table Storage stores no nulls), `meetingId eq` one meeting's.

`meetingnotices`: PartitionKey `key(tenant, school)`, RowKey `key(meeting id, guardian id)`;
one meeting's markers are one prefix range of the partition; the nightly reads the school's
SENT ones with one filtered partition query.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from adapters.storage.keys import escape_key_part, key, prefix_range
from adapters.storage.tables import Entity, Table
from domain.letters.artifacts import ArtifactStatus
from domain.meetings.notices import InvitationRecord, NoticeMark, NoticeState

NOTICES_TABLE = "meetingnotices"
TABLES = [NOTICES_TABLE]
_COLUMNS = ["id", "meetingId", "meetingSequence", "guardianId", "status", "generatedAt", "channel",
            "guardianUnreachable"]


def _record(row: Entity) -> InvitationRecord:
    return InvitationRecord(
        artifact_id=row["id"], meeting_id=row["meetingId"], meeting_sequence=int(row["meetingSequence"]),
        guardian_id=row["guardianId"], status=ArtifactStatus(row["status"]),
        generated_at=datetime.fromisoformat(row["generatedAt"]), channel=row.get("channel"),
        unreachable=bool(row.get("guardianUnreachable")))


class TableInvitations:
    def __init__(self, artifacts: Table) -> None:
        self._table = artifacts

    def school(self, tenant_id: str, school_id: str) -> list[InvitationRecord]:
        """Every meeting invitation of the school."""
        rows = self._table.query("PartitionKey eq @pk and meetingSequence ge @zero",
                                 parameters={"pk": key(tenant_id, school_id), "zero": 0}, select=_COLUMNS)
        return [_record(r) for r in rows if r.get("meetingId")]

    def of_meeting(self, tenant_id: str, school_id: str, meeting_id: str) -> list[InvitationRecord]:
        """The invitations to one meeting, every sequence."""
        rows = self._table.query("PartitionKey eq @pk and meetingId eq @mid",
                                 parameters={"pk": key(tenant_id, school_id), "mid": meeting_id},
                                 select=_COLUMNS)
        return [_record(r) for r in rows]


def _entity(mark: NoticeMark) -> dict[str, Any]:
    return {"PartitionKey": key(mark.tenant_id, mark.school_id),
            "RowKey": key(mark.meeting_id, mark.guardian_id), "meetingId": mark.meeting_id,
            "guardianId": mark.guardian_id, "state": mark.state.value,
            "since": mark.since.isoformat() if mark.since else None, "messageId": mark.message_id}


def _mark(tenant_id: str, school_id: str, row: Entity) -> NoticeMark:
    return NoticeMark(tenant_id, school_id, row["meetingId"], row["guardianId"], NoticeState(row["state"]),
                      datetime.fromisoformat(row["since"]) if row.get("since") else None,
                      row.get("messageId"), etag=row.etag)


class TableNoticeMarks:
    def __init__(self, table: Table) -> None:
        self._table = table

    def of_meeting(self, tenant_id: str, school_id: str, meeting_id: str) -> dict[str, NoticeMark]:
        """The meeting's markers by guardian id (one range read)."""
        low, high = prefix_range(escape_key_part(meeting_id) + "|")
        rows = self._table.query("PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
                                 parameters={"pk": key(tenant_id, school_id), "lo": low, "hi": high})
        marks = (_mark(tenant_id, school_id, r) for r in rows)
        return {m.guardian_id: m for m in marks}

    def sent(self, tenant_id: str, school_id: str) -> set[tuple[str, str]]:
        """(meeting id, guardian id) of every SENT cancellation e-mail of the school: one
        filtered partition read of two columns."""
        rows = self._table.query("PartitionKey eq @pk and state eq @sent",
                                 parameters={"pk": key(tenant_id, school_id), "sent": NoticeState.SENT.value},
                                 select=["meetingId", "guardianId"])
        return {(r["meetingId"], r["guardianId"]) for r in rows}

    def insert(self, mark: NoticeMark) -> NoticeMark:
        """Raises AlreadyExists."""
        return _with(mark, self._table.insert(_entity(mark)))

    def replace(self, mark: NoticeMark) -> NoticeMark:
        """ETag-conditional (ConcurrencyError when the marker changed since it was read)."""
        if mark.etag is None:
            raise ValueError("replace needs the ETag the marker was read with")
        return _with(mark, self._table.update(_entity(mark), etag=mark.etag))


def _with(mark: NoticeMark, etag: str) -> NoticeMark:
    return replace(mark, etag=etag)
