"""Bench (b): the nightly increment for a 20,000-student district (10 English schools x 2,000):
`recompute` of one day for every student from their row of the previous school day (computed
beforehand, untimed), in marks of that day per second, next to one SQLite query computing the
same rows from the previous cumulative rows plus the day's marks.

    python -m bench.nightly [--schools 10] [--students 2000] [--repeat 5] [--seed 42]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bench import sql
from bench.common import SEED, agreement, best_of, by_student_domain, by_student_sql, rate_line, recode, say
from demo import DemoSchool, generate_district, session_marks
from devhost import progress
from domain.attendance.calendar import SchoolCalendar
from domain.attendance.codes import CodeTable, load_code_table
from domain.attendance.normalize import MarkLike, full_year, group_marks, recompute
from domain.attendance.summaries import DailySummary
from domain.roster.schools import Student


@dataclass
class Night:
    """One school's inputs for the increment: the day's marks and each student's previous row."""

    calendar: SchoolCalendar
    codes: CodeTable
    students: Sequence[Student]
    today: dict[str, dict[date, list[MarkLike]]]
    previous: dict[str, DailySummary | None]


def prepare(school: DemoSchool, day: date) -> Night:
    """Untimed: the previous school day's rows by a full-year recompute, and the day's marks."""
    calendar = school.calendar
    codes = load_code_table(school.school.jurisdiction, calendar.start)
    yesterday = calendar.nth_school_day_before(day, 1)
    if yesterday is None:
        raise ValueError(f"{day} is the year's first school day: there is no previous row")
    marks, _ = recode(session_marks(school), codes)
    today: dict[str, dict[date, list[MarkLike]]] = {}
    previous: dict[str, DailySummary | None] = {}
    for student in school.students:
        by_day = group_marks(marks[student.student_id])
        rows = full_year(student, calendar, by_day, yesterday, codes=codes)
        previous[student.student_id] = rows[-1] if rows else None
        today[student.student_id] = {day: by_day[day]} if day in by_day else {}
    return Night(calendar, codes, school.students, today, previous)


def increment(nights: Sequence[Night], day: date) -> list[DailySummary]:
    """The timed part: one day for every student of every school."""
    return [row for n in nights for s in n.students
            for row in recompute(s, n.calendar, n.today[s.student_id], n.previous[s.student_id],
                                 day, day, codes=n.codes)]


def load_sql(nights: Sequence[Night], day: date) -> sqlite3.Connection:
    conn = sql.connect()
    first = nights[0]  # the demo schools share one calendar and one code table
    if any(n.calendar.school_days != first.calendar.school_days for n in nights):
        raise ValueError("the SQL baseline loads one calendar: the schools' calendars differ")
    sql.load_reference(conn, first.calendar, first.codes, [s for n in nights for s in n.students])
    sql.load_marks(conn, ((sid, day.isoformat(), m.session, m.code) for n in nights
                          for sid, by_day in n.today.items() for m in by_day.get(day, ())))
    sql.load_previous(conn, (r for n in nights for r in n.previous.values() if r is not None))
    conn.commit()
    return conn


def day_marks(nights: Sequence[Night]) -> int:
    return sum(len(ms) for n in nights for by_day in n.today.values() for ms in by_day.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nightly", description=__doc__)
    parser.add_argument("--schools", type=int, default=10)
    parser.add_argument("--students", type=int, default=2000, help="per school")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    district = generate_district(args.seed, schools=args.schools, students_per_school=args.students)
    day = district.through  # the last day of the autumn term: its register is not complete yet
    nights: list[Night] = []
    with progress.bar("preparing schools", total=len(district.schools)) as bar:
        for school in district.schools:
            nights.append(prepare(school, day))
            say(f"  prepared {school.school_id} ({time.perf_counter() - start:.1f} s)")
            bar.advance()
    students, count = sum(len(n.students) for n in nights), day_marks(nights)
    say(f"nightly: {args.schools} English schools, {students:,} students, day {day}, {count:,} marks "
        f"that day; seed {args.seed}")
    say(f"  prep (untimed): generate + previous rows by full_year {time.perf_counter() - start:.1f} s")

    say("  timing the domain ...")
    domain_s, domain_rows = best_of(args.repeat, lambda: increment(nights, day))
    load_start = time.perf_counter()
    conn = load_sql(nights, day)
    say(f"  sqlite load (untimed): {time.perf_counter() - load_start:.2f} s")
    say("  timing the SQL query ...")
    index = nights[0].calendar.index_of(day)
    sql_s, sql_rows = best_of(args.repeat, lambda: sql.nightly(conn, day, index))

    say(rate_line("domain recompute", domain_s, count, args.repeat))
    say(rate_line("sqlite one query", sql_s, count, args.repeat))
    say(f"  per student: domain {domain_s / len(domain_rows) * 1e6:.1f} us, sqlite "
        f"{sql_s / max(1, len(sql_rows)) * 1e6:.1f} us ({len(domain_rows):,} rows each)")
    say(f"  ratio: the domain is {sql_s / domain_s:.2f}x the speed of the SQL baseline")
    return 0 if agreement(by_student_domain(domain_rows), by_student_sql(sql_rows)) else 1


if __name__ == "__main__":
    sys.exit(main())
