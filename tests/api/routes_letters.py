"""Letter artifact routes in the role table: every member of staff, Teacher included, reads a
student's letters; the integration identity reads nothing about pupils. A PDF that does not exist
answers 404 past the access check; tests/integration/test_letter_jobs.py covers the rest.
The office actions (generate, print batches) answer 404 for a student or day with nothing in it."""

from __future__ import annotations

from tests.api.route_table import READERS, STAFF, Route

MISSING = frozenset({404})
DAY = "2024-09-20"

ROUTES = [
    Route("GET", "/api/letters/artifacts", READERS, params={"studentId": "st-1"}),
    Route("GET", "/api/letters/artifacts/{artifactId}", READERS, url="/api/letters/artifacts/no-such",
          ok=frozenset({404})),
    # the office's letter actions: admins and attendance officers (a teacher reads letters only;
    # the print batch's manifest holds guardians' addresses)
    Route("POST", "/api/letters/generate", STAFF, json={"studentId": "st-1"}, ok=MISSING),
    Route("POST", "/api/letters/print-batches/{date}", STAFF, url=f"/api/letters/print-batches/{DAY}",
          ok=MISSING),
    Route("GET", "/api/letters/print-batches/{date}", STAFF, url=f"/api/letters/print-batches/{DAY}",
          ok=MISSING),
    Route("GET", "/api/letters/print-batches/{date}/{file}", STAFF,
          url=f"/api/letters/print-batches/{DAY}/pdf", ok=MISSING),
]
