"""Roles, permissions and the one rule for tenant and school scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.platform.errors import Forbidden, ValidationFailed


class Role(StrEnum):
    DISTRICT_ADMIN = "DistrictAdmin"
    SCHOOL_ADMIN = "SchoolAdmin"
    ATTENDANCE_OFFICER = "AttendanceOfficer"
    TEACHER = "Teacher"
    INTEGRATION = "Integration"


class Permission(StrEnum):
    PROFILE_READ = "profile:read"
    AUDIT_READ = "audit:read"
    JOBS_READ = "jobs:read"
    JOBS_RUN = "jobs:run"
    SCHOOL_READ = "school:read"
    SCHOOL_MANAGE = "school:manage"
    ROSTER_WRITE = "roster:write"
    ATTENDANCE_READ = "attendance:read"
    ATTENDANCE_WRITE = "attendance:write"
    INTERVENTIONS_READ = "interventions:read"
    INTERVENTIONS_ACT = "interventions:act"
    RULES_MANAGE = "rules:manage"
    LETTERS_READ = "letters:read"
    TEMPLATES_MANAGE = "templates:manage"
    MEETINGS_READ = "meetings:read"
    MEETINGS_WRITE = "meetings:write"


P = Permission
_READ = {P.PROFILE_READ, P.SCHOOL_READ, P.ATTENDANCE_READ, P.INTERVENTIONS_READ, P.LETTERS_READ,
         P.MEETINGS_READ}
_STAFF = _READ | {P.INTERVENTIONS_ACT, P.MEETINGS_WRITE, P.JOBS_READ}
_ADMIN = _STAFF | {P.AUDIT_READ, P.JOBS_RUN, P.RULES_MANAGE, P.TEMPLATES_MANAGE, P.SCHOOL_MANAGE,
                   P.ROSTER_WRITE, P.ATTENDANCE_WRITE}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.DISTRICT_ADMIN: frozenset(_ADMIN),
    Role.SCHOOL_ADMIN: frozenset(_ADMIN),
    Role.ATTENDANCE_OFFICER: frozenset(_STAFF),
    Role.TEACHER: frozenset(_READ),
    # a machine identity: pushes SIS data, reads nothing about people
    Role.INTEGRATION: frozenset({P.PROFILE_READ, P.ROSTER_WRITE, P.ATTENDANCE_WRITE, P.JOBS_READ}),
}


@dataclass(frozen=True)
class Principal:
    """Who is calling: from a validated token. Never built from request input."""

    subject: str
    tenant_id: str
    roles: frozenset[Role]
    school_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def tenant_wide(self) -> bool:
        """District admins see every school of their tenant."""
        return Role.DISTRICT_ADMIN in self.roles

    def permissions(self) -> frozenset[Permission]:
        granted: set[Permission] = set()
        for role in self.roles:
            granted |= ROLE_PERMISSIONS[role]
        return frozenset(granted)

    def covers(self, school_id: str) -> bool:
        return self.tenant_wide or school_id in self.school_ids


def authorize(principal: Principal, permission: Permission, school_id: str | None,
              *, school_required: bool) -> None:
    """The single check every route goes through. Raises Forbidden or ValidationFailed.

    `school_required`: the route acts on one school's data; callers scoped to schools must
    name one (tenant-wide callers may omit it to mean every school of their tenant)."""
    if permission not in principal.permissions():
        raise Forbidden(f"your role does not allow {permission.value}")
    if school_id is None:
        if school_required and not principal.tenant_wide:
            raise ValidationFailed("schoolId is required for your role", field="schoolId")
        return
    if not principal.covers(school_id):
        raise Forbidden("that school is outside your scope", field="schoolId")
