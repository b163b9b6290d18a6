"""Attendance routes in the role table.

Marks are pushed by admins and the SIS integration; every member of staff reads summaries and
school figures (the integration identity reads nothing about pupils); running normalization on
demand is an admin task.
"""

from __future__ import annotations

from tests.api.route_table import ADMINS, READERS, Route
from tests.api.routes_roster import seed  # a school with its 2024-25 calendar and student st-1

DAY = "2024-09-02"
MARKS = {"data": [{"student": "st-1", "date": DAY, "session": "AM", "attendance_code": "/"}]}


ROUTES = [
    Route("POST", "/api/attendance/marks", ADMINS | {"Integration"}, json=MARKS, seed=seed),
    Route("GET", "/api/attendance/students/{studentId}/summaries", READERS,
          url="/api/attendance/students/st-1/summaries", params={"from": DAY, "to": DAY}, seed=seed),
    Route("GET", "/api/attendance/schools/summary", READERS, params={"date": DAY}, seed=seed),
    Route("POST", "/api/attendance/normalize", ADMINS, params={"date": DAY}, seed=seed),
]
