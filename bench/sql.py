"""The SQLite baseline: the same daily summaries as domain.attendance.normalize, each computed by ONE query
over plain tables (school days, a code-category table built from the same versioned code table,
enrolments, marks and, for the nightly increment, the previous day's cumulative rows).

A session slot is every enrolled school day x AM/PM. A slot with no mark is possible and
missing (NO_MARK); a not-possible or administrative code adds nothing. A day breaks a
consecutive-absence run when any possible session was not an absence; a day with no possible
session neither counts nor breaks it. The percent is in hundredths, rounded half up with
integer arithmetic exactly as `Totals.attendance_percent`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date
from typing import Any

from domain.attendance.calendar import SchoolCalendar
from domain.attendance.codes import CodeCategory, CodeTable
from domain.attendance.summaries import DailySummary
from domain.roster.schools import Student

SCHEMA = """
CREATE TABLE school_days (idx INTEGER PRIMARY KEY, day TEXT NOT NULL UNIQUE);
CREATE TABLE codes (code TEXT PRIMARY KEY, possible INT, present INT, late INT, aea INT,
                    authorised INT, unauthorised INT, penalty INT, absence INT) WITHOUT ROWID;
CREATE TABLE enrolments (student TEXT PRIMARY KEY, first_day TEXT NOT NULL, last_day TEXT) WITHOUT ROWID;
CREATE TABLE marks (student TEXT, day TEXT, session TEXT, code TEXT,
                    PRIMARY KEY (student, day, session)) WITHOUT ROWID;
CREATE TABLE previous (student TEXT PRIMARY KEY, possible INT, present INT, late INT, aea INT,
                       authorised INT, unauthorised INT, penalty INT, missing INT,
                       consecutive INT) WITHOUT ROWID;
"""

# One slot per enrolled school day and session, its mark's effects (NULL mark: possible, missing).
_SLOT = """
         m.code IS NULL AS missing, COALESCE(c.possible, 1) AS possible,
         COALESCE(c.present, 0) AS present, COALESCE(c.late, 0) AS late, COALESCE(c.aea, 0) AS aea,
         COALESCE(c.authorised, 0) AS authorised, COALESCE(c.unauthorised, 0) AS unauthorised,
         COALESCE(c.penalty, 0) AS penalty, COALESCE(c.absence, 0) AS absence"""
_DAY = """SUM(possible) AS possible, SUM(present) AS present, SUM(late) AS late, SUM(aea) AS aea,
         SUM(authorised) AS authorised, SUM(unauthorised) AS unauthorised,
         SUM(penalty) AS penalty, SUM(missing) AS missing,
         SUM(possible AND NOT absence) > 0 AS breaks, SUM(possible) > 0 AND SUM(possible AND NOT absence) = 0
           AS absent"""
_DERIVED = """CASE WHEN possible = 0 THEN NULL
                   ELSE ((present + late + aea) * 20000 + possible) / (2 * possible) END,
              {run},
              possible > 0 AND (authorised + unauthorised) * 10 >= possible,
              possible > 0 AND (authorised + unauthorised) * 2 >= possible"""

BACKFILL = f"""
WITH sessions(session) AS (VALUES ('AM'), ('PM')),
slots AS (
  SELECT e.student, d.idx, d.day, {_SLOT}
  FROM enrolments e
  JOIN school_days d ON d.day >= e.first_day AND d.day <= MIN(COALESCE(e.last_day, :through), :through)
  CROSS JOIN sessions s
  LEFT JOIN marks m ON m.student = e.student AND m.day = d.day AND m.session = s.session
  LEFT JOIN codes c ON c.code = m.code),
days AS (SELECT student, idx, day, {_DAY} FROM slots GROUP BY student, idx),
cumulative AS (
  SELECT student, idx, day, absent, SUM(breaks) OVER w AS run_id,
         SUM(possible) OVER w AS possible, SUM(present) OVER w AS present, SUM(late) OVER w AS late,
         SUM(aea) OVER w AS aea, SUM(authorised) OVER w AS authorised,
         SUM(unauthorised) OVER w AS unauthorised, SUM(penalty) OVER w AS penalty,
         SUM(missing) OVER w AS missing
  FROM days WINDOW w AS (PARTITION BY student ORDER BY idx ROWS UNBOUNDED PRECEDING))
SELECT student, day, idx, possible, present, late, aea, authorised, unauthorised, penalty, missing,
       {_DERIVED.format(run="SUM(absent) OVER (PARTITION BY student, run_id ORDER BY idx "
                             "ROWS UNBOUNDED PRECEDING)")}
FROM cumulative ORDER BY student, idx
"""

NIGHTLY = f"""
WITH sessions(session) AS (VALUES ('AM'), ('PM')),
slots AS (
  SELECT e.student, {_SLOT}
  FROM enrolments e
  CROSS JOIN sessions s
  LEFT JOIN marks m ON m.student = e.student AND m.day = :day AND m.session = s.session
  LEFT JOIN codes c ON c.code = m.code
  WHERE e.first_day <= :day AND (e.last_day IS NULL OR e.last_day >= :day)),
today AS (SELECT student, {_DAY} FROM slots GROUP BY student),
totals AS (
  SELECT t.student, COALESCE(p.possible, 0) + t.possible AS possible,
         COALESCE(p.present, 0) + t.present AS present, COALESCE(p.late, 0) + t.late AS late,
         COALESCE(p.aea, 0) + t.aea AS aea, COALESCE(p.authorised, 0) + t.authorised AS authorised,
         COALESCE(p.unauthorised, 0) + t.unauthorised AS unauthorised,
         COALESCE(p.penalty, 0) + t.penalty AS penalty, COALESCE(p.missing, 0) + t.missing AS missing,
         CASE WHEN t.breaks THEN 0 WHEN t.absent THEN COALESCE(p.consecutive, 0) + 1
              ELSE COALESCE(p.consecutive, 0) END AS run
  FROM today t LEFT JOIN previous p ON p.student = t.student)
SELECT student, :day, :idx, possible, present, late, aea, authorised, unauthorised, penalty, missing,
       {_DERIVED.format(run="run")}
FROM totals ORDER BY student
"""


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMA)
    return conn


def load_reference(conn: sqlite3.Connection, calendar: SchoolCalendar, codes: CodeTable,
                   students: Iterable[Student]) -> None:
    conn.executemany("INSERT INTO school_days VALUES (?, ?)",
                     ((i, d.isoformat()) for i, d in enumerate(calendar.school_days, start=1)))
    conn.executemany("INSERT INTO codes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _code_rows(codes))
    conn.executemany("INSERT INTO enrolments VALUES (?, ?, ?)",
                     ((s.student_id, s.enrolment_start.isoformat(),
                       s.enrolment_end.isoformat() if s.enrolment_end else None) for s in students))


def _code_rows(codes: CodeTable) -> Iterable[tuple[Any, ...]]:
    for info in codes.codes.values():
        category, possible = info.category, info.category.possible
        yield (info.code, int(possible), int(category is CodeCategory.PRESENT),
               int(category is CodeCategory.LATE_PRESENT), int(category is CodeCategory.APPROVED_ACTIVITY),
               int(category is CodeCategory.AUTHORISED_ABSENCE),
               int(category is CodeCategory.UNAUTHORISED_ABSENCE),
               int(possible and "penalty" in info.flags), int(category.absence))


def load_marks(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str, str]]) -> None:
    """(student, yyyy-mm-dd, session, code)."""
    conn.executemany("INSERT INTO marks VALUES (?, ?, ?, ?)", rows)


def load_previous(conn: sqlite3.Connection, rows: Iterable[DailySummary]) -> None:
    conn.executemany("INSERT INTO previous VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
        (r.student_id, r.totals.possible_sessions, r.totals.present_sessions, r.totals.late_sessions,
         r.totals.approved_activity_sessions, r.totals.authorised_sessions,
         r.totals.unauthorised_sessions, r.totals.penalty_sessions, r.totals.missing_marks,
         r.consecutive_absence_days) for r in rows))


def backfill(conn: sqlite3.Connection, through: date) -> list[Any]:
    return conn.execute(BACKFILL, {"through": through.isoformat()}).fetchall()


def nightly(conn: sqlite3.Connection, day: date, index: int) -> list[Any]:
    return conn.execute(NIGHTLY, {"day": day.isoformat(), "idx": index}).fetchall()
