"""Reference data use cases: schools, calendars, code mappings, the roster import, student reads.

Every change writes an audit record (one per import batch, with counts only: no names). A write
that would change nothing is skipped, audit included, so a repeated request leaves no trace.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.codes import load_code_table
from domain.platform.access import Principal
from domain.platform.errors import Forbidden, NotFound, ValidationFailed
from domain.roster.languages import normalize_language
from domain.roster.schools import Jurisdiction, School, Student
from domain.sis.wonde import parse_roster
from services.platform.audit import AuditLog
from services.roster.imports import ImportResult, plan
from services.roster.ports import RosterStore, StudentDetail

log = logging.getLogger(__name__)

MAX_MAPPINGS = 1000


class RosterService:
    def __init__(self, store: RosterStore, audit: AuditLog) -> None:
        self._store = store
        self._audit = audit

    # --- schools -----------------------------------------------------------------------------------

    def list_schools(self, tenant_id: str, allowed: frozenset[str] | None = None) -> list[School]:
        """The tenant's schools; `allowed` None means all of them."""
        schools = self._store.tenant_schools(tenant_id)
        return [s for s in schools if allowed is None or s.school_id in allowed]

    def get_school(self, tenant_id: str, school_id: str) -> School:
        return self._store.school(tenant_id, school_id)

    def put_school(self, actor: Principal | None, school: School) -> tuple[School, bool]:
        """Create or update; True when created. Only a district admin (or the system) adds a
        school; a school's jurisdiction is fixed once set (its marks and mappings are coded for it)."""
        school = _checked(school)
        found = self._store.find_school(school.tenant_id, school.school_id)
        if found is None:
            if actor is not None and not actor.tenant_wide:
                raise Forbidden("only a district admin may add a school", field="schoolId")
            self._store.insert_school(school)
            self._record(actor, school.tenant_id, school.school_id, "school.created", "school",
                         school.school_id, None, school.model_dump(mode="json"))
            return school, True
        before, etag = found
        if before.jurisdiction != school.jurisdiction:
            raise ValidationFailed(f"the school is {before.jurisdiction.value}; a jurisdiction "
                                   "cannot change once set", field="jurisdiction")
        if before != school:
            self._store.replace_school(school, etag)
            self._record(actor, school.tenant_id, school.school_id, "school.updated", "school",
                         school.school_id, before.model_dump(mode="json"), school.model_dump(mode="json"))
        return school, False

    # --- calendars ---------------------------------------------------------------------------------

    def put_calendar(self, actor: Principal | None, tenant_id: str, school_id: str,
                     calendar: SchoolCalendar) -> SchoolCalendar:
        self._store.school(tenant_id, school_id)  # NotFound for an unknown school
        before: SchoolCalendar | None = None
        for other in self._store.calendars(tenant_id, school_id):
            if other.school_year == calendar.school_year:
                before = other
            elif other.start <= calendar.end and calendar.start <= other.end:
                raise ValidationFailed(f"overlaps the school year {other.school_year} "
                                       f"({other.start}..{other.end})", field="start")
        if before is None or before.to_dict() != calendar.to_dict():
            self._store.save_calendar(tenant_id, school_id, calendar)
            self._record(actor, tenant_id, school_id, "calendar.saved", "calendar",
                         calendar.school_year, before.to_dict() if before else None, calendar.to_dict())
        return calendar

    def get_calendar(self, tenant_id: str, school_id: str, school_year: str) -> SchoolCalendar:
        found = self._store.find_calendar(tenant_id, school_id, school_year)
        if found is None:
            raise NotFound(f"no calendar for {school_year}")
        return found

    def list_calendars(self, tenant_id: str, school_id: str) -> list[SchoolCalendar]:
        return sorted(self._store.calendars(tenant_id, school_id), key=lambda c: c.start)

    # --- code mappings -----------------------------------------------------------------------------

    def put_code_mapping(self, actor: Principal | None, tenant_id: str, school_id: str,
                         mappings: dict[str, str]) -> tuple[Jurisdiction, dict[str, str]]:
        """Replace the school's mapping; each target must be in its jurisdiction's current table.
        The school's jurisdiction and the mapping as stored."""
        school = self._store.school(tenant_id, school_id)
        table = load_code_table(school.jurisdiction)
        if len(mappings) > MAX_MAPPINGS:
            raise ValidationFailed(f"at most {MAX_MAPPINGS} entries", field="mappings")
        clean: dict[str, str] = {}
        for sis_code in sorted(mappings):
            target = mappings[sis_code]
            if not sis_code.strip() or len(sis_code) > 64:
                raise ValidationFailed("a SIS code is 1-64 characters", field=f"mappings.{sis_code}")
            if target not in table:
                raise ValidationFailed(f"{target!r} is not a code of {table.version}",
                                       field=f"mappings.{sis_code}")
            clean[sis_code] = table.info(target).code
        before = self._store.code_mapping(tenant_id, school_id)
        if before != clean:
            self._store.replace_code_mapping(tenant_id, school_id, clean)
            self._record(actor, tenant_id, school_id, "codemapping.saved", "codemapping", school_id,
                         before, clean)
        return school.jurisdiction, clean

    def get_code_mapping(self, tenant_id: str, school_id: str) -> dict[str, str]:
        return self._store.code_mapping(tenant_id, school_id)

    # --- roster ------------------------------------------------------------------------------------

    def import_students(self, actor: Principal | None, tenant_id: str, school_id: str,
                        payload: Any) -> ImportResult:
        """Wonde students-with-contacts; each record judged on its own, accepted ones stored."""
        school = self._store.school(tenant_id, school_id)
        parsed = parse_roster(payload, tenant_id=tenant_id, school_id=school_id,
                              default_language=school.language)
        change, result = plan(parsed.records, self._store.roster(tenant_id, school_id))
        result.rejected, result.warnings = parsed.rejected, parsed.warnings
        if change:
            self._store.apply(tenant_id, school_id, change)
            self._record(actor, tenant_id, school_id, "roster.imported", "roster", uuid.uuid4().hex,
                         None, result.counts())
        log.info("roster import for school %s: %s", school_id, result.counts())
        return result

    def students(self, tenant_id: str, school_id: str, *, year_group: str | None = None,
                 limit: int = 100, continuation: str | None = None) -> tuple[list[Student], str | None]:
        return self._store.student_page(tenant_id, school_id, year_group=year_group, limit=limit,
                                        continuation=continuation)

    def student(self, tenant_id: str, school_id: str, student_id: str) -> StudentDetail:
        return self._store.student_detail(tenant_id, school_id, student_id)

    def _record(self, actor: Principal | None, tenant_id: str, school_id: str, action: str,
                entity_type: str, entity_id: str, before: dict[str, Any] | None,
                after: dict[str, Any] | None) -> None:
        self._audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id, action=action,
                           entity_type=entity_type, entity_id=entity_id, before=before, after=after)


def _checked(school: School) -> School:
    """The time zone must be a real IANA zone; the language is stored in canonical form."""
    if not school.zone_known:
        raise ValidationFailed(f"{school.time_zone!r} is not an IANA time zone such as "
                               "Europe/London", field="timeZone")
    try:
        language = normalize_language(school.language)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="language") from None
    return school.model_copy(update={"language": language})

