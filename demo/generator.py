"""The demo district generator: `generate_district(seed, ...)` builds schools, calendars,
rosters and attendance plans; marks come lazily from demo/marks.py. Deterministic by seed: every
school, family and student draws from its own `random.Random` seeded with a string derived from
the seed and its ids (string seeds hash with SHA-512, independent of PYTHONHASHSEED), nothing
reads the clock, and nothing iterates a set."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from typing import Any

from demo.calendars import demo_calendar, first_term_end
from demo.events import family_holiday, school_events
from demo.marks import iter_mark_rows
from demo.model import DemoDistrict, DemoSchool
from demo.patterns import plan_student
from demo.roster import build_roster
from domain.attendance.calendar import SchoolCalendar
from domain.roster.schools import Jurisdiction, School, Student

TIME_ZONES = {Jurisdiction.ENGLAND: "Europe/London", Jurisdiction.IRELAND: "Europe/Dublin",
              Jurisdiction.CALIFORNIA: "America/Los_Angeles"}
SCHOOL_NAMES = {
    (Jurisdiction.ENGLAND, True): ("Oakfield Primary School", "St Mary's CE Primary School",
                                   "Meadowbank Primary School"),
    (Jurisdiction.ENGLAND, False): ("Riverside Academy", "Kirkgate High School", "Northfield School"),
    (Jurisdiction.IRELAND, True): ("St Brigid's National School", "Scoil Mhuire", "Holy Family NS"),
    (Jurisdiction.IRELAND, False): ("Coláiste Éanna", "St Aidan's Community School", "Ardscoil Rís"),
    (Jurisdiction.CALIFORNIA, True): ("Cedar Grove Elementary", "Lincoln Elementary",
                                      "Sierra Vista Elementary"),
    (Jurisdiction.CALIFORNIA, False): ("Valley View High School", "American River High School", "Delta High"),
}
MISSING_ONE_SESSION = 0.01  # on the day before the latest, students with one session unmarked


def generate_district(seed: int, *, tenant_id: str = "demo-district", schools: int = 2,
                      students_per_school: int = 600, jurisdictions: Sequence[Jurisdiction] | None = None,
                      school_year_start: date = date(2025, 9, 1),
                      through: date | None = None) -> DemoDistrict:
    """Schools `demo-s1`, `demo-s2`, ... (odd numbers primary, even secondary), jurisdictions taken
    in turn from `jurisdictions` (England for all by default). `through` defaults to the end of
    the first term; marks run from the first school day to `through` inclusive."""
    if schools < 1 or students_per_school < 1:
        raise ValueError("a district needs at least one school and one student per school")
    kinds = tuple(jurisdictions or (Jurisdiction.ENGLAND,))
    built = []
    for number in range(1, schools + 1):
        jurisdiction = Jurisdiction(kinds[(number - 1) % len(kinds)])
        calendar = demo_calendar(jurisdiction, school_year_start)
        end = through or first_term_end(calendar)
        if end < calendar.start:
            raise ValueError(f"through {end} is before the school year starts on {calendar.start}")
        built.append(_school(seed, tenant_id, number, jurisdiction, calendar, students_per_school, end))
    return DemoDistrict(tenant_id, seed, through or built[0].through, tuple(built))


def _school(seed: int, tenant: str, number: int, jurisdiction: Jurisdiction, calendar: SchoolCalendar,
            size: int, through: date) -> DemoSchool:
    school_id, primary = f"demo-s{number}", number % 2 == 1
    rng = random.Random(f"{seed}/{school_id}/school")
    names = SCHOOL_NAMES[(jurisdiction, primary)]
    name = names[(number - 1) // 2 % len(names)]
    school = School(tenant_id=tenant, school_id=school_id, name=name if number <= 6 else f"{name} {number}",
                    jurisdiction=jurisdiction, time_zone=TIME_ZONES[jurisdiction], language="en",
                    sis_school_id=f"{rng.randint(100000, 999999)}")
    roster = build_roster(random.Random(f"{seed}/{school_id}/roster"), tenant=tenant, school_id=school_id,
                          school_no=number, jurisdiction=jurisdiction, primary=primary, size=size,
                          calendar=calendar)
    events = school_events(rng, calendar)
    holidays = {}
    for family in sorted(set(roster.family_of)):
        holidays[family] = family_holiday(random.Random(f"{seed}/{school_id}/family/{family}"), events)
    plans, enrolled = [], []
    for student, family in zip(roster.students, roster.family_of, strict=True):
        days = _enrolled_days(calendar, student)
        student_rng = random.Random(f"{seed}/{school_id}/{student.student_id}/marks")
        plans.append(plan_student(student_rng, days, events, holidays[family], jurisdiction.day_based))
        enrolled.append(days)
    missing = _missing(random.Random(f"{seed}/{school_id}/missing/{through.isoformat()}"), calendar,
                       roster.students, enrolled, through, jurisdiction.day_based)
    return DemoSchool(school, calendar, roster.students, roster.guardians, roster.links, through,
                      tuple(plans), tuple(enrolled), missing)


def _enrolled_days(calendar: SchoolCalendar, student: Student) -> range:
    first = calendar.count_on_or_before(student.enrolment_start) - (
        1 if calendar.is_school_day(student.enrolment_start) else 0)
    last = calendar.count_on_or_before(student.enrolment_end or calendar.end)
    return range(first, max(first, last))


def _missing(rng: random.Random, calendar: SchoolCalendar, students: Sequence[Student],
             enrolled: Sequence[range], through: date, day_based: bool) -> tuple[tuple[str, date, str], ...]:
    """The latest day: one registration class's afternoon register (a day school: its register) not
    taken yet; the day before: a few students with their morning mark missing."""
    bound = calendar.count_on_or_before(through)
    if bound < 2:
        return ()
    latest, before = bound - 1, bound - 2
    on_roll = [(s, r) for s, r in zip(students, enrolled, strict=True) if latest in r]
    classes = sorted({s.registration_class or "" for s, _ in on_roll})
    late_class = rng.choice(classes) if classes else None
    missing = [(s.student_id, calendar.school_days[latest], "DAY" if day_based else "PM")
               for s, _ in on_roll if (s.registration_class or "") == late_class]
    for student, days in zip(students, enrolled, strict=True):
        if before in days and rng.random() < MISSING_ONE_SESSION:
            missing.append((student.student_id, calendar.school_days[before], "DAY" if day_based else "AM"))
    return tuple(sorted(missing))


def summary_stats(district: DemoDistrict) -> dict[str, Any]:
    """Counts for printing: per school students, guardians, marks (by code) and missing sessions."""
    schools = []
    for school in district.schools:
        codes: dict[str, int] = {}
        for row in iter_mark_rows(school):
            codes[row.code] = codes.get(row.code, 0) + 1
        schools.append({"schoolId": school.school_id, "name": school.school.name,
                        "jurisdiction": school.school.jurisdiction.value, "students": len(school.students),
                        "guardians": len(school.guardians), "schoolDays": school.days_through,
                        "marks": sum(codes.values()), "missingSessions": len(school.missing),
                        "marksByCode": dict(sorted(codes.items()))})
    return {"tenantId": district.tenant_id, "seed": district.seed, "through": district.through.isoformat(),
            "students": sum(s["students"] for s in schools), "marks": sum(s["marks"] for s in schools),
            "schools": schools}
