"""Demo rosters: students in year groups (the jurisdiction's names and ages) and registration
classes of about 30, grouped into families (siblings share guardians, see demo/families.py), most
on roll from the first day, a few joining or leaving during the first term."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from demo import people
from demo.calendars import first_term_end
from demo.families import Family, Place, build_family
from domain.attendance.calendar import SchoolCalendar
from domain.roster.schools import Guardian, Jurisdiction, Student, StudentGuardian

SIBLING_SHARE = 0.18  # students who join an existing family
JOINER_SHARE, LEAVER_SHARE = 0.025, 0.02
CLASS_SIZE = 30
_FORMS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_ORDINAL = {1: "1st", 2: "2nd", 3: "3rd"}

# (year group, short code for class names, age at the start of the school year)
YearGroup = tuple[str, str, int]
YEAR_GROUPS: dict[tuple[Jurisdiction, bool], tuple[YearGroup, ...]] = {
    (Jurisdiction.ENGLAND, True): (("Reception", "R", 4),
                                   *((f"Year {n}", str(n), n + 4) for n in range(1, 7))),
    (Jurisdiction.ENGLAND, False): tuple((f"Year {n}", str(n), n + 4) for n in range(7, 12)),
    (Jurisdiction.IRELAND, True): (("Junior Infants", "JI", 4), ("Senior Infants", "SI", 5),
                                   *((f"{_ORDINAL.get(n, f'{n}th')} Class", str(n), n + 5)
                                     for n in range(1, 7))),
    (Jurisdiction.IRELAND, False): (("1st Year", "1Y", 12), ("2nd Year", "2Y", 13), ("3rd Year", "3Y", 14),
                                    ("Transition Year", "TY", 15), ("5th Year", "5Y", 16),
                                    ("6th Year", "6Y", 17)),
    (Jurisdiction.CALIFORNIA, True): (("Kindergarten", "K", 5),
                                      *((f"Grade {n}", str(n), n + 5) for n in range(1, 6))),
    (Jurisdiction.CALIFORNIA, False): tuple((f"Grade {n}", str(n), n + 5) for n in range(9, 13)),
}

@dataclass(frozen=True, slots=True)
class Roster:
    students: tuple[Student, ...]
    guardians: tuple[Guardian, ...]
    links: tuple[StudentGuardian, ...]
    family_of: tuple[int, ...]  # parallel to students: the family number, shared by siblings


def _birthday(rng: random.Random, start: date, age: int) -> date:
    """Born in the twelve months ending 31 August `age` years before the school year starts."""
    return date(start.year - age, 8, 31) - timedelta(days=rng.randrange(365))


def _enrolment(rng: random.Random, calendar: SchoolCalendar) -> tuple[date, date | None]:
    """Most start on the first day; joiners and leavers change during the first term."""
    later_days = calendar.school_days_between(calendar.start, first_term_end(calendar))[10:]
    roll = rng.random()
    if roll < JOINER_SHARE and later_days:
        return rng.choice(later_days), None
    if roll < JOINER_SHARE + LEAVER_SHARE and later_days:
        return calendar.start, rng.choice(later_days)
    return calendar.start, None


def build_roster(rng: random.Random, *, tenant: str, school_id: str, school_no: int,
                 jurisdiction: Jurisdiction, primary: bool, size: int, calendar: SchoolCalendar) -> Roster:
    place = Place(tenant, school_id, jurisdiction)
    groups = YEAR_GROUPS[(jurisdiction, primary)]
    per_group = -(-size // len(groups))
    students: list[Student] = []
    guardians: list[Guardian] = []
    links: list[StudentGuardian] = []
    family_of: list[int] = []
    families: list[Family] = []
    for k in range(size):
        if families and rng.random() < SIBLING_SHARE:  # a sibling of a recent family
            family = families[rng.randrange(max(0, len(families) - 40), len(families))]
        else:
            family = build_family(rng, place, len(families) + 1)
            families.append(family)
            guardians.extend(family.guardians)
        group, code, age = groups[k // per_group]
        in_group = min(per_group, size - (k // per_group) * per_group)
        classes = min(len(_FORMS), -(-in_group // CLASS_SIZE))  # a huge bench school gets big classes
        form = _FORMS[(k % per_group) % classes]
        origin = people.ORIGINS[family.origin]
        student_id = f"{school_id}-{k + 1:04d}"
        start, end = _enrolment(rng, calendar)
        students.append(Student(
            tenant_id=tenant, school_id=school_id, student_id=student_id, sis_id=f"{school_no}{k + 1:05d}",
            upi=f"{rng.getrandbits(128):032x}", forename=rng.choice(rng.choice((origin.girls, origin.boys))),
            surname=family.surname, date_of_birth=_birthday(rng, calendar.start, age), year_group=group,
            registration_class=f"{code}{form}", enrolment_start=start, enrolment_end=end))
        family_of.append(family.number)
        for priority, (guardian, (role, responsible, lives_with)) in enumerate(
                zip(family.guardians, family.links, strict=True), start=1):
            links.append(StudentGuardian(
                tenant_id=tenant, school_id=school_id, student_id=student_id,
                guardian_id=guardian.guardian_id, relationship=role, parental_responsibility=responsible,
                priority=priority, lives_with_pupil=lives_with))
    return Roster(tuple(students), tuple(guardians), tuple(links), tuple(family_of))
