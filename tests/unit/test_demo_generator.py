"""demo/: the deterministic demo district (rosters, calendars, marks, Wonde payloads)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from statistics import median

import pytest

from demo import (
    DemoSchool,
    attendance_marks,
    calendar_body,
    demo_calendar,
    generate_district,
    iter_mark_rows,
    session_marks,
    summary_stats,
    to_wonde_marks,
    to_wonde_students,
    wonde_mark_batches,
    wonde_student_batches,
)
from domain.attendance.calendar_input import calendar_from_body
from domain.attendance.codes import load_code_table
from domain.attendance.normalize import full_year, group_marks
from domain.roster.schools import ContactPreference, Jurisdiction
from domain.sis.wonde import parse_roster
from services.attendance.mark_validation import MarkValidator

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = {"en", "ga", "pl", "uk", "ar", "pt", "ro"}
MIXED = [Jurisdiction.ENGLAND, Jurisdiction.IRELAND, Jurisdiction.CALIFORNIA]


@pytest.fixture(scope="module")
def district():
    """The `make run` district: two English schools of 600 and a term of marks."""
    return generate_district(2025)


@pytest.fixture(scope="module")
def mixed():
    return generate_district(7, schools=3, students_per_school=300, jurisdictions=MIXED)


def digest(seed: int) -> str:
    """Everything the generator emits for a small mixed district, as one hash."""
    built = generate_district(seed, schools=3, students_per_school=80, jurisdictions=MIXED)
    parts = [[calendar_body(s.calendar), to_wonde_students(s.students, s.guardians, s.links),
              to_wonde_marks(iter_mark_rows(s))] for s in built.schools]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


# --- determinism ----------------------------------------------------------------------------------

def test_the_same_seed_gives_byte_identical_output_and_another_seed_does_not():
    assert digest(11) == digest(11)
    assert digest(11) != digest(12)


def test_output_does_not_depend_on_hash_randomisation():
    """Another process with another PYTHONHASHSEED: set or dict-of-str ordering would show here."""
    script = "from tests.unit.test_demo_generator import digest; print(digest(11))"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == digest(11)


def test_a_longer_through_extends_the_same_marks():
    """Plans cover the whole year, so a term's marks are a prefix of the year's (bar the last
    days' deliberately missing ones)."""
    term = generate_district(3, schools=1, students_per_school=60)
    year = generate_district(3, schools=1, students_per_school=60, through=date(2026, 7, 22))
    end = term.through - timedelta(days=7)
    def head(d):
        return [r for r in iter_mark_rows(d) if r.date <= end]
    assert head(term) == head(year)
    assert len(list(iter_mark_rows(year))) > 2 * len(list(iter_mark_rows(term)))


# --- counts and ids -------------------------------------------------------------------------------

def expected_sessions(school: DemoSchool) -> int:
    """Enrolled school days x sessions, from the students' own dates (not the generator's ranges)."""
    total = 0
    for student in school.students:
        last = min(school.through, student.enrolment_end or school.through)
        total += len(school.calendar.school_days_between(student.enrolment_start, last))
    return total * len(school.sessions)


@pytest.mark.parametrize("which", ["district", "mixed"])
def test_marks_are_every_enrolled_session_minus_the_deliberately_missing_ones(which, request):
    built = request.getfixturevalue(which)
    for school in built.schools:
        rows = list(iter_mark_rows(school))
        keys = Counter((r.student_id, r.date, r.session) for r in rows)
        assert max(keys.values()) == 1  # one mark per student, date and session
        assert len(rows) == expected_sessions(school) - len(school.missing)
        assert school.missing and not any(m in keys for m in school.missing)
        last_two = school.calendar.last_n_school_days(school.through, 2)
        assert {day for _, day, _ in school.missing} <= set(last_two)
        students = {s.student_id: s for s in school.students}
        assert all(students[r.student_id].enrolled_on(r.date) for r in rows)


def test_schools_students_and_ids(district):
    assert [s.school_id for s in district.schools] == ["demo-s1", "demo-s2"]
    first = district.schools[0]
    assert first.school.jurisdiction is Jurisdiction.ENGLAND and first.school.time_zone == "Europe/London"
    assert first.school.language == "en" and first.school.tenant_id == "demo-district"
    assert [len(s.students) for s in district.schools] == [600, 600]
    assert first.students[0].student_id == "demo-s1-0001" and first.students[-1].student_id == "demo-s1-0600"
    assert len({s.sis_id for s in district.students}) == 1200
    assert {s.year_group for s in first.students} == {"Reception", *(f"Year {n}" for n in range(1, 7))}
    assert {s.year_group for s in district.schools[1].students} == {f"Year {n}" for n in range(7, 12)}
    sizes = Counter(s.registration_class for s in district.students)
    assert max(sizes.values()) <= 30
    stats = summary_stats(district)
    assert stats["students"] == 1200
    assert stats["marks"] == sum(1 for _ in iter_mark_rows(district))


def test_mixed_jurisdictions_have_their_own_zone_year_groups_and_day_marks(mixed):
    ie, ca = mixed.schools[1], mixed.schools[2]
    assert (ie.school.jurisdiction, ie.school.time_zone) == (Jurisdiction.IRELAND, "Europe/Dublin")
    assert (ca.school.jurisdiction, ca.school.time_zone) == (Jurisdiction.CALIFORNIA, "America/Los_Angeles")
    assert "1st Year" in {s.year_group for s in ie.students}  # demo-s2 is a secondary school
    assert "Kindergarten" in {s.year_group for s in generate_district(
        1, schools=1, students_per_school=30, jurisdictions=[Jurisdiction.CALIFORNIA]).students}
    for school in (ie, ca):
        assert {r.session for r in iter_mark_rows(school)} == {"DAY"}
    assert {r.session for r in iter_mark_rows(mixed.schools[0])} == {"AM", "PM"}


def test_joiners_and_leavers_change_during_the_first_term(district):
    term = district.schools[0].calendar.terms[0]
    joiners = [s for s in district.students if s.enrolment_start != date(2025, 9, 1)]
    leavers = [s for s in district.students if s.enrolment_end is not None]
    assert 5 <= len(joiners) <= 60 and 5 <= len(leavers) <= 50
    assert all(term.start < s.enrolment_start <= term.end for s in joiners)
    assert all(term.start < s.enrolment_end <= term.end for s in leavers)


# --- calendars ------------------------------------------------------------------------------------

def test_england_2025_26_has_the_published_terms_and_holidays():
    cal = demo_calendar(Jurisdiction.ENGLAND, date(2025, 9, 1))
    assert cal.school_year == "2025-26"
    assert [(t.name, t.start, t.end) for t in cal.terms] == [
        ("Autumn", date(2025, 9, 1), date(2025, 12, 19)), ("Spring", date(2026, 1, 5), date(2026, 3, 27)),
        ("Summer", date(2026, 4, 13), date(2026, 7, 22))]
    for closed in (date(2025, 10, 27), date(2025, 10, 31), date(2026, 2, 16), date(2026, 2, 20),
                   date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25), date(2026, 5, 29),
                   date(2025, 12, 22), date(2025, 9, 6)):
        assert not cal.is_school_day(closed), closed
    for open_day in (date(2025, 9, 1), date(2025, 12, 19), date(2026, 5, 5), date(2026, 7, 22)):
        assert cal.is_school_day(open_day), open_day
    assert 185 <= len(cal.school_days) <= 195


@pytest.mark.parametrize(("jurisdiction", "closed"), [
    (Jurisdiction.IRELAND, [date(2025, 10, 27), date(2026, 2, 2), date(2026, 3, 17), date(2026, 6, 1)]),
    (Jurisdiction.CALIFORNIA, [date(2025, 9, 1), date(2025, 11, 11), date(2025, 11, 27), date(2026, 1, 19),
                               date(2026, 5, 25)]),
])
def test_ireland_and_california_have_their_own_holidays(jurisdiction, closed):
    cal = demo_calendar(jurisdiction, date(2025, 9, 1))
    assert not any(cal.is_school_day(d) for d in closed)
    assert 170 <= len(cal.school_days) <= 190


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_calendars_are_valid_for_any_year(jurisdiction, year):
    cal = demo_calendar(jurisdiction, date(year, 9, 1))
    assert all(cal.start <= t.start <= t.end <= cal.end for t in cal.terms)
    assert all(cal.start <= h.start <= h.end <= cal.end for h in cal.holidays)
    assert all(d.weekday() < 5 for d in cal.school_days)
    assert cal.is_school_day(cal.terms[0].end) or cal.terms[0].end.weekday() >= 5


def test_no_marks_on_weekends_holidays_or_closures(mixed):
    for school in mixed.schools:
        assert all(school.calendar.is_school_day(r.date) for r in iter_mark_rows(school))


# --- realistic patterns ---------------------------------------------------------------------------

def final_totals(school: DemoSchool) -> list:
    codes = load_code_table(school.school.jurisdiction, school.calendar.start)
    marks = session_marks(school)
    rows = (full_year(s, school.calendar, group_marks(marks[s.student_id]), school.through, codes=codes)
            for s in school.students)
    return [r[-1].totals for r in rows if r]


@pytest.mark.parametrize("which", ["district", "mixed"])
def test_attendance_is_mostly_around_95_percent_with_a_persistent_and_a_severe_tail(which, request):
    totals = [t for school in request.getfixturevalue(which).schools for t in final_totals(school)]
    persistent = sum(t.persistent_absence for t in totals) / len(totals)
    severe = sum(t.severe_absence for t in totals) / len(totals)
    assert 0.08 <= persistent <= 0.25
    assert 0.003 <= severe <= 0.04
    assert 93 <= median(float(t.attendance_percent) for t in totals) <= 98


def test_england_uses_the_everyday_codes_with_minutes_for_lates(district):
    rows = list(iter_mark_rows(district))
    assert {"/", "\\", "L", "U", "I", "M", "G", "N", "O", "C", "E"} <= {r.code for r in rows}
    assert all(r.code == "/" for r in rows if r.session == "AM" and r.code in "/\\")
    assert all(0 < r.minutes_late < 30 for r in rows if r.code == "L")
    assert all(r.minutes_late > 30 for r in rows if r.code == "U")
    assert all(r.minutes_late is None for r in rows if r.code not in ("L", "U"))


def test_every_code_is_in_the_jurisdictions_table(mixed):
    for school in mixed.schools:
        table = load_code_table(school.school.jurisdiction, school.calendar.start)
        assert all(r.code in table.codes for r in iter_mark_rows(school))
    assert {"P", "L", "A", "F"} <= {r.code for r in iter_mark_rows(mixed.schools[1])}
    assert {"P", "T", "E", "U"} <= {r.code for r in iter_mark_rows(mixed.schools[2])}


def test_term_time_holidays_are_blocks_of_g_shared_by_siblings(district):
    runs = {}
    for school in district.schools:
        by_student = defaultdict(list)
        for r in iter_mark_rows(school):
            if r.code == "G" and r.session == "AM":
                by_student[r.student_id].append(school.calendar.index_of(r.date))
        runs.update({s: days for s, days in by_student.items()
                     if len(days) >= 5 and days == list(range(days[0], days[0] + len(days)))})
    assert len(runs) >= 0.01 * 1200
    assert all(len(days) in (5, 10) for days in runs.values())
    guardians = defaultdict(set)
    for link in district.links:
        guardians[link.student_id].add(link.guardian_id)
    assert any(guardians[a] & guardians[b] and runs[a] == runs[b] for a in runs for b in runs if a < b)


def test_a_winter_bug_week_and_chronic_late_comers(district):
    school = district.schools[0]
    ill = Counter(r.date for r in iter_mark_rows(school) if r.code == "I" and r.session == "AM")
    peak_day, peak = ill.most_common(1)[0]
    assert date(2025, 11, 17) <= peak_day <= date(2025, 12, 12)
    assert peak >= 4 * median(ill.values())
    lates = Counter(r.student_id for r in iter_mark_rows(school) if r.code == "L")
    assert 2 <= sum(n >= 15 for n in lates.values()) <= 40  # a handful late on a fifth of mornings


# --- guardians ------------------------------------------------------------------------------------

def test_guardians_languages_contacts_and_links(district):
    guardians = {g.guardian_id: g for g in district.guardians}
    languages = Counter(g.preferred_language for g in guardians.values())
    assert len(LANGUAGES & set(languages)) >= 5 and set(languages) <= LANGUAGES
    assert languages["en"] > 0.6 * len(guardians)
    assert all(g.email is None or g.email.endswith("@example.org") for g in guardians.values())
    assert {g.contact_preference for g in guardians.values()} == set(ContactPreference)
    assert all(g.contact_preference is ContactPreference.POST for g in guardians.values() if g.email is None)
    links = defaultdict(list)
    for link in district.links:
        links[link.student_id].append(link)
    assert set(links) == {s.student_id for s in district.students}
    assert all(sorted(k.priority for k in group) in ([1], [1, 2]) for group in links.values())
    assert any(len(group) == 2 for group in links.values())
    unreachable = [s for s, group in links.items()
                   if all(guardians[k.guardian_id].email is None and guardians[k.guardian_id].address is None
                          for k in group)]
    assert 0.005 * 1200 <= len(unreachable) <= 0.08 * 1200
    shared = Counter(link.guardian_id for link in district.links)
    assert sum(n >= 2 for n in shared.values()) >= 30  # siblings share guardians


# --- payloads -------------------------------------------------------------------------------------

def test_wonde_students_shape(district):
    school = district.schools[0]
    record = to_wonde_students(school.students, school.guardians, school.links)["data"][0]
    student = school.students[0]
    assert record["id"] == student.student_id and record["mis_id"] == student.sis_id
    assert record["date_of_birth"] == {"date": f"{student.date_of_birth} 00:00:00.000000",
                                       "timezone_type": 3, "timezone": "UTC"}
    assert record["year"] == {"data": {"name": student.year_group}}
    contact = record["contacts"]["data"][0]
    assert set(contact["relationship"]) == {"relationship", "parental_responsibility", "priority",
                                            "lives_with_pupil"}
    assert set(contact["contact_details"]["data"]) == {"emails", "telephones", "addresses"}


@pytest.mark.parametrize("index", [0, 1, 2])
def test_wonde_students_parse_back_with_the_roster_importer(mixed, index):
    school = mixed.schools[index]
    parsed = parse_roster(to_wonde_students(school.students, school.guardians, school.links),
                          tenant_id=school.school.tenant_id, school_id=school.school_id)
    assert parsed.rejected == [] and parsed.warnings == []
    assert tuple(r.student for r in parsed.records) == school.students
    assert tuple(link for r in parsed.records for link in r.links) == school.links
    back = {g.guardian_id: g for r in parsed.records for g in r.guardians}
    assert back == {g.guardian_id: g for g in school.guardians}


def test_wonde_marks_shape_batches_and_the_ingestion_validator(mixed):
    for school in mixed.schools:
        rows = list(iter_mark_rows(school))
        payload = to_wonde_marks(rows)
        first = payload["data"][0]
        assert set(first) == {"student", "date", "session", "attendance_code", "comment", "minutes_late"}
        assert first["date"] == rows[0].date.isoformat()
        batches = list(wonde_mark_batches(iter(rows), size=7_000))
        assert [len(b["data"]) for b in batches[:-1]] == [7_000] * (len(batches) - 1)
        assert [m for b in batches for m in b["data"]] == payload["data"]
        calendar = school.calendar
        checker = MarkValidator(school.school, school.students, {}, lambda _day, c=calendar: c)
        stored = [checker.check(record) for record in payload["data"]]
        assert [(m.student_id, m.date, m.session, m.code) for m in stored] == [
            (r.student_id, r.date, r.session, r.code) for r in rows]


def test_student_batches_and_calendar_bodies(mixed):
    school = mixed.schools[0]
    batches = list(wonde_student_batches(school.students, school.guardians, school.links, size=120))
    assert [len(b["data"]) for b in batches] == [120, 120, 60]
    whole = to_wonde_students(school.students, school.guardians, school.links)
    assert [r for b in batches for r in b["data"]] == whole["data"]
    for built in mixed.schools:
        back = calendar_from_body(built.calendar.school_year, calendar_body(built.calendar))
        assert back.to_dict() == built.calendar.to_dict()


def test_attendance_marks_are_domain_models_built_lazily(mixed):
    school = mixed.schools[0]
    marks = attendance_marks(school, source_path="demo/raw.json")
    assert iter(marks) is marks  # a generator, not a list
    first = [next(marks) for _ in range(3)]
    rows = list(iter_mark_rows(school))[:3]
    assert [(m.student_id, m.date, m.session.value, m.code) for m in first] == [
        (r.student_id, r.date, r.session, r.code) for r in rows]
    assert first[0].received_at.date() == first[0].date and first[0].source == "demo/raw.json"


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="before the school year"):
        generate_district(1, through=date(2025, 8, 1))
    with pytest.raises(ValueError, match="at least one"):
        generate_district(1, students_per_school=0)


# --- speed (printed, not asserted) ----------------------------------------------------------------

def test_twenty_thousand_students_for_a_term(capsys):
    started = time.perf_counter()
    built = generate_district(1, schools=20, students_per_school=1000)
    generated = time.perf_counter()
    count = sum(1 for _ in iter_mark_rows(built))
    done = time.perf_counter()
    with capsys.disabled():
        print(f"\ndemo: 20,000 students, {count:,} marks: plans {generated - started:.2f} s, "
              f"mark rows {done - generated:.2f} s, total {done - started:.2f} s")
    assert count > 20_000 * 70 * 2 * 0.9
