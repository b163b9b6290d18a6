"""Rule-set routes in the role table.

Every member of staff reads rule sets and simulates a student (they see why a letter is due);
admins create, edit, activate, install presets and preview a draft's impact. The split between
school admins and district admins (tenant-wide rule sets are district admins' alone) is
tested in tests/integration/test_rules_api.py; here a school admin acts within their school.
"""

from __future__ import annotations

import bootstrap
from domain.platform.errors import AlreadyExists
from domain.rules import parse_rule_set
from tests.api.route_table import ADMINS, READERS, Route
from tests.api.routes_attendance import DAY
from tests.api.routes_attendance import seed as seed_school
from tests.rules_payloads import DRAFT


def _store(tenant: str, rule_set_id: str, school: str | None) -> None:
    try:
        bootstrap.composition().rules.store.create(parse_rule_set(
            {**DRAFT, "id": rule_set_id, "tenantId": tenant, "schoolId": school}))
    except AlreadyExists:  # seeded for the other school already
        pass


def seed_tenant_rule_set(tenant: str, school: str) -> None:
    _store(tenant, "rs-tenant", None)


def seed_school_rule_set(tenant: str, school: str) -> None:
    """A rule set of s1 only: the by-id routes take their scope from it."""
    seed_school(tenant, school)
    if school == "s1":
        _store(tenant, "rs-s1", "s1")


ROUTES = [
    Route("GET", "/api/interventions/rules", READERS, seed=seed_tenant_rule_set),
    Route("POST", "/api/interventions/rules", ADMINS, json=DRAFT, ok=frozenset({201}), seed=seed_school),
    Route("POST", "/api/interventions/rules/presets/{jurisdiction}", ADMINS,
          url="/api/interventions/rules/presets/ENG", ok=frozenset({200, 201}), seed=seed_school),
    Route("POST", "/api/interventions/rules/preview", ADMINS, params={"date": DAY}, json=DRAFT,
          seed=seed_school),
    Route("GET", "/api/interventions/rules/{id}", READERS, school_scoped=False,
          url="/api/interventions/rules/rs-tenant", seed=seed_tenant_rule_set),
    # The table sends no If-Match: 428 shows the caller got past the access check.
    Route("PUT", "/api/interventions/rules/{id}", ADMINS, school_scoped=False,
          url="/api/interventions/rules/rs-s1", json=DRAFT, ok=frozenset({428}), seed=seed_school_rule_set),
    Route("POST", "/api/interventions/rules/{id}/activate", ADMINS, school_scoped=False,
          url="/api/interventions/rules/rs-s1/activate", seed=seed_school_rule_set),
    Route("POST", "/api/interventions/rules/{id}/deactivate", ADMINS, school_scoped=False,
          url="/api/interventions/rules/rs-s1/deactivate", seed=seed_school_rule_set),
    Route("POST", "/api/interventions/simulate", READERS, seed=seed_school,
          json={"studentId": "st-1", "draft": DRAFT, "until": DAY}),
]
