"""Attendance routes in the role table.

Marks are pushed by admins and the SIS integration; every member of staff reads summaries and
school figures (the integration identity reads nothing about pupils); running normalization on
demand is an admin task.
"""

from __future__ import annotations

import bootstrap
from domain.calendar_input import calendar_from_body
from domain.schools import School
from tests.api.route_table import ADMINS, READERS, Route
from tests.roster_payloads import CALENDAR_BODY, SCHOOL_BODY, payload, student

DAY = "2024-09-02"
MARKS = {"data": [{"student": "st-1", "date": DAY, "session": "AM", "attendance_code": "/"}]}


def seed(tenant: str, school: str) -> None:
    roster = bootstrap.container().roster
    roster.put_school(None, School(tenant_id=tenant, school_id=school, name=SCHOOL_BODY["name"],
                                   jurisdiction="ENG", time_zone="Europe/London"))
    roster.put_calendar(None, tenant, school, calendar_from_body("2024-25", CALENDAR_BODY))
    roster.import_students(None, tenant, school, payload(student("st-1", contacts=0)))


ROUTES = [
    Route("POST", "/api/attendance/marks", ADMINS | {"Integration"}, json=MARKS, seed=seed),
    Route("GET", "/api/attendance/students/{studentId}/summaries", READERS,
          url="/api/attendance/students/st-1/summaries", params={"from": DAY, "to": DAY}, seed=seed),
    Route("GET", "/api/attendance/schools/summary", READERS, params={"date": DAY}, seed=seed),
    Route("POST", "/api/attendance/normalize", ADMINS, params={"date": DAY}, seed=seed),
]
