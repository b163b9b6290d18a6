"""Bench (a): the full-year backfill of one English demo school, pure domain (`full_year` per
student, no storage), in marks per second, next to the same summaries from one SQLite query.

    python -m bench.backfill [--students 1000] [--repeat 3] [--seed 42]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from datetime import date

from bench import sql
from bench.common import SEED, agreement, best_of, by_student_domain, by_student_sql, rate_line, recode, say
from demo import demo_calendar, generate_district, session_marks
from domain.attendance.codes import load_code_table
from domain.attendance.normalize import full_year, group_marks
from domain.roster.schools import Jurisdiction

YEAR_START = date(2025, 9, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.backfill", description=__doc__)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    end = demo_calendar(Jurisdiction.ENGLAND, YEAR_START).end
    school = generate_district(args.seed, schools=1, students_per_school=args.students,
                               school_year_start=YEAR_START, through=end).schools[0]
    calendar, students = school.calendar, school.students
    codes = load_code_table(school.school.jurisdiction, calendar.start)
    marks, recoded = recode(session_marks(school), codes)
    by_day = {student_id: group_marks(m) for student_id, m in marks.items()}
    count = sum(len(m) for m in marks.values())
    say(f"backfill: 1 English school, {len(students):,} students, {len(calendar.school_days)} school "
        f"days to {end}, {count:,} marks ({recoded:,} recoded across all {len(codes.codes)} codes of "
        f"{codes.version}, {len(school.missing)} sessions unmarked); seed {args.seed}")
    say(f"  prep (untimed): generate + group marks {time.perf_counter() - start:.2f} s")

    say("  timing the domain ...")
    domain_s, domain_rows = best_of(args.repeat, lambda: [
        row for s in students for row in full_year(s, calendar, by_day[s.student_id], end, codes=codes)])

    load_start = time.perf_counter()
    conn = sql.connect()
    sql.load_reference(conn, calendar, codes, students)
    sql.load_marks(conn, ((sid, m.date.isoformat(), m.session, m.code)
                          for sid, ms in marks.items() for m in ms))
    conn.commit()
    say(f"  sqlite load (untimed): {time.perf_counter() - load_start:.2f} s "
        f"(sqlite {sqlite3.sqlite_version}, in memory)")
    say("  timing the SQL query ...")
    sql_s, sql_rows = best_of(args.repeat, lambda: sql.backfill(conn, end))

    say(rate_line("domain full_year", domain_s, count, args.repeat))
    say(rate_line("sqlite one query", sql_s, count, args.repeat))
    say(f"  ratio: the domain is {sql_s / domain_s:.2f}x the speed of the SQL baseline "
        f"({len(domain_rows):,} rows each)")
    return 0 if agreement(by_student_domain(domain_rows), by_student_sql(sql_rows)) else 1


if __name__ == "__main__":
    sys.exit(main())
