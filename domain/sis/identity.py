"""One pupil, one history: a re-enrolled pupil gets a new Wonde id but keeps the UPI.

A Wonde student whose UPI belongs to a stored student of another id is that student: its record
is read under the stored id (an alias remembers the new Wonde id for its marks and deletions),
and the enrolment keeps its first admission date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from domain.roster.schools import Student


def _upi(record: Mapping[str, Any]) -> str | None:
    value = record.get("upi")
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


def _with_start(record: dict[str, Any], start: date) -> dict[str, Any]:
    """The record with its admission date moved back to `start`, wherever Wonde put it."""
    details = record.get("education_details")
    if not isinstance(details, dict):
        return {**record, "admission_date": start.isoformat()}
    inner = details.get("data")
    if isinstance(inner, dict):
        moved = {**inner, "admission_date": start.isoformat()}
        return {**record, "education_details": {**details, "data": moved}}
    return {**record, "education_details": {**details, "admission_date": start.isoformat()}}


def merge_identities(records: Iterable[dict[str, Any]], stored: Iterable[Student],
                     aliases: Mapping[str, str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The records keyed on the stored student where the UPI (or a known alias) says so, and
    every alias (Wonde id -> stored student id), the known ones included."""
    by_id = {s.student_id: s for s in stored}
    by_upi = {s.upi.strip().upper(): s for s in by_id.values() if s.upi}
    found = dict(aliases)
    merged = []
    for record in records:
        wonde_id = str(record.get("id", ""))
        upi = _upi(record)
        owner = by_id.get(found.get(wonde_id, ""))
        if owner is None and wonde_id not in by_id and upi is not None:
            owner = by_upi.get(upi)
        if owner is None or owner.student_id == wonde_id:
            merged.append(record)
            continue
        found[wonde_id] = owner.student_id
        renamed = {**record, "id": owner.student_id}
        merged.append(_with_start(renamed, owner.enrolment_start))
    return merged, found
