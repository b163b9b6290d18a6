"""Intervention queue routes in the role table.

Every member of staff sees the queue and a student's interventions (the integration identity
sees nothing about pupils); admins and attendance officers act on the queue; running the
scheduler on demand is an admin task. The action routes name an action that does not exist:
a caller who gets past the access check is answered 404 (tests/integration covers the rest).
"""

from __future__ import annotations

from tests.api.route_table import ADMINS, READERS, STAFF, Route

DAY = "2024-09-20"
MISSING = frozenset({404})

ROUTES = [
    Route("GET", "/api/interventions/queue", READERS, params={"date": DAY}),
    Route("POST", "/api/interventions/queue/{actionId}/approve", STAFF,
          url="/api/interventions/queue/no-such-action/approve", json={}, ok=MISSING),
    Route("POST", "/api/interventions/queue/approve", STAFF, json={"actionIds": ["no-such-action"]}),
    Route("POST", "/api/interventions/queue/{actionId}/skip", STAFF,
          url="/api/interventions/queue/no-such-action/skip", json={"reason": "r"}, ok=MISSING),
    Route("POST", "/api/interventions/queue/{actionId}/snooze", STAFF,
          url="/api/interventions/queue/no-such-action/snooze", json={"until": "2030-01-01"}, ok=MISSING),
    Route("GET", "/api/interventions/students/{studentId}", READERS, url="/api/interventions/students/st-1"),
    Route("POST", "/api/interventions/evaluate", ADMINS, params={"date": DAY}),
]
