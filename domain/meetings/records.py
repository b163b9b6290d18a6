"""The storage and API shape of a meeting: camelCase keys, ISO dates and times (times in UTC).
The ETag is not part of the record; the adapter passes the one it read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from domain.meetings.model import Attendees, FollowUp, InterventionMeeting, MeetingOutcome, MeetingStatus


def utc_iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def meeting_to_record(m: InterventionMeeting) -> dict[str, Any]:
    return {
        "id": m.id, "tenantId": m.tenant_id, "schoolId": m.school_id, "studentId": m.student_id,
        "status": m.status.value, "createdBy": m.created_by, "createdAt": utc_iso(m.created_at),
        "updatedBy": m.updated_by, "updatedAt": utc_iso(m.updated_at), "instanceId": m.instance_id,
        "stageOrder": m.stage_order, "startsAt": utc_iso(m.starts_at) if m.starts_at else None,
        "endsAt": utc_iso(m.ends_at) if m.ends_at else None, "location": m.location,
        "attendees": {"staffIds": list(m.attendees.staff_ids), "guardianIds": list(m.attendees.guardian_ids)},
        "notes": m.notes, "outcome": m.outcome.value if m.outcome else None, "outcomeNotes": m.outcome_notes,
        "reviewOn": m.review_on.isoformat() if m.review_on else None,
        "followUp": ({"assignee": m.follow_up.assignee, "dueOn": m.follow_up.due_on.isoformat()}
                     if m.follow_up else None),
        "heldOn": m.held_on.isoformat() if m.held_on else None, "proposedFrom": m.proposed_from,
        "sequence": m.sequence,
    }


def meeting_from_record(r: Mapping[str, Any], *, etag: str | None = None) -> InterventionMeeting:
    attendees = r.get("attendees") or {}
    follow = r.get("followUp")
    created, updated = _time(r["createdAt"]), _time(r["updatedAt"])
    assert created is not None and updated is not None
    return InterventionMeeting(
        r["id"], r["tenantId"], r["schoolId"], r["studentId"], MeetingStatus(r["status"]), r["createdBy"],
        created, r["updatedBy"], updated, r.get("instanceId"),
        int(r["stageOrder"]) if r.get("stageOrder") is not None else None,
        _time(r.get("startsAt")), _time(r.get("endsAt")), r.get("location") or "",
        Attendees(tuple(attendees.get("staffIds", ())), tuple(attendees.get("guardianIds", ()))),
        r.get("notes") or "", MeetingOutcome(r["outcome"]) if r.get("outcome") else None,
        r.get("outcomeNotes") or "", _day(r.get("reviewOn")),
        FollowUp(follow["assignee"], date.fromisoformat(follow["dueOn"])) if follow else None,
        _day(r.get("heldOn")), r.get("proposedFrom"), int(r.get("sequence", 0)), etag)
