"""Bench (d): rule evaluation for a 20,000-student district (10 English schools x 2,000) under
the England preset's four stages. Each student's daily rows are built beforehand (`full_year`
over the demo marks, untimed), and so is each student's latest instance, by simulating the
preset over the term up to the day before (`simulate_rule_set`, staff assumed to act at once).
Timed: the nightly decision for every student on one date, as `services/interventions/scheduler.py` makes it
(the student's rows, an `EvaluationContext`, `ladder_of`, `run_night` with `RuleFacts`: entry,
stop and escalation conditions and the ladder step), in student-evaluations per second.

Baseline in the same run: one SQLite query over the same rows answering the entry decisions
(attendance at or below 90% this year with at least 30 possible sessions, and 10 penalty
sessions in the last 10 school weeks), next to the domain's `is_due` for the same two stage
entries. The sets of students due must agree.

    python -m bench.rules [--schools 10] [--students 2000] [--repeat 5] [--seed 42]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bench.common import SEED, best_of, recode, say
from demo import DemoSchool, generate_district, session_marks
from devhost import progress
from domain.attendance.calendar import SchoolCalendar
from domain.attendance.codes import load_code_table
from domain.attendance.normalize import full_year, group_marks
from domain.attendance.summaries import DailySummary
from domain.ladder.model import InstanceStatus, StudentInterventionInstance, StudentRef
from domain.ladder.nightly import Night, run_night
from domain.ladder.rule_facts import RuleFacts, ladder_of, simulate_rule_set
from domain.roster.schools import Jurisdiction
from domain.rules import (
    EvaluationContext,
    InstanceFacts,
    InterventionRuleSet,
    is_due,
    preset_for,
    rule_set_days,
    stage_days,
)

TENANT = "bench"
PERCENT, MIN_POSSIBLE, PENALTY, WEEKS = 90, 30, 10, 10  # the England preset's entries, for the SQL


@dataclass
class School:
    """One school's night, as the scheduler has it after its reads: today's row per student, the
    rows of every day any student needs (by date, then student), and each latest instance."""

    school_id: str
    calendar: SchoolCalendar
    today: dict[str, DailySummary]
    rows: dict[date, dict[str, DailySummary]]
    latest: dict[str, StudentInterventionInstance]
    all_rows: list[DailySummary]  # every row of the year so far, for the SQL baseline


def prepare(school: DemoSchool, rule_set: InterventionRuleSet, day: date, fresh: bool) -> School:
    """Untimed: the rows by `full_year`, the instances by simulating up to the day before."""
    calendar = school.calendar
    codes = load_code_table(school.school.jurisdiction, calendar.start)
    marks, _ = recode(session_marks(school), codes)
    yesterday = calendar.nth_school_day_before(day, 1)
    by_student: dict[str, list[DailySummary]] = {}
    latest: dict[str, StudentInterventionInstance] = {}
    for student in school.students:
        rows = full_year(student, calendar, group_marks(marks[student.student_id]), day, codes=codes)
        by_student[student.student_id] = rows
        if rows and not fresh and yesterday is not None:
            timeline = simulate_rule_set(rule_set, StudentRef(TENANT, school.school_id, student.student_id),
                                         rows, calendar, until=yesterday)
            if timeline.instance is not None:
                latest[student.student_id] = timeline.instance
    days = {day} | rule_set_days(rule_set, calendar, day)  # the scheduler's `_needed_days`
    for instance in latest.values():
        if instance.status is InstanceStatus.ACTIVE:
            days |= stage_days(rule_set.stage(instance.stage_order), calendar, day,
                                   stage_entered_on=instance.stage_entered_on)
    on_dates: dict[date, dict[str, DailySummary]] = {d: {} for d in days}
    for rows in by_student.values():
        for row in rows:
            if row.date in on_dates:
                on_dates[row.date][row.student_id] = row
    return School(school.school_id, calendar, on_dates[day], on_dates, latest,
                  [r for rows in by_student.values() for r in rows])


def nightly(schools: Sequence[School], rule_set: InterventionRuleSet, day: date) -> list[Night]:
    """The timed part: the scheduler's per-student loop (`Scheduler.evaluate`) without its storage."""
    nights = []
    for school in schools:
        calendar, rows, latest = school.calendar, school.rows, school.latest
        for student_id, row in school.today.items():
            student_rows = {d: by[student_id] for d, by in rows.items() if student_id in by}
            recorded = InstanceFacts(case_resolved=False, exemptions=())  # no cases, no exemptions
            instance = latest.get(student_id)
            ctx = EvaluationContext(calendar, day, row, student_rows, recorded, None)
            nights.append(run_night(ladder_of(rule_set), StudentRef(TENANT, school.school_id, student_id),
                                    instance, RuleFacts(rule_set, ctx, instance), on=day, calendar=calendar))
    return nights


def entries(schools: Sequence[School], rule_set: InterventionRuleSet, day: date) -> tuple[set[str], set[str]]:
    """The SQL's question asked of the domain: which students stage 1's and stage 4's entries hold for."""
    first, last = rule_set.stages[0], rule_set.stages[-1]
    due, penalty = set(), set()
    for school in schools:
        calendar, rows = school.calendar, school.rows
        for student_id, row in school.today.items():
            student_rows = {d: by[student_id] for d, by in rows.items() if student_id in by}
            ctx = EvaluationContext(calendar, day, row, student_rows, None, None)
            if is_due(first, ctx).met:
                due.add(student_id)
            if is_due(last, ctx).met:
                penalty.add(student_id)
    return due, penalty


SCHEMA = """
CREATE TABLE school_days (idx INTEGER PRIMARY KEY, day TEXT NOT NULL UNIQUE, week TEXT NOT NULL);
CREATE TABLE summaries (student TEXT, idx INT, possible INT, penalty INT, percent INT,
                        PRIMARY KEY (student, idx)) WITHOUT ROWID;
CREATE INDEX summaries_idx ON summaries (idx);
"""

# Today's row per student; the penalty window is today's counter minus the row of the school day
# before the first school day of the last 10 ISO weeks that have a school day (none: the year).
QUERY = """
WITH today AS (SELECT MAX(idx) AS idx FROM school_days WHERE day <= :day),
     weeks AS (SELECT DISTINCT week FROM school_days WHERE idx <= (SELECT idx FROM today)
               ORDER BY week DESC LIMIT :weeks),
     win AS (SELECT MIN(idx) - 1 AS before FROM school_days WHERE week IN (SELECT week FROM weeks))
SELECT t.student,
       t.possible >= :min_possible AND t.percent <= :percent * 100 AS due,
       t.penalty - COALESCE(e.penalty, 0) >= :penalty AS penalty_due
FROM summaries t
JOIN today ON t.idx = today.idx
CROSS JOIN win
LEFT JOIN summaries e ON e.student = t.student AND e.idx = win.before
"""


def load_sql(schools: Sequence[School]) -> sqlite3.Connection:
    first = schools[0].calendar  # the demo schools share one calendar
    if any(s.calendar.school_days != first.school_days for s in schools):
        raise ValueError("the SQL baseline loads one calendar: the schools' calendars differ")
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    conn.executemany("INSERT INTO school_days VALUES (?, ?, ?)",
                     ((i, d.isoformat(), "{:04d}-{:02d}".format(*d.isocalendar()[:2]))
                      for i, d in enumerate(first.school_days, start=1)))
    conn.executemany("INSERT INTO summaries VALUES (?, ?, ?, ?, ?)",
                     _sql_rows(r for s in schools for r in s.all_rows))
    conn.commit()
    return conn


def _sql_rows(rows: Iterable[DailySummary]) -> Iterable[tuple[str, int, int, int, int | None]]:
    for row in rows:
        percent = row.attendance_percent
        totals = row.totals
        yield (row.student_id, row.school_day_index, totals.possible_sessions, totals.penalty_sessions,
               None if percent is None else int(percent.scaleb(2)))


def sql_entries(conn: sqlite3.Connection, day: date) -> tuple[set[str], set[str], int]:
    found = conn.execute(QUERY, {"day": day.isoformat(), "weeks": WEEKS, "min_possible": MIN_POSSIBLE,
                                 "percent": PERCENT, "penalty": PENALTY}).fetchall()
    return {s for s, due, _ in found if due}, {s for s, _, pen in found if pen}, len(found)


def agree(label: str, domain: set[str], sql: set[str]) -> bool:
    same = domain == sql
    only_domain, only_sql = sorted(domain - sql)[:3], sorted(sql - domain)[:3]
    diff = "" if same else f" (only domain {only_domain}, only sqlite {only_sql})"
    say(f"  {'agree' if same else 'DISAGREE'}: {label}: domain {len(domain):,}, sqlite {len(sql):,}{diff}")
    return same


def describe(schools: Sequence[School], nights: Sequence[Night]) -> None:
    before = Counter("none" if i is None else f"{i.status.value.lower()}@{i.stage_order}"
                     for s in schools for i in (s.latest.get(sid) for sid in s.today))
    say(f"  latest instances before the night: {dict(sorted(before.items()))}")
    kinds = Counter(e.kind.value for n in nights for e in n.events)
    changed, queued = sum(1 for n in nights if n.events), sum(1 for n in nights if n.due is not None)
    say(f"  the night: {changed:,} students with events, {sum(kinds.values()):,} events "
        f"{dict(sorted(kinds.items()))}, {queued:,} with an action queued")


def rate(label: str, seconds: float, n: int, repeat: int) -> str:
    return (f"  {label:<34} {seconds:8.3f} s  {n / seconds:>10,.0f} student-evaluations/s  "
            f"{seconds / n * 1e6:6.1f} us each  (best of {repeat})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rules", description=__doc__)
    parser.add_argument("--schools", type=int, default=10)
    parser.add_argument("--students", type=int, default=2000, help="per school")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--fresh", action="store_true",
                        help="no instances before the night (a district's first night)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    district = generate_district(args.seed, tenant_id=TENANT, schools=args.schools,
                                 students_per_school=args.students)
    day = district.through  # 19 Dec 2025, the last day of the autumn term
    rule_set = preset_for(Jurisdiction.ENGLAND, tenant_id=TENANT, rule_set_id="preset-eng")
    schools = []
    with progress.bar("preparing schools", total=len(district.schools)) as bar:
        for demo_school in district.schools:
            schools.append(prepare(demo_school, rule_set, day, args.fresh))
            say(f"  prepared {demo_school.school_id} ({time.perf_counter() - start:.1f} s)")
            bar.advance()
    students = sum(len(s.today) for s in schools)
    say(f"rules: {args.schools} English schools, {students:,} students on roll on {day}, "
        f"{len(rule_set.stages)}-stage England preset, rows of {len(schools[0].rows)} dates per student; "
        f"seed {args.seed}")
    say(f"  prep (untimed): generate + full_year + {'no' if args.fresh else 'simulated'} instances "
        f"{time.perf_counter() - start:.1f} s")

    say("  timing the nightly decision ...")
    night_s, nights = best_of(args.repeat, lambda: nightly(schools, rule_set, day))
    say("  timing the domain's stage entries ...")
    entry_s, (due, penalty) = best_of(args.repeat, lambda: entries(schools, rule_set, day))
    load_start = time.perf_counter()
    conn = load_sql(schools)
    say(f"  sqlite load (untimed): {time.perf_counter() - load_start:.2f} s "
        f"(sqlite {sqlite3.sqlite_version}, in memory, {sum(len(s.all_rows) for s in schools):,} rows)")
    say("  timing the SQL query ...")
    sql_s, (sql_due, sql_penalty, sql_students) = best_of(args.repeat, lambda: sql_entries(conn, day))

    describe(schools, nights)
    say(rate("domain nightly (run_night, RuleFacts)", night_s, len(nights), args.repeat))
    say(rate("domain stage 1 + 4 entries (is_due)", entry_s, students, args.repeat))
    say(rate("sqlite one query (the two entries)", sql_s, sql_students, args.repeat))
    say(f"  ratio: the nightly decision is {sql_s / night_s:.2f}x the speed of the SQL entries; "
        f"the domain's entries alone {sql_s / entry_s:.2f}x")
    ok = agree("stage 1 due (attendance <= 90% this year, >= 30 possible sessions)", due, sql_due)
    ok = agree("stage 4 due (>= 10 penalty sessions in the last 10 school weeks)", penalty, sql_penalty) & ok
    started = {n.instance.student_id for n in nights if n.instance is not None
               and any(e.kind.value == "STAGE_ENTERED" and e.stage_order == 1 for e in n.events)}
    if not started <= due:
        say(f"  DISAGREE: {len(started - due)} students started at stage 1 tonight without its entry holding")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
