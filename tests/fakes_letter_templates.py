"""In-memory fakes for the stored letter templates: a store that behaves like
adapters/tables/templates.py (ETags, AlreadyExists, ConcurrencyError, counted reads) and a
roster with schools of more than one jurisdiction."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime

from domain.letters.templates import LetterTemplate
from domain.platform.access import Principal, Role
from domain.platform.errors import AlreadyExists, ConcurrencyError, NotFound
from domain.roster.schools import Jurisdiction, School
from services.letters.templates.admin import LetterTemplateAdmin
from services.letters.templates.source import TemplateCatalog
from services.platform.audit import AuditLog
from services.platform.ports import FixedClock
from tests.fakes_attendance import FakeAuditRepository

T = "t1"
NOW = datetime(2024, 10, 1, 9, tzinfo=UTC)
_etags = itertools.count(1)
DISTRICT = Principal("district-ann", T, frozenset({Role.DISTRICT_ADMIN}))
DISTRICT_2 = Principal("district-bob", T, frozenset({Role.DISTRICT_ADMIN}))
HEAD_S1 = Principal("head-s1", T, frozenset({Role.SCHOOL_ADMIN}), frozenset({"s1"}))
HEAD_S1_DEPUTY = Principal("deputy-s1", T, frozenset({Role.SCHOOL_ADMIN}), frozenset({"s1"}))


class FakeTemplateStore:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str, str | None, int], LetterTemplate] = {}
        self.reads = 0

    @staticmethod
    def _id(tenant_id: str, t: LetterTemplate) -> tuple[str, str, str, str | None, int]:
        return tenant_id, t.key, t.language, t.school_id, t.version

    def all(self, tenant_id: str) -> list[LetterTemplate]:
        self.reads += 1
        return [t for k, t in sorted(self.rows.items(), key=lambda kv: str(kv[0])) if k[0] == tenant_id]

    def insert(self, tenant_id: str, template: LetterTemplate) -> LetterTemplate:
        row = self._id(tenant_id, template)
        if row in self.rows:
            raise AlreadyExists("row exists")
        self.rows[row] = replace(template, etag=f'W/"e{next(_etags)}"')
        return self.rows[row]

    def replace(self, tenant_id: str, template: LetterTemplate) -> LetterTemplate:
        row = self._id(tenant_id, template)
        if row not in self.rows:
            raise NotFound("row is gone")
        if self.rows[row].etag != template.etag:
            raise ConcurrencyError("changed")
        self.rows[row] = replace(template, etag=f'W/"e{next(_etags)}"')
        return self.rows[row]


class SchoolsRoster:
    """The two RosterReader methods the catalog uses."""

    def __init__(self, *schools: School) -> None:
        self.schools = {(s.tenant_id, s.school_id): s for s in schools}

    def school(self, tenant_id: str, school_id: str) -> School:
        if (tenant_id, school_id) not in self.schools:
            raise NotFound("no such school")
        return self.schools[(tenant_id, school_id)]

    def all_schools(self) -> list[School]:
        return list(self.schools.values())


def school(school_id: str, jurisdiction: str = "ENG", tenant_id: str = T) -> School:
    return School(tenant_id=tenant_id, school_id=school_id, name=f"School {school_id}",
                  jurisdiction=Jurisdiction(jurisdiction))


def admin_setup() -> tuple[LetterTemplateAdmin, FakeTemplateStore, FakeAuditRepository]:
    """s1 and s2 in England, ie1 in Ireland; another tenant's school in California."""
    store, audit = FakeTemplateStore(), FakeAuditRepository()
    roster = SchoolsRoster(school("s1"), school("s2"), school("ie1", "IE"), school("x1", "US-CA", "t2"))
    clock = FixedClock(NOW)
    catalog = TemplateCatalog(roster, store)  # type: ignore[arg-type]
    return LetterTemplateAdmin(catalog, store, AuditLog(audit, clock), clock), store, audit


def draft(key: str = "custom-letter", version: int = 1, *, school_id: str | None = None,
          body: str = "<p>Dear {{ guardianName }}</p>", editor: str = "someone") -> LetterTemplate:
    return LetterTemplate(key=key, version=version, body=body, language="en", last_edited_by=editor,
                          effective_from=date(2024, 9, 1),
                          merge_fields={"guardianName": {"type": "string"}}, school_id=school_id)
