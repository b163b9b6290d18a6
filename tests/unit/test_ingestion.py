"""Ingesting Wonde session attendance: per-record validation, idempotency, history, dirty flags."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from domain.attendance.stored_marks import Mark
from domain.platform.errors import NotFound, ValidationFailed
from domain.platform.paths import SIS_RAW
from domain.roster.schools import Jurisdiction, School
from services.attendance.mark_validation import MAX_MARKS, TooManyMarks, parse_payload
from tests.fakes_attendance import (
    SCHOOL,
    TENANT,
    World,
    calendar_2024,
    england,
    record,
    student,
)

MON, TUE = date(2024, 9, 2), date(2024, 9, 3)
LATER = datetime(2024, 10, 2, 20, 0, tzinfo=UTC)


def stored(world: World, student_id: str, day: date, session: str) -> Mark:
    return world.marks.rows[day, student_id, session]


def test_accepted_marks_are_stored_with_their_raw_payload_and_one_audit_record():
    world = england()
    result = world.ingest([record("st0", MON, "AM", "/"), record("st0", MON, "PM", "\\"),
                           record("st1", MON, "AM", "L", minutes_late=12, comment="bus")])
    assert (result.accepted, result.created, result.replaced, result.unchanged) == (3, 3, 0, 0)
    assert result.rejected == []
    assert result.raw_payload == f"{TENANT}/{SCHOOL}/2024/10/01/{result.batch_id}.json"
    assert json.loads(world.raw.blobs[SIS_RAW, result.raw_payload])[2]["comment"] == "bus"
    late = stored(world, "st1", MON, "AM")
    assert (late.code, late.minutes_late, late.comment) == ("L", 12, "bus")
    assert late.source == result.raw_payload and late.batch_id == result.batch_id
    [audit] = world.audit_repo.records
    assert audit.action == "attendance.marks.ingested" and audit.entity_id == result.batch_id
    assert audit.after == {"accepted": 3, "rejected": 0, "created": 3, "replaced": 0, "unchanged": 0,
                           "rawPayload": result.raw_payload}
    assert {(c.student_id, c.sessions) for c in world.changes.rows.values()} == {
        ("st0", ("AM", "PM")), ("st1", ("AM",))}


def test_wonde_date_objects_sis_ids_and_writeback_field_names_are_understood():
    world = england(mapping={"A99": "I"})
    result = world.ingest([
        {"student": "sis-st0", "session": "am", "attendance_code": "A99",
         "date": {"date": "2024-09-02 00:00:00.000000", "timezone_type": 3, "timezone": "Europe/London"}},
        {"student_id": "st1", "date": "2024-09-02", "session": "PM", "attendance_code_id": "n"},
    ])
    assert result.accepted == 2, result.rejected
    assert stored(world, "st0", MON, "AM").code == "I"
    assert stored(world, "st0", MON, "AM").sis_code == "A99"
    assert stored(world, "st1", MON, "PM").code == "N"


@pytest.mark.parametrize(("bad", "field", "reason"), [
    (record("nobody", MON), "student", "not a student of this school"),
    ({"date": "2024-09-02", "session": "AM", "attendance_code": "/"}, "student", "is required"),
    (record("st0", "02/09/2024"), "date", "YYYY-MM-DD"),
    (record("st0", "2024-02-30"), "date", "not a calendar date"),
    (record("st0", date(2024, 9, 7)), "date", "not a school day"),  # a Saturday
    (record("st0", date(2024, 10, 29)), "date", "not a school day"),  # half term
    (record("st0", date(2025, 8, 4)), "date", "no school calendar"),  # summer, between years
    (record("st0", MON, "EVENING"), "session", "expected AM or PM"),
    (record("st0", MON, "DAY"), "session", "not DAY"),  # England records sessions
    (record("st0", MON, code="H"), "attendance_code", "'H' is not in eng-2024"),  # removed in 2024
    (record("st0", MON, code=""), "attendance_code", "is required"),
    (record("st0", MON, minutes_late=-5), "minutes_late", "whole number"),
    (record("st0", MON, minutes_late=2000), "minutes_late", "at most"),
    (record("st0", MON, comment={"x": 1}), "comment", "expected text"),
    (record("late", MON), "student", "not enrolled on 2024-09-02"),
    ("not an object", "record", "JSON object"),
])
def test_a_bad_record_is_rejected_naming_its_field_and_the_good_ones_are_kept(bad, field, reason):
    world = england()
    world.roster.student_list.append(student("late", start=date(2024, 10, 1)))
    result = world.ingest([record("st0", TUE), bad, record("st1", TUE)])
    [rejection] = result.rejected
    assert (rejection.index, rejection.field) == (1, field)
    assert reason in rejection.reason
    assert (result.accepted, result.created) == (2, 2)
    assert set(world.marks.rows) == {(TUE, "st0", "AM"), (TUE, "st1", "AM")}


def test_a_day_based_school_sends_day_marks():
    school = School(tenant_id=TENANT, school_id=SCHOOL, name="Scoil", jurisdiction=Jurisdiction.IRELAND,
                    time_zone="Europe/Dublin")
    world = World(school, [student("st0")], [calendar_2024()])
    result = world.ingest([record("st0", MON, "DAY", "A"), record("st0", TUE, "DAY", "X")])
    assert result.accepted == 1
    assert result.rejected[0].field == "attendance_code"  # X is not an Irish code
    assert stored(world, "st0", MON, "DAY").code == "A"


def test_resending_the_same_payload_changes_nothing():
    world = england()
    payload = [record("st0", MON, "AM", "/"), record("st0", MON, "PM", "N")]
    first = world.ingest(payload)
    world.changes.rows.clear()  # as normalization would
    before = dict(world.marks.rows)
    again = world.ingest(payload, at=LATER)
    assert (again.accepted, again.created, again.replaced, again.unchanged) == (2, 0, 0, 2)
    assert again.batch_id == first.batch_id
    assert world.marks.rows == before  # same etags: nothing was written
    assert world.history.rows == [] and world.changes.rows == {}


def test_a_different_later_mark_replaces_the_stored_one_and_keeps_it_in_history():
    world = england()
    world.ingest([record("st0", MON, "AM", "N"), record("st0", MON, "PM", "N")])
    world.changes.rows.clear()
    result = world.ingest([record("st0", MON, "AM", "I"), record("st0", MON, "PM", "N", comment="rang")],
                          at=LATER)
    assert (result.created, result.replaced, result.unchanged) == (0, 2, 0)
    assert stored(world, "st0", MON, "AM").code == "I"
    assert stored(world, "st0", MON, "AM").received_at == "2024-10-02T20:00:00.000000+00:00"
    assert [(old.session, old.code, new.code) for old, new in world.history.rows] == [
        ("AM", "N", "I"), ("PM", "N", "N")]
    # only the code change needs a recompute; a new comment changes no summary
    [flag] = world.changes.rows.values()
    assert (flag.student_id, flag.date, flag.sessions) == ("st0", MON, ("AM",))


def test_within_one_payload_the_later_record_wins():
    world = england()
    result = world.ingest([record("st0", MON, "AM", "N"), record("st1", MON), record("st0", MON, "AM", "I")])
    assert result.accepted == 2
    assert [(r.index, r.field) for r in result.rejected] == [(0, "session")]
    assert "superseded by record 2" in result.rejected[0].reason
    assert stored(world, "st0", MON, "AM").code == "I"


def test_a_racing_writer_makes_the_day_re_planned():
    world = england()
    world.ingest([record("st0", MON, "AM", "N")])
    world.marks.race = Mark("st0", MON, "AM", "O", sis_code="O", batch_id="other",
                            received_at="2024-10-01T21:00:00.000000+00:00")
    result = world.ingest([record("st0", MON, "AM", "I"), record("st1", MON)], at=LATER)
    assert (result.created, result.replaced) == (1, 1)
    assert stored(world, "st0", MON, "AM").code == "I"
    assert [old.code for old, _ in world.history.rows][-1] == "O"  # the racer's mark kept


def test_writes_are_batched_not_per_student():
    world = england(n_students=300)
    payload = [record(f"st{i}", MON, s, "/" if s == "AM" else "\\") for i in range(300) for s in ("AM", "PM")]
    world.ingest(payload)
    trips = world.trips.by_kind
    assert trips["marks.save"] == 6  # 600 marks in one day partition, 100 a transaction
    assert trips["changes.add"] == 3  # one flag per student and day
    assert trips["marks.existing"] == 1 and trips["students"] == 1


def test_too_many_marks_and_unknown_schools_are_refused_before_anything_is_stored():
    world = england()
    with pytest.raises(TooManyMarks) as too_many:
        world.ingest([record("st0", MON)] * (MAX_MARKS + 1))
    assert too_many.value.status == 413
    with pytest.raises(NotFound):
        world.ingestion.ingest(None, TENANT, "elsewhere", [record("st0", MON)], b"[]")
    assert world.raw.blobs == {} and world.marks.rows == {}


@pytest.mark.parametrize(("body", "field"), [(b"{nope", "body"), (b'{"marks": []}', "data"),
                                             (b'"x"', "data")])
def test_a_body_that_is_not_a_list_of_records_is_refused(body, field):
    with pytest.raises(ValidationFailed) as refused:
        parse_payload(body)
    assert refused.value.field == field


def test_both_wonde_shapes_parse():
    rec = record("st0", MON)
    assert parse_payload(json.dumps({"data": [rec], "meta": {}}).encode()) == [rec]
    assert parse_payload(json.dumps([rec]).encode()) == [rec]
