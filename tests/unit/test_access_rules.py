"""The scope rule in domain/platform/access.py, without HTTP."""

from __future__ import annotations

import pytest

from domain.platform.access import Permission, Principal, Role, authorize
from domain.platform.errors import Forbidden, ValidationFailed


def principal(role: Role, schools: set[str] | None = None) -> Principal:
    return Principal(subject="u", tenant_id="t", roles=frozenset({role}),
                     school_ids=frozenset(schools or set()))


def test_teacher_reads_but_cannot_act():
    teacher = principal(Role.TEACHER, {"s1"})
    authorize(teacher, Permission.ATTENDANCE_READ, "s1", school_required=True)
    with pytest.raises(Forbidden):
        authorize(teacher, Permission.INTERVENTIONS_ACT, "s1", school_required=True)


def test_school_scoped_roles_must_name_a_school_they_hold():
    officer = principal(Role.ATTENDANCE_OFFICER, {"s1"})
    with pytest.raises(ValidationFailed) as missing:
        authorize(officer, Permission.INTERVENTIONS_ACT, None, school_required=True)
    assert missing.value.field == "schoolId"
    with pytest.raises(Forbidden):
        authorize(officer, Permission.INTERVENTIONS_ACT, "s2", school_required=True)


def test_district_admin_covers_every_school_of_the_tenant():
    admin = principal(Role.DISTRICT_ADMIN)
    authorize(admin, Permission.AUDIT_READ, None, school_required=True)
    authorize(admin, Permission.AUDIT_READ, "any-school", school_required=True)


def test_integration_identity_writes_data_but_reads_no_people():
    machine = principal(Role.INTEGRATION, {"s1"})
    authorize(machine, Permission.ATTENDANCE_WRITE, "s1", school_required=True)
    for permission in (Permission.ATTENDANCE_READ, Permission.INTERVENTIONS_READ,
                       Permission.AUDIT_READ, Permission.LETTERS_READ):
        with pytest.raises(Forbidden):
            authorize(machine, permission, "s1", school_required=True)


def test_roles_combine():
    both = Principal(subject="u", tenant_id="t", roles=frozenset({Role.TEACHER, Role.SCHOOL_ADMIN}),
                     school_ids=frozenset({"s1"}))
    authorize(both, Permission.AUDIT_READ, "s1", school_required=True)
