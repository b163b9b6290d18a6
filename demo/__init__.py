"""A deterministic demo district for `make run`, tests and benchmarks (see docs/demo.md).

    district = generate_district(42)                       # 2 English schools x 600, a term of marks
    for school in district.schools:
        school_body(school.school); calendar_body(school.calendar)
        to_wonde_students(school.students, school.guardians, school.links)
        for payload in wonde_mark_batches(iter_mark_rows(school)): ...
"""

from demo.calendars import demo_calendar
from demo.generator import generate_district, summary_stats
from demo.marks import MarkRow, attendance_marks, gc_paused, iter_mark_rows, session_marks
from demo.model import DemoDistrict, DemoSchool
from demo.payloads import (
    MARKS_PER_REQUEST,
    STUDENTS_PER_REQUEST,
    calendar_body,
    school_body,
    to_wonde_marks,
    to_wonde_students,
    wonde_date,
    wonde_mark_batches,
    wonde_student_batches,
)

__all__ = [
    "MARKS_PER_REQUEST", "STUDENTS_PER_REQUEST", "DemoDistrict", "DemoSchool", "MarkRow",
    "attendance_marks", "calendar_body", "demo_calendar", "gc_paused", "generate_district", "iter_mark_rows",
    "school_body", "session_marks", "summary_stats", "to_wonde_marks", "to_wonde_students", "wonde_date",
    "wonde_mark_batches", "wonde_student_batches",
]
