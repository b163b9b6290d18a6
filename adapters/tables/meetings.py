"""Meetings in the `meetings` table: PartitionKey `tenant|school`, RowKey the meeting id.

Beside the full `record` (JSON, `meeting_to_record`), the columns the list filters on:
`studentId`, `instanceId`, `status` and `startsAtUtc` (ISO 8601 in UTC, so string comparison is
time order; a PROPOSED meeting has none). A list is one filtered query of the school's
partition, paged; the nightly reads the whole partition once.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

from azure.core import MatchConditions
from azure.data.tables import UpdateMode

from adapters.storage.keys import key
from adapters.storage.tables import Entity, Table
from domain.meetings.model import InterventionMeeting
from domain.meetings.records import meeting_from_record, meeting_to_record, utc_iso
from services.meetings.ports import MeetingFilter

TABLE = "meetings"
TABLES = [TABLE]


def _entity(meeting: InterventionMeeting) -> dict[str, Any]:
    m = meeting
    return {"PartitionKey": key(m.tenant_id, m.school_id), "RowKey": m.id, "studentId": m.student_id,
            "instanceId": m.instance_id, "status": m.status.value,
            "startsAtUtc": utc_iso(m.starts_at) if m.starts_at else None,
            "record": json.dumps(meeting_to_record(m))}


def _meeting(row: Entity) -> InterventionMeeting:
    return meeting_from_record(json.loads(row["record"]), etag=row.etag)


class TableMeetingStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def meeting(self, tenant_id: str, school_id: str, meeting_id: str) -> InterventionMeeting:
        return _meeting(self._table.get(key(tenant_id, school_id), meeting_id))

    def school(self, tenant_id: str, school_id: str) -> list[InterventionMeeting]:
        return [_meeting(r) for r in self._table.partition(key(tenant_id, school_id))]

    def page(self, tenant_id: str, school_id: str, where: MeetingFilter, *, limit: int,
             continuation: str | None) -> tuple[list[InterventionMeeting], str | None]:
        clauses, params = ["PartitionKey eq @pk"], {"pk": key(tenant_id, school_id)}
        if where.status is not None:
            clauses.append("status eq @status")
            params["status"] = where.status.value
        if where.student_id is not None:
            clauses.append("studentId eq @sid")
            params["sid"] = where.student_id
        if where.starts_from is not None:
            clauses.append("startsAtUtc ge @lo")
            params["lo"] = where.starts_from.isoformat()
        if where.starts_to is not None:  # the whole of the last day
            clauses.append("startsAtUtc lt @hi")
            params["hi"] = (where.starts_to + timedelta(days=1)).isoformat()
        page = self._table.query_page(" and ".join(clauses), parameters=params, page_size=limit,
                                      continuation=continuation)
        return [_meeting(r) for r in page.items], page.continuation

    def create(self, meeting: InterventionMeeting) -> InterventionMeeting:
        return replace(meeting, etag=self._table.insert(_entity(meeting)))

    def save(self, meeting: InterventionMeeting,
             proposed: InterventionMeeting | None = None) -> InterventionMeeting:
        if meeting.etag is None:
            raise ValueError("save needs the ETag the meeting was read with")
        if proposed is None:
            return replace(meeting, etag=self._table.update(_entity(meeting), etag=meeting.etag))
        # one transaction: if the ETag check fails, the proposed meeting is not written either
        ops = [("update", _entity(meeting), {"mode": UpdateMode.REPLACE, "etag": meeting.etag,
                                             "match_condition": MatchConditions.IfNotModified}),
               ("upsert", _entity(proposed), {"mode": UpdateMode.REPLACE})]
        self._table.submit(ops)
        return replace(meeting, etag=self.meeting(meeting.tenant_id, meeting.school_id, meeting.id).etag)
