"""Wonde connector routes in the role table."""

from tests.api.route_table import ADMINS, Route

ROUTES = [
    Route("PUT", "/api/sis/connection", ADMINS, json={"wondeSchoolId": "A1", "region": "GBR"},
          ok=frozenset({200, 404})),
    Route("POST", "/api/sis/sync", ADMINS, ok=frozenset({200, 404, 422})),
    Route("GET", "/api/sis/status", ADMINS | {"AttendanceOfficer", "Integration"}, ok=frozenset({200, 404})),
    Route("GET", "/api/sis/codes", ADMINS, ok=frozenset({200, 404})),
    Route("PUT", "/api/sis/codes/{codeId}", ADMINS, url="/api/sis/codes/c1", json={"code": "I"},
          ok=frozenset({200, 404})),
]
