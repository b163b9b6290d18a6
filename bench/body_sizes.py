"""Request body sizes of the two write routes that take large bodies, from the demo generator:
a marks batch of 10,000 records (POST /api/attendance/marks, the route's record limit) and the
roster import of a whole school with contacts (POST /api/roster/import). The limits in settings.py
(MAX_MARKS_BODY_BYTES, MAX_ROSTER_BODY_BYTES) are set from these figures with headroom.

Marks are sent as Wonde sends them (a date object per record, the record id, a comment on some),
compact and pretty-printed; the roster as the demo's Wonde shape (contacts with e-mail, phones and
a postal address), for a 2,000-student school and for the route's 5,000-student maximum.
"""

from __future__ import annotations

import argparse
import json
from itertools import islice
from typing import Any

from demo import generate_district, iter_mark_rows, wonde_student_batches
from demo.payloads import wonde_date

SEED = 7


def size(body: Any, *, indent: int | None = None) -> int:
    separators = (",", ":") if indent is None else None
    return len(json.dumps(body, indent=indent, separators=separators).encode())


def wonde_marks(count: int, students: int) -> dict[str, Any]:
    school = generate_district(SEED, schools=1, students_per_school=students).schools[0]
    rows = islice(iter_mark_rows(school), count)
    return {"data": [{"id": f"wonde-{r.student_id}-{r.date.isoformat()}-{r.session}", "student": r.student_id,
                      "date": wonde_date(r.date), "session": str(r.session), "attendance_code": r.code,
                      "comment": r.comment or "Parent phoned: appointment at the clinic",
                      "minutes_late": r.minutes_late} for r in rows]}


def roster(students: int) -> dict[str, Any]:
    school = generate_district(SEED, schools=1, students_per_school=students).schools[0]
    [body] = wonde_student_batches(school.students, school.guardians, school.links, size=students)
    return body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    marks = wonde_marks(10_000, 1_000)
    print(f"marks, 10,000 records: {size(marks):>12,} bytes compact, "
          f"{size(marks, indent=2):>12,} pretty-printed")
    for students in (2_000, 5_000):
        body = roster(students)
        contacts = sum(len(s["contacts"]["data"]) for s in body["data"])
        print(f"roster, {students:,} students, {contacts:,} contacts: {size(body):>12,} bytes compact, "
              f"{size(body, indent=2):>12,} pretty-printed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
