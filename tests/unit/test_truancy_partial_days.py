"""California: a day absent without a valid excuse for part of it is a truancy occasion.

California Education Code §48260(a): a pupil "who is absent from school without a valid excuse
three full days in one school year or tardy or absent for more than a 30-minute period during
the schoolday without a valid excuse on three occasions in one school year, or any combination
thereof, shall be classified as a truant".

An AM or PM mark at a California school is that half of the school day, so U in one half is an
absence of more than 30 minutes without a valid excuse: one occasion. U in both halves (or a DAY
U) is a full day. A day is never more than one truancy (docs/attendance.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.attendance.normalize import SessionMark, full_year, group_marks
from domain.attendance.summaries import Totals
from domain.ladder.model import StudentRef
from domain.ladder.rule_facts import simulate_rule_set
from domain.letters.merge import unexplained_sessions
from domain.roster.schools import Jurisdiction, School
from domain.rules import load_preset
from domain.rules.conditions import AbsenceCountThreshold, TruancyThreshold
from tests.fakes_attendance import SCHOOL, TENANT, World, calendar_2024, record, student
from tests.unit.rules_examples import CA, DAY_CAL, check, pupil

D = date
MORNINGS = (D(2024, 9, 4), D(2024, 9, 10), D(2024, 9, 18))  # three days: unexcused morning, present afternoon


def marks(*days: tuple[date, str, str | None, str | None]) -> dict:
    """(day, DAY code or "", AM code, PM code); every other school day present all day."""
    given = {d: (day_code, am, pm) for d, day_code, am, pm in days}
    found = []
    for d in DAY_CAL.school_days_between(DAY_CAL.start, D(2024, 9, 30)):
        day_code, am, pm = given.get(d, ("P", None, None))
        found += [SessionMark(d, s, c) for s, c in (("DAY", day_code), ("AM", am), ("PM", pm)) if c]
    return group_marks(found)


def totals_on(day: date, *days: tuple[date, str, str | None, str | None]) -> Totals:
    rows = full_year(pupil(DAY_CAL.start), DAY_CAL, marks(*days), D(2024, 9, 30), codes=CA)
    return next(r for r in rows if r.date == day).totals


@pytest.mark.parametrize(("day", "occasions", "full_days"), [
    ((D(2024, 9, 4), "", "U", "P"), 1, 0),  # absent the morning without a valid excuse
    ((D(2024, 9, 4), "", "P", "U"), 1, 0),  # the afternoon
    ((D(2024, 9, 4), "", "U", "E"), 1, 0),  # the afternoon excused: still an occasion, not a full day
    ((D(2024, 9, 4), "", "U", "T30"), 1, 0),  # and late again after lunch: one day, one truancy
    ((D(2024, 9, 4), "", "T30", "T30"), 1, 0),
    ((D(2024, 9, 4), "P", "U", None), 1, 0),  # a DAY mark with the morning corrected
    ((D(2024, 9, 4), "", "U", "U"), 0, 1),  # both halves: a full day
    ((D(2024, 9, 4), "U", None, None), 0, 1),
    ((D(2024, 9, 4), "T30", None, None), 1, 0),
    ((D(2024, 9, 4), "", "T", "E"), 0, 0),  # a short or excused tardy and an excused absence
])
def test_each_day_is_at_most_one_truancy(day: tuple[date, str, str | None, str | None], occasions: int,
                                         full_days: int) -> None:
    totals = totals_on(D(2024, 9, 30), day)
    assert (totals.tardies_over_30, totals.unexcused_days) == (occasions, Decimal(full_days))
    # what TruancyThreshold counts: never more than one for the day
    assert totals.unexcused_days + totals.tardies_over_30 == (1 if occasions or full_days else 0)


def test_three_unexcused_mornings_make_a_truant() -> None:
    days = [(d, "", "U", "P") for d in MORNINGS]
    year = full_year(pupil(DAY_CAL.start), DAY_CAL, marks(*days), D(2024, 9, 30), codes=CA)
    rows = {r.date: r for r in year}
    three = TruancyThreshold(threshold=3)
    assert check(three, DAY_CAL, rows, D(2024, 9, 18)) == (True, (
        "truant 3 times this school year: 0 days absent without a valid excuse and 3 times late or absent "
        "for more than 30 minutes without one",))
    assert not check(three, DAY_CAL, rows, D(2024, 9, 17)).met
    # the three half days are still one and a half days of absence without a valid excuse
    totals = rows[D(2024, 9, 18)].totals
    assert totals.absence_days == Decimal("1.5")
    assert unexplained_sessions(Jurisdiction.CALIFORNIA, totals) == 3  # what the letters quote
    # the `unexcused` category counts full days only, as San Diego's "full days" rule needs
    assert not check(AbsenceCountThreshold(threshold=1, unit="days", categories=["unexcused"]),
                     DAY_CAL, rows, D(2024, 9, 18)).met
    any_reason = check(AbsenceCountThreshold(threshold=1, unit="days"), DAY_CAL, rows, D(2024, 9, 18))
    assert any_reason.evidence == ("1.5 days missed this school year, 1.5 of them without a valid excuse",)


def test_the_california_preset_sends_the_first_notification_on_the_third_morning() -> None:
    days = [(d, "", "U", "P") for d in MORNINGS]
    rows = full_year(pupil(DAY_CAL.start), DAY_CAL, marks(*days), D(2024, 9, 30), codes=CA)
    timeline = simulate_rule_set(load_preset("US-CA"), StudentRef("t", "s", "st-1"), rows, DAY_CAL)
    assert timeline.stage_dates() == [(1, D(2024, 9, 18))]
    assert "truant 3 times" in timeline.entries[0].evidence[0]


def _school(jurisdiction: Jurisdiction) -> World:
    school = School(tenant_id=TENANT, school_id=SCHOOL, name="Day school", jurisdiction=jurisdiction,
                    time_zone="America/Los_Angeles")
    return World(school, [student("st0")], [calendar_2024()])


def test_a_california_school_may_send_the_day_or_its_halves() -> None:
    result = _school(Jurisdiction.CALIFORNIA).ingest([
        record("st0", D(2024, 9, 2), "AM", "U"), record("st0", D(2024, 9, 2), "PM", "P"),
        record("st0", D(2024, 9, 3), "DAY", "P"), record("st0", D(2024, 9, 4), "EVENING", "P")])
    assert result.accepted == 3
    [bad] = result.rejected
    assert (bad.index, bad.field, bad.reason) == (3, "session", "expected DAY, AM or PM")


def test_an_irish_school_records_the_day_and_its_halves_are_refused_naming_the_field() -> None:
    """Tusla counts days absent (Education (Welfare) Act 2000, s.21(4)): a half day has no place in
    that count, so an Irish school sends DAY marks; the batch keeps its other records."""
    result = _school(Jurisdiction.IRELAND).ingest([
        record("st0", D(2024, 9, 2), "AM", "A"), record("st0", D(2024, 9, 3), "DAY", "A"),
        record("st0", D(2024, 9, 4), "PM", "P")])
    assert result.accepted == 1
    assert [(r.index, r.field) for r in result.rejected] == [(0, "session"), (2, "session")]
    assert "send DAY" in result.rejected[0].reason
