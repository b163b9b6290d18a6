"""Hand-made calendars, marks and rows for the rule tests, and a context builder that hands the
evaluator only the rows `required_days` asked for (so a test also proves that list is enough)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain.attendance.calendar import DateRange, SchoolCalendar
from domain.attendance.codes import CodeTable, load_code_table
from domain.attendance.normalize import SessionMark, full_year, group_marks
from domain.attendance.summaries import DailySummary
from domain.roster.schools import Jurisdiction, Student
from domain.rules.conditions import Condition
from domain.rules.context import EvaluationContext, InstanceFacts
from domain.rules.evaluate import evaluate, required_days
from domain.rules.outcome import Outcome
from domain.rules.windows import anchor

ENG = load_code_table(Jurisdiction.ENGLAND)
IE = load_code_table(Jurisdiction.IRELAND)
CA = load_code_table(Jurisdiction.CALIFORNIA)

# England 2024/25 with an autumn half term (28 Oct - 1 Nov 2024): the week with no sessions.
ENG_CAL = SchoolCalendar(
    "2024-25", date(2024, 9, 2), date(2025, 7, 22),
    terms=[DateRange("Autumn", date(2024, 9, 2), date(2024, 12, 20)),
           DateRange("Spring", date(2025, 1, 6), date(2025, 4, 4)),
           DateRange("Summer", date(2025, 4, 22), date(2025, 7, 22))],
    holidays=[DateRange("Autumn half term", date(2024, 10, 28), date(2024, 11, 1)),
              DateRange("Spring half term", date(2025, 2, 17), date(2025, 2, 21))])
# The year before, ending Friday 19 July 2024, with a half term 27-31 May 2024.
ENG_PREVIOUS = SchoolCalendar(
    "2023-24", date(2023, 9, 4), date(2024, 7, 19),
    holidays=[DateRange("Christmas", date(2023, 12, 21), date(2024, 1, 5)),
              DateRange("May half term", date(2024, 5, 27), date(2024, 5, 31))])
# A day-based year (Ireland, California) with a one-week October break.
DAY_CAL = SchoolCalendar("2024-25", date(2024, 9, 2), date(2025, 6, 20),
                         holidays=[DateRange("October break", date(2024, 10, 28), date(2024, 11, 1))])


def pupil(start: date = date(2024, 9, 1)) -> Student:
    return Student(tenant_id="t", school_id="s", student_id="st-1", sis_id="1", forename="A", surname="B",
                   enrolment_start=start)


def sessions(cal: SchoolCalendar, end: date, absences: dict[date, tuple[str, str]],
             present: tuple[str, str] = ("/", "\\")) -> dict:
    """AM/PM marks on every school day up to `end`: present unless `absences` says otherwise."""
    marks = [SessionMark(d, s, c) for d in cal.school_days_between(cal.start, end)
             for s, c in zip(("AM", "PM"), absences.get(d, present), strict=True) if c]
    return group_marks(marks)


def days(cal: SchoolCalendar, end: date, codes_by_day: dict[date, str], present: str = "P") -> dict:
    """DAY marks on every school day up to `end`: present unless `codes_by_day` says otherwise."""
    return group_marks(SessionMark(d, "DAY", codes_by_day.get(d, present))
                       for d in cal.school_days_between(cal.start, end))


def rows(cal: SchoolCalendar, marks: dict, end: date, codes: CodeTable,
         student: Student | None = None) -> dict[date, DailySummary]:
    return {r.date: r for r in full_year(student or pupil(cal.start), cal, marks, end, codes=codes)}


def context(condition: Condition | Iterable[Condition], cal: SchoolCalendar,
            all_rows: dict[date, DailySummary], as_of: date, *, instance: InstanceFacts | None = None,
            previous_calendar: SchoolCalendar | None = None) -> EvaluationContext:
    """A context holding today's row and only the rows `required_days` lists for `condition`."""
    # a pydantic model is itself iterable (over its fields), so test for the sequence types
    conditions = list(condition) if isinstance(condition, list | tuple) else [condition]
    stage = instance.stage if instance else None
    entered = instance.stage_entered_on if instance else None
    needed: set[date] = set()
    for c in conditions:
        needed |= required_days(c, cal, as_of, stage=stage, stage_entered_on=entered,
                                previous_calendar=previous_calendar)
    today = all_rows.get(anchor(cal, as_of))  # type: ignore[arg-type]
    return EvaluationContext(cal, as_of, today, {d: all_rows[d] for d in needed if d in all_rows},
                             instance, previous_calendar)


def check(condition: Condition, cal: SchoolCalendar, all_rows: dict[date, DailySummary], as_of: date,
          **kwargs: object) -> Outcome:
    return evaluate(condition, context(condition, cal, all_rows, as_of, **kwargs))  # type: ignore[arg-type]
