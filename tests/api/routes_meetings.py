"""Meeting routes in the role table.

Every member of staff sees the school's meetings (teachers attend them); admins and attendance
officers schedule them and record what happened. The integration identity sees nothing about
pupils. A meeting that does not exist answers 404, a PUT without If-Match 428, to a caller past
the access check; tests/integration/test_meetings_api.py covers the rest.
"""

from __future__ import annotations

from tests.api.route_table import READERS, STAFF, Route
from tests.api.routes_roster import seed  # a school with student st-1: writes check the student

ROUTES = [
    Route("GET", "/api/meetings", READERS, params={"status": "SCHEDULED", "from": "2030-01-01",
                                                   "to": "2030-01-31", "studentId": "st-1"}),
    Route("GET", "/api/meetings/{meetingId}", READERS, url="/api/meetings/no-such", ok=frozenset({404})),
    Route("POST", "/api/meetings", STAFF, json={"studentId": "st-1", "startsAt": "2030-01-07T09:00:00+00:00",
                                                "endsAt": "2030-01-07T09:30:00+00:00", "location": "Room 4"},
          ok=frozenset({201}), seed=seed),
    Route("PUT", "/api/meetings/{meetingId}", STAFF, url="/api/meetings/no-such",
          json={"status": "CANCELLED"}, ok=frozenset({428})),
]
