"""Normalizing a school for a date over fakes: the nightly increment, corrections, batching."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.attendance.codes import load_code_table
from domain.attendance.normalize import SessionMark, full_year, group_marks
from domain.attendance.stored_marks import MarkChange
from domain.attendance.summaries import Status
from domain.platform.events import event_id
from domain.roster.schools import Jurisdiction
from services.attendance.normalization import SchoolBusy
from tests.fakes_attendance import (
    SCHOOL,
    TENANT,
    World,
    calendar_2024,
    calendar_2025,
    england,
    record,
    student,
)

ENG = load_code_table(Jurisdiction.ENGLAND)
CAL = calendar_2024()
DAYS = CAL.school_days[:10]  # 2 Sep .. 13 Sep 2024
AT_NIGHT = timedelta(hours=20)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + AT_NIGHT


def mark_day(world: World, day: date, codes: dict[str, tuple[str, str]]) -> None:
    world.ingest([record(s, day, session, code) for s, (am, pm) in codes.items()
                  for session, code in (("AM", am), ("PM", pm)) if code], at=at(day))


def normalize(world: World, day: date, **kw):  # type: ignore[no-untyped-def]
    world.clock.at = at(day) + timedelta(hours=6)
    return world.normalization.normalize(TENANT, SCHOOL, day, **kw)


def expected_rows(world: World, student_id: str, end: date) -> dict[date, object]:
    """What a full-year recompute from the stored marks gives (the reference)."""
    marks = group_marks(SessionMark(d, s, m.code) for (d, sid, s), m in world.marks.rows.items()
                        if sid == student_id)
    student = next(s for s in world.students if s.student_id == student_id)
    return {r.date: r for r in full_year(student, CAL, marks, end, codes=ENG)}


def test_the_first_night_writes_a_row_per_student_and_stages_the_event():
    world = england(n_students=3)
    mark_day(world, DAYS[0], {"st0": ("/", "\\"), "st1": ("N", "N")})  # st2 has no mark
    result = normalize(world, DAYS[0])
    rows = {s: world.summaries.rows[s, DAYS[0]] for s in ("st0", "st1", "st2")}
    assert rows["st1"].am_status is Status.UNAUTHORISED_ABSENT and rows["st1"].severe_absence
    assert (rows["st2"].am_status, rows["st2"].totals.missing_marks) == (Status.NO_MARK, 2)
    assert world.summaries.newest == rows
    assert (result.students, result.rows, result.dirty_students, result.changes) == (3, 3, 2, 2)
    assert world.changes.rows == {}
    [event] = world.summaries.events
    assert event.id == event_id("attendance.normalized", TENANT, SCHOOL, "2024-09-02")
    assert (event.type, event.school_id, event.data["rows"]) == ("attendance.normalized", SCHOOL, 3)


def test_the_next_night_rolls_everyone_over_from_their_newest_row_without_point_reads():
    world = england(n_students=3)
    mark_day(world, DAYS[0], {"st0": ("/", "\\"), "st1": ("N", "N"), "st2": ("I", "I")})
    normalize(world, DAYS[0])
    mark_day(world, DAYS[1], {"st1": ("N", "N")})
    result = normalize(world, DAYS[1])
    assert (result.rows, result.point_reads, result.dirty_students) == (3, 0, 1)
    st1 = world.summaries.rows["st1", DAYS[1]]
    assert (st1.consecutive_absence_days, st1.totals.unauthorised_sessions) == (2, 4)
    assert world.summaries.rows["st0", DAYS[1]].pm_status is Status.NO_MARK
    assert world.summaries.rows["st2", DAYS[1]].consecutive_absence_days == 0  # NO_MARK breaks the run


def test_a_corrected_past_mark_rebuilds_that_student_from_that_day_and_matches_a_full_recompute():
    world = england(n_students=2)
    for day in DAYS[:5]:
        mark_day(world, day, {"st0": ("/", "\\"), "st1": ("/", "\\")})
        normalize(world, day)
    world.ingest([record("st0", DAYS[1], "AM", "G"), record("st0", DAYS[1], "PM", "G")], at=at(DAYS[5]))
    result = normalize(world, DAYS[5])
    assert result.point_reads == 1  # the baseline (DAYS[0]) is not st0's newest row
    assert result.rows == 5 + 1  # st0 from DAYS[1] to DAYS[5], st1 rolls over one day
    reference = expected_rows(world, "st0", DAYS[5])
    assert {d: world.summaries.rows["st0", d] for d in DAYS[:6]} == reference
    assert world.summaries.rows["st0", DAYS[4]].totals.penalty_sessions == 2


def test_an_older_date_run_after_newer_rows_keeps_later_rows_consistent():
    world = england(n_students=1)
    for day in DAYS[:4]:
        mark_day(world, day, {"st0": ("/", "\\")})
    normalize(world, DAYS[3])
    world.ingest([record("st0", DAYS[0], "AM", "I")], at=at(DAYS[4]))
    normalize(world, DAYS[1])  # re-running an older date: the correction still runs to DAYS[3]
    assert world.summaries.newest["st0"].date == DAYS[3]
    assert world.summaries.rows["st0", DAYS[3]] == expected_rows(world, "st0", DAYS[3])[DAYS[3]]


def test_missed_nights_are_caught_up_and_a_weekend_adds_no_rows():
    world = england(n_students=1)
    normalize(world, DAYS[0])
    result = normalize(world, DAYS[3])
    assert result.rows == 3 and world.summaries.newest["st0"].date == DAYS[3]
    saturday = DAYS[4] + timedelta(days=1)
    assert normalize(world, saturday).rows == 1  # Friday, missed, then nothing for Saturday
    assert normalize(world, saturday + timedelta(days=1)).rows == 0


def test_a_flag_whose_marks_are_not_visible_yet_is_kept_until_it_is_stale():
    world = england(n_students=1)
    mark_day(world, DAYS[0], {"st0": ("/", "\\")})
    # another ingestion wrote its flag at 21:00 but not (yet) its mark
    flag = MarkChange("st0", DAYS[0], "b2", "2024-09-02T21:00:00.000000+00:00", ("AM",))
    world.changes.add(TENANT, SCHOOL, [flag])
    world.clock.at = datetime(2024, 9, 2, 21, 30, tzinfo=UTC)
    result = world.normalization.normalize(TENANT, SCHOOL, DAYS[0])
    assert (result.changes, result.kept_changes) == (1, 1)
    assert [c.batch_id for c in world.changes.rows.values()] == ["b2"]
    world.clock.at = datetime(2024, 9, 2, 22, 1, tzinfo=UTC)  # over an hour: its write failed
    stale = world.normalization.normalize(TENANT, SCHOOL, DAYS[0])
    assert (stale.changes, stale.kept_changes) == (1, 0) and world.changes.rows == {}


def test_a_flag_is_consumed_once_its_mark_is_visible():
    world = england(n_students=1)
    mark_day(world, DAYS[0], {"st0": ("/", "")})
    world.ingest([record("st0", DAYS[0], "AM", "N")], at=at(DAYS[0]) + timedelta(minutes=5))
    world.clock.at = at(DAYS[0]) + timedelta(minutes=10)
    result = world.normalization.normalize(TENANT, SCHOOL, DAYS[0])
    assert (result.changes, result.kept_changes) == (2, 0)
    assert world.summaries.rows["st0", DAYS[0]].am_reason_code == "N"


def test_flags_dated_after_the_run_wait_for_a_later_run():
    world = england(n_students=1)
    mark_day(world, DAYS[2], {"st0": ("N", "N")})
    result = normalize(world, DAYS[1])
    assert (result.changes, result.kept_changes) == (0, 1)
    assert normalize(world, DAYS[2]).changes == 1


def test_a_missing_baseline_row_falls_back_to_the_whole_year():
    world = england(n_students=1)
    for day in DAYS[:3]:
        mark_day(world, day, {"st0": ("/", "\\")})
    normalize(world, DAYS[2])
    del world.summaries.rows["st0", DAYS[0]]
    world.ingest([record("st0", DAYS[1], "AM", "I")], at=at(DAYS[3]))
    result = normalize(world, DAYS[3])
    assert (result.point_reads, result.fallbacks) == (1, 1)
    assert world.summaries.rows["st0", DAYS[3]] == expected_rows(world, "st0", DAYS[3])[DAYS[3]]


def test_a_correction_in_last_school_year_rebuilds_that_year_only():
    world = england(n_students=1)
    next_year = calendar_2025().school_days
    june = date(2025, 6, 2)
    normalize(world, CAL.end)  # the whole 2024/25 year
    normalize(world, next_year[0])
    world.ingest([record("st0", june, "AM", "O")], at=at(next_year[1]))
    result = normalize(world, next_year[1])
    assert world.summaries.rows["st0", june].am_reason_code == "O"
    assert world.summaries.rows["st0", CAL.end] == expected_rows(world, "st0", CAL.end)[CAL.end]
    newest = world.summaries.newest["st0"]
    assert newest.date == next_year[1] and newest.totals.unauthorised_sessions == 0  # a new year
    assert (result.changes, result.point_reads, result.rows) == (1, 1, 1 + len(
        CAL.school_days_between(june, CAL.end)))


def test_a_summer_night_has_no_rows_to_roll_over_but_settles_corrections():
    world = england(n_students=1)
    normalize(world, CAL.end)
    world.ingest([record("st0", date(2025, 7, 1), "AM", "N")], at=at(date(2025, 8, 3)))
    summer = date(2025, 8, 4)  # no calendar covers it
    result = normalize(world, summer)
    assert (result.changes, result.rows) == (1, len(CAL.school_days_between(date(2025, 7, 1), CAL.end)))
    assert world.summaries.rows["st0", CAL.end].totals.unauthorised_sessions == 1
    assert world.summaries.newest["st0"] == world.summaries.rows["st0", CAL.end]  # no newer row yet
    assert world.summaries.events[-1].data["schoolYear"] is None
    assert normalize(world, summer + timedelta(days=1)).rows == 0


def test_full_rebuilds_everyone_from_the_year_start():
    world = england(n_students=2)
    for day in DAYS[:3]:
        mark_day(world, day, {"st0": ("/", "\\"), "st1": ("I", "I")})
    result = normalize(world, DAYS[2], full=True)
    assert (result.students, result.rows, result.mark_days) == (2, 6, 3)
    assert world.summaries.newest["st1"].totals.authorised_sessions == 6


def test_a_student_who_joins_or_leaves_mid_year_has_rows_only_while_enrolled():
    world = england(n_students=0)
    world.students[:] = world.roster.student_list[:] = [student("joiner", start=DAYS[2]),
                                                       student("leaver", end=DAYS[1])]
    normalize(world, DAYS[3])
    assert sorted(d for (s, d) in world.summaries.rows if s == "joiner") == list(DAYS[2:4])
    assert sorted(d for (s, d) in world.summaries.rows if s == "leaver") == list(DAYS[:2])
    assert world.summaries.rows["joiner", DAYS[2]].school_day_index == 3


def test_a_leaver_does_not_make_later_nights_reload_old_days():
    """Rows exist only while enrolled, so a student who left is not rolled over: the nightly for
    a later day reads that day's marks only, not every day since the leaver left."""
    world = england(n_students=0)
    world.students[:] = world.roster.student_list[:] = [student("stayer"), student("leaver", end=DAYS[1])]
    normalize(world, DAYS[2])
    result = normalize(world, DAYS[6])
    assert result.mark_days == len(DAYS[3:7])
    assert max(d for (s, d) in world.summaries.rows if s == "leaver") == DAYS[1]
    later = normalize(world, DAYS[7])
    assert later.mark_days == 1


def test_a_school_already_being_normalized_is_busy():
    world = england()
    world.summaries.lease = ("other", at(DAYS[0]) + timedelta(days=1))
    with pytest.raises(SchoolBusy) as busy:
        normalize(world, DAYS[0])
    assert busy.value.status == 409
    assert world.summaries.rows == {}


@pytest.mark.parametrize("n", [30, 300, 1000])
def test_storage_requests_grow_with_batches_not_with_students(n):
    world = england(n_students=n)
    mark_day(world, DAYS[0], {f"st{i}": ("/", "\\") for i in range(n)})
    normalize(world, DAYS[0])
    mark_day(world, DAYS[1], {f"st{i}": ("/", "\\") for i in range(n)})
    world.trips.total = 0
    world.trips.by_kind.clear()
    result = normalize(world, DAYS[1])
    batches = math.ceil(n / 100)
    by_kind = world.trips.by_kind
    assert by_kind["summaries.write"] == batches  # one month partition
    assert by_kind["latest.write"] == math.ceil((n + 1) / 100)  # + the outbox row
    assert by_kind["changes.remove"] == batches
    assert by_kind["summaries.row"] == 0
    fixed = 3 + 3 + 3  # school, calendar, lease x3; students, latest, flags, one day of marks
    assert result.round_trips == world.trips.total <= fixed + 3 * batches + 4 * math.ceil(2 * n / 1000)
