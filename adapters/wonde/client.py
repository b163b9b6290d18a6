"""The Wonde client behind `services.sis.ports.SisSource`: one school's lists, read whole.

URLs are `https://{domain}/v1.0/schools/{school_id}/{resource}` with the domain from the school's
region (adapters/wonde/regions.py); `base_url` replaces that for the local Wonde server
(devhost/wonde_server.py) and tests. Every list takes `updated_after` (`YYYY-MM-DD HH:MM:SS`,
UTC) for an incremental sync; deletions come from `deletions`, since a changed list only says
what is still there.

Session marks are asked for a day either side of the window and cut to it here: Wonde's date
filter names (`date_after`, `date_before`) and whether they include their day are not in the
documents read (docs/sis.md, Open questions), and this way both readings give the same marks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from adapters.wonde.regions import base_url as regional_base_url
from adapters.wonde.transport import RequestStats, Transport
from domain.sis.code_mapping import WondeCode, parse_wonde_codes
from domain.sis.records import (
    Deletion,
    Employee,
    SchoolClass,
    SessionMark,
    parse_class,
    parse_deletion,
    parse_each,
    parse_employee,
    parse_session_mark,
)
from services.sis.ports import Fetched, SisConnection

T = TypeVar("T")
STUDENT_INCLUDES = ("education_details", "contacts", "contacts.contact_details", "year", "registration",
                    "classes")
CONTACT_INCLUDES = ("contact_details", "students")
EMPLOYEE_INCLUDES = ("contact_details", "employment_details", "classes")
CLASS_INCLUDES = ("students", "employees", "subject")
DATE_AFTER, DATE_BEFORE = "date_after", "date_before"
PER_PAGE = 100
_SCHOOL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # it goes into the path


def wonde_stamp(moment: datetime) -> str:
    """`updated_after` as Wonde's readme writes it: `2016-06-24 00:00:00`, in UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class WondeClient:
    def __init__(self, transport: Transport | None = None, *, base_url: str | None = None,
                 per_page: int = PER_PAGE) -> None:
        self._transport = transport or Transport()
        self._base_url = base_url.rstrip("/") if base_url else None
        self._per_page = per_page

    def __repr__(self) -> str:
        return f"WondeClient(base_url={self._base_url!r}, per_page={self._per_page})"

    @property
    def stats(self) -> RequestStats:
        return self._transport.stats

    def close(self) -> None:
        self._transport.close()

    def students(self, school: SisConnection, *, updated_after: datetime | None = None,
                 ) -> Fetched[dict[str, Any]]:
        records, pages = self._list(school, "students", STUDENT_INCLUDES, updated_after)
        return Fetched(records, pages=pages)

    def contacts(self, school: SisConnection, *, updated_after: datetime | None = None,
                 ) -> Fetched[dict[str, Any]]:
        records, pages = self._list(school, "contacts", CONTACT_INCLUDES, updated_after)
        return Fetched(records, pages=pages)

    def session_attendance(self, school: SisConnection, start: date, end: date, *,
                           updated_after: datetime | None = None,
                           include_codes: bool = False) -> Fetched[SessionMark]:
        """Marks dated `start`..`end`; `include_codes` expands each mark's code (its letter then
        rides on `SessionMark.code`), at the price of a larger answer."""
        if end < start:
            raise ValueError(f"the window ends ({end}) before it starts ({start})")
        extra = {DATE_AFTER: (start - timedelta(days=1)).isoformat(),
                 DATE_BEFORE: (end + timedelta(days=1)).isoformat()}
        includes = ("attendance_code",) if include_codes else ()
        fetched = self._typed(school, "attendance/session", includes, updated_after, parse_session_mark,
                              extra)
        return Fetched([m for m in fetched.items if start <= m.date <= end], fetched.issues, fetched.pages)

    def attendance_codes(self, school: SisConnection) -> Fetched[WondeCode]:
        """The school's codes, custom ones included (the per-school list, not the client-level one)."""
        records, pages = self._list(school, "attendance-codes", (), None)
        codes, issues = parse_wonde_codes(records)
        return Fetched(codes, issues, pages)

    def deletions(self, school: SisConnection, *, updated_after: datetime | None = None,
                  type: str | None = None) -> Fetched[Deletion]:
        return self._typed(school, "deletions", (), updated_after, parse_deletion,
                           {"type": type} if type else {})

    def employees(self, school: SisConnection, *, updated_after: datetime | None = None,
                  ) -> Fetched[Employee]:
        return self._typed(school, "employees", EMPLOYEE_INCLUDES, updated_after, parse_employee)

    def classes(self, school: SisConnection, *, updated_after: datetime | None = None,
                ) -> Fetched[SchoolClass]:
        return self._typed(school, "classes", CLASS_INCLUDES, updated_after, parse_class)

    def _typed(self, school: SisConnection, resource: str, includes: tuple[str, ...],
               updated_after: datetime | None, parse: Callable[[dict[str, Any]], T],
               extra: dict[str, str] | None = None) -> Fetched[T]:
        records, pages = self._list(school, resource, includes, updated_after, extra)
        items, issues = parse_each(records, parse)
        return Fetched(items, issues, pages)

    def _list(self, school: SisConnection, resource: str, includes: tuple[str, ...],
              updated_after: datetime | None, extra: dict[str, str] | None = None) -> tuple[list[Any], int]:
        params = {"per_page": str(self._per_page), **(extra or {})}
        if includes:
            params["include"] = ",".join(includes)
        if updated_after is not None:
            params["updated_after"] = wonde_stamp(updated_after)
        if not _SCHOOL_ID.fullmatch(school.school_id):
            raise ValueError("a Wonde school id is letters, digits, '-' and '_' only")
        base = self._base_url or regional_base_url(school.region)
        url = f"{base}/schools/{school.school_id}/{resource}"
        return self._transport.read_all(url, params, school.token, school_id=school.school_id,
                                        what=resource)

