"""Platform routes in the role table."""

from tests.api.route_table import ADMINS, ALL, Route

ROUTES = [
    Route("GET", "/api/me", ALL, school_scoped=False),
    Route("GET", "/api/audit", ADMINS),
    Route("GET", "/api/jobs", ADMINS | {"AttendanceOfficer", "Integration"}),
]
