"""Exemption, case and work-task routes in the role table.

Every member of staff reads cases and tasks (the integration identity sees nothing about
pupils); admins and attendance officers record exemptions, resolve cases and manage tasks.
Routes naming something that does not exist answer 404 (or 428 for a PUT without If-Match)
to a caller past the access check; tests/integration/test_casework_api.py covers the rest.
"""

from __future__ import annotations

from tests.api.route_table import READERS, STAFF, Route
from tests.api.routes_roster import seed  # a school with student st-1: writes check the student

MISSING = frozenset({404})

ROUTES = [
    Route("PUT", "/api/students/{studentId}/exemption", STAFF, url="/api/students/st-1/exemption",
          json={"reason": "medical", "expiresOn": "2030-01-01"}, seed=seed),
    Route("DELETE", "/api/students/{studentId}/exemption", STAFF, url="/api/students/no-such/exemption",
          ok=MISSING),
    Route("GET", "/api/cases", READERS, params={"tier": "1", "status": "OPEN"}),
    Route("GET", "/api/cases/{studentId}", READERS, url="/api/cases/no-such", ok=MISSING),
    Route("POST", "/api/cases/{studentId}/resolve", STAFF, url="/api/cases/no-such/resolve", ok=MISSING),
    Route("GET", "/api/tasks", READERS, params={"status": "OPEN"}),
    Route("POST", "/api/tasks", STAFF, json={"studentId": "st-1", "title": "Call home", "assignee": "u-1",
                                             "dueOn": "2030-01-01"}, ok=frozenset({201}), seed=seed),
    Route("PUT", "/api/tasks/{taskId}", STAFF, url="/api/tasks/no-such", json={"status": "DONE"},
          ok=frozenset({428})),
]
