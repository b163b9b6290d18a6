"""Letter-template routes in the role table: every member of staff (Teacher included) reads the
templates; only admins create, edit, approve, retire and preview them. The calls here address a
school's override (`override=true`), which the school's own admins manage; that district
templates are the district admins' alone is tested in tests/integration/test_letter_templates_api.py.
A PUT without `If-Match` answers 428 past the access check."""

from __future__ import annotations

from dataclasses import replace

import bootstrap
from domain.letters.starters import starter_templates
from domain.letters.templates import LockScope, TemplateStatus
from domain.platform.errors import AlreadyExists
from domain.roster.schools import Jurisdiction
from tests.api.route_table import ADMINS, READERS, Route
from tests.api.routes_attendance import seed as seed_school

KEY = "eng-attendance-letter-1"
BASE = f"/api/letters/templates/{KEY}"
OVERRIDE = {"language": "en", "override": "true"}


def seed_override_draft(tenant: str, school: str) -> None:
    """The school, and a DRAFT v2 override of the English letter 1 by someone else."""
    seed_school(tenant, school)
    [starter] = [t for t in starter_templates(Jurisdiction.ENGLAND) if t.key == KEY]
    draft = replace(starter, version=2, school_id=school, status=TemplateStatus.DRAFT, approved_by=None,
                    approved_at=None, last_edited_by="seed-editor", lock_scope=LockScope.DISTRICT_ONLY)
    try:
        bootstrap.composition().letters.template_store.insert(tenant, draft)
    except AlreadyExists:  # seeded already
        pass


ROUTES = [
    Route("GET", "/api/letters/templates", READERS, seed=seed_school),
    Route("GET", "/api/letters/templates/{key}/versions/{version}", READERS, url=f"{BASE}/versions/1",
          params={"language": "en"}, seed=seed_school),
    Route("POST", "/api/letters/templates", ADMINS, params={"override": "true"},
          json={"key": KEY, "language": "en"}, ok=frozenset({201}), seed=seed_school),
    Route("PUT", "/api/letters/templates/{key}", ADMINS, url=BASE, params=OVERRIDE,
          json={"body": "<p>{{ studentFirstName }}</p>"}, ok=frozenset({428}), seed=seed_override_draft),
    Route("POST", "/api/letters/templates/{key}/versions/{version}/approve", ADMINS,
          url=f"{BASE}/versions/2/approve", params=OVERRIDE, seed=seed_override_draft),
    Route("POST", "/api/letters/templates/{key}/versions/{version}/retire", ADMINS,
          url=f"{BASE}/versions/2/retire", params=OVERRIDE, seed=seed_override_draft),
    Route("POST", "/api/letters/templates/{key}/versions/{version}/preview", ADMINS,
          url=f"{BASE}/versions/1/preview", params={"language": "en"}, seed=seed_school),
]
