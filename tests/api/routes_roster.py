"""Reference-data routes in the role table.

Schools are read by every member of staff and managed by admins; `PUT /api/schools/{id}` takes
the school in the path (it is the resource), so it is not query-scoped: a school admin may update
only their own school (others answer 404) and only a district admin may add one
(tests/integration/test_roster_api.py checks both). Rosters are pushed by admins and the SIS
integration; the integration identity reads nothing about people, so it may not list students.
"""

from __future__ import annotations

import bootstrap
from domain.attendance.calendar_input import calendar_from_body
from domain.roster.schools import School
from tests.api.route_table import ADMINS, READERS, Route
from tests.roster_payloads import CALENDAR_BODY, SCHOOL_BODY, payload, student

YEAR = "2024-25"


def seed(tenant: str, school: str) -> None:
    roster = bootstrap.composition().roster.service
    roster.put_school(None, School(tenant_id=tenant, school_id=school, name=SCHOOL_BODY["name"],
                                   jurisdiction="ENG", time_zone="Europe/London", language="en"))
    roster.put_calendar(None, tenant, school, calendar_from_body(YEAR, CALENDAR_BODY))
    roster.import_students(None, tenant, school, payload(student("st-1")))


ROUTES = [
    Route("GET", "/api/schools", READERS, school_scoped=False, seed=seed),
    Route("GET", "/api/schools/{schoolId}", READERS, school_scoped=False, url="/api/schools/s1",
          seed=seed),
    Route("PUT", "/api/schools/{schoolId}", ADMINS, school_scoped=False, url="/api/schools/s1",
          json=SCHOOL_BODY, ok=frozenset({200, 201}), seed=seed),
    Route("PUT", "/api/calendars/{schoolYear}", ADMINS, url=f"/api/calendars/{YEAR}",
          json=CALENDAR_BODY, seed=seed),
    Route("GET", "/api/calendars", READERS, seed=seed),
    Route("GET", "/api/calendars/{schoolYear}", READERS, url=f"/api/calendars/{YEAR}", seed=seed),
    Route("PUT", "/api/code-mappings", ADMINS, json={"mappings": {"A99": "I"}}, seed=seed),
    Route("GET", "/api/code-mappings", READERS, seed=seed),
    Route("POST", "/api/roster/import", ADMINS | {"Integration"}, json=payload(student("st-1")),
          seed=seed),
    Route("GET", "/api/students", READERS, seed=seed),
    Route("GET", "/api/students/{studentId}", READERS, url="/api/students/st-1", seed=seed),
]
