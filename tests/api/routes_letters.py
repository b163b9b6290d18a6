"""Letter artifact routes in the role table: every member of staff, Teacher included, reads a
student's letters; the integration identity reads nothing about pupils. A PDF that does not exist
answers 404 past the access check; tests/integration/test_letter_jobs.py covers the rest."""

from __future__ import annotations

from tests.api.route_table import READERS, Route

ROUTES = [
    Route("GET", "/api/letters/artifacts", READERS, params={"studentId": "st-1"}),
    Route("GET", "/api/letters/artifacts/{artifactId}", READERS, url="/api/letters/artifacts/no-such",
          ok=frozenset({404})),
]
