"""What the local Wonde server answers for a list: which rows a query keeps, and each record
shaped to the includes asked for (devhost/wonde_server.py serves them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from devhost.wonde_data import Row, SchoolData
from domain.sis.values import parse_wonde_date

LISTS = ("students", "contacts", "employees", "classes", "attendance-codes", "attendance/session",
         "deletions")
# What each list can expand: a key left unasked is dropped (a class's subject shrinks to its name)
INCLUDES = {"students": {"education_details", "contacts", "year", "registration", "classes"},
            "contacts": {"contact_details", "students"},
            "employees": {"contact_details", "employment_details", "classes"},
            "classes": {"students", "employees", "subject"},
            "attendance/session": {"attendance_code", "student"}}
NESTED = {"students": {"contacts": "contact_details"}}


@dataclass
class Fault:
    status: int  # 429, a 5xx, or 0: close the connection without an answer
    times: int = 1
    retry_after: str | None = None
    path: str = ""  # a fragment of the request path, e.g. "attendance/session"
    page: int | None = None  # only this page of a list (the first is 1)


class BadParameter(ValueError):
    """A query parameter the server cannot read: answered 422, as Wonde answers a bad filter."""


def _stamp(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadParameter(f"{field}: expected YYYY-MM-DD HH:MM:SS") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def school_object(school: SchoolData) -> dict[str, Any]:
    return {"data": {"id": school.wonde_id, "name": school.name, "mis": "demo", "region": {
        "code": "GBR", "domain": "api.wonde.com",
        "school_url": f"https://api.wonde.com/v1.0/schools/{school.wonde_id}"}}}


def kept(row: Row, resource: str, query: dict[str, str]) -> bool:
    after, before = _stamp(query.get("updated_after"), "updated_after"), _stamp(
        query.get("updated_before"), "updated_before")
    if (after and row.updated_at <= after) or (before and row.updated_at >= before):
        return False
    if resource == "deletions":
        return query.get("type") in (None, "", row.record["type"])
    if resource == "attendance/session":
        day: date | None = parse_wonde_date(row.record["date"], "date")
        # a bad date raises ValidationFailed naming the parameter: answered 422
        low = parse_wonde_date(query.get("date_after"), "date_after")
        high = parse_wonde_date(query.get("date_before"), "date_before")
        return day is not None and (low is None or day > low) and (high is None or day < high)
    return True


def shape(resource: str, record: dict[str, Any], includes: set[str],
          codes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    includable = INCLUDES.get(resource, set())
    out = {k: v for k, v in record.items() if k not in includable or k in includes}
    if resource == "classes" and "subject" not in includes and isinstance(record.get("subject"), dict):
        out["subject"] = record["subject"]["data"]["name"]
    for parent, child in NESTED.get(resource, {}).items():
        if parent in out and f"{parent}.{child}" not in includes:
            out[parent] = {"data": [{k: v for k, v in item.items() if k != child}
                                    for item in out[parent]["data"]]}
    if resource == "attendance/session":  # kept as plain ids above; expanded here when asked
        out["attendance_code"], out["student"] = record["attendance_code"], record["student"]
        if "attendance_code" in includes and record["attendance_code"] in codes:
            out["attendance_code"] = {"data": codes[record["attendance_code"]]}
        if "student" in includes:
            out["student"] = {"data": {"id": record["student"]}}
    return out
