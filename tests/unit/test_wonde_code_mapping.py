"""Wonde attendance codes mapped onto the jurisdiction's table: by letter, or onto the review list."""

from __future__ import annotations

from datetime import date

import pytest

from domain.attendance.codes import CodeMapping, UnknownCode, load_code_table
from domain.platform.errors import ValidationFailed
from domain.roster.schools import Jurisdiction
from domain.sis.code_mapping import (
    ReviewStatus,
    WondeCode,
    confirm,
    map_codes,
    parse_wonde_codes,
)

ENGLAND = load_code_table(Jurisdiction.ENGLAND, date(2025, 9, 1))
IRELAND = load_code_table(Jurisdiction.IRELAND, date(2025, 9, 1))

# England's codes from 19 August 2024 as an MIS words them through Wonde: ids are Wonde's, the
# wording is the MIS's own (not the table's), the letters are the DfE's
WONDE_ENGLAND = [
    ("/", "Present (AM)"), ("\\", "Present (PM)"), ("L", "Late (before registers closed)"),
    ("B", "Educated off site"), ("C", "Other authorised circumstances"),
    ("C1", "Regulated performance or employment abroad"), ("C2", "Part-time timetable"),
    ("D", "Dual registration"), ("E", "Suspended or excluded"), ("G", "Holiday not authorised"),
    ("I", "Illness"), ("J1", "Interview"), ("K", "Education arranged by the local authority"),
    ("M", "Medical or dental appointment"), ("N", "No reason yet provided"),
    ("O", "Unauthorised absence"), ("P", "Supervised sporting activity"),
    ("Q", "Lack of access arrangements"), ("R", "Religious observance"), ("S", "Study leave"),
    ("T", "Parent travelling for occupational purposes"), ("U", "Late (after registers closed)"),
    ("V", "Educational visit or trip"), ("W", "Work experience"),
    ("X", "Not required to be in school"), ("Y1", "Transport not available"),
    ("Y2", "Widespread disruption to travel"), ("Y3", "Part of school premises closed"),
    ("Y4", "Whole school site unexpectedly closed"), ("Y5", "Criminal justice detention"),
    ("Y6", "Public health guidance or law"), ("Y7", "Any other unavoidable cause"),
    ("Z", "Pupil not on roll"), ("#", "Planned school closure"),
]


def _codes(pairs: list[tuple[str, str]], prefix: str = "A") -> list[WondeCode]:
    return [WondeCode(f"{prefix}{100 + n}", code, text) for n, (code, text) in enumerate(pairs)]


def test_every_national_code_wonde_lists_maps_by_its_letter_with_nothing_to_review() -> None:
    plan = map_codes(_codes(WONDE_ENGLAND), ENGLAND)

    assert plan.review == ()
    assert len(plan.mapped) == len(WONDE_ENGLAND) == len(ENGLAND.codes)
    assert {c.mapped_to for c in plan.mapped} == set(ENGLAND.codes)
    assert all(c.status is ReviewStatus.MAPPED and c.code == c.mapped_to for c in plan.mapped)


def test_the_entries_resolve_a_marks_wonde_code_id_to_the_national_letter() -> None:
    codes = _codes(WONDE_ENGLAND)
    mapping = CodeMapping(ENGLAND, map_codes(codes, ENGLAND).entries())

    by_letter = {c.code: c.id for c in codes}
    assert mapping.resolve(by_letter["I"]) == "I"
    assert mapping.resolve(by_letter["\\"]) == "\\"
    assert ENGLAND.counts_for_penalty(mapping.resolve(by_letter["G"]))


@pytest.mark.parametrize(("code", "description", "suggested"), [
    ("H", "Authorised family holiday", "G"),  # withdrawn in August 2024; a holiday is G now
    ("SK", "Sickness (illness)", "I"),  # a school's custom code
    ("DEN", "Dentist", None),  # nothing in the table reads like it
    ("l", "Late", "L"),  # letters are case-sensitive in the MIS: the same one in another case
])
def test_a_code_the_table_lacks_goes_on_the_review_list_with_a_suggested_meaning(
        code: str, description: str, suggested: str | None) -> None:
    plan = map_codes([*_codes(WONDE_ENGLAND), WondeCode("A900", code, description)], ENGLAND)

    [review] = plan.review
    assert (review.wonde_id, review.code, review.status) == ("A900", code, ReviewStatus.UNREVIEWED)
    assert review.mapped_to is None and "A900" not in plan.entries()
    assert review.suggested == suggested
    if suggested:
        assert review.suggested_meaning == (f"{suggested}: {ENGLAND.info(suggested).description} "
                                            f"({ENGLAND.info(suggested).category.value})")
    assert "eng-2024" in review.reason


def test_a_mark_with_a_code_under_review_is_rejected_by_name_not_counted() -> None:
    plan = map_codes([WondeCode("A900", "SK", "Sickness (illness)")], ENGLAND)

    with pytest.raises(UnknownCode) as raised:
        CodeMapping(ENGLAND, plan.entries()).resolve("A900")
    assert raised.value.code == "A900"


def test_a_letter_wonde_types_against_the_table_is_held_for_review() -> None:
    plan = map_codes([WondeCode("A1", "N", "No reason yet provided", type="present"),
                      WondeCode("A2", "I", "Illness", type="authorised absence"),
                      WondeCode("A3", "V", "Visit", type="Approved Educational Activity"),
                      WondeCode("A4", "X", "Not required", type="attendance_not_required")], ENGLAND)

    assert [c.wonde_id for c in plan.review] == ["A1"]
    assert plan.review[0].suggested == "N"
    assert "'present'" in plan.review[0].reason and "unauthorised-absence" in plan.review[0].reason
    assert plan.entries() == {"A2": "I", "A3": "V", "A4": "X"}


def test_type_words_that_say_nothing_of_the_register_are_ignored() -> None:
    plan = map_codes([WondeCode("A1", "L", "Late", type="late"), WondeCode("A2", "U", "Late", type="mark")],
                     ENGLAND)

    assert plan.entries() == {"A1": "L", "A2": "U"}


def test_a_staff_decision_wins_over_the_letter_and_survives_the_next_sync() -> None:
    codes = [WondeCode("A1", "SK", "Sickness"), WondeCode("A2", "O", "Other unauthorised")]
    first = map_codes(codes, ENGLAND)
    decided = confirm(first.review[0], "I", ENGLAND)

    again = map_codes(codes, ENGLAND, decided={decided.wonde_id: decided.mapped_to or "", "A2": "N"})

    assert decided.status is ReviewStatus.MAPPED and decided.reason == "confirmed by staff"
    assert again.review == ()
    assert again.entries() == {"A1": "I", "A2": "N"}


def test_a_decision_naming_a_code_the_table_no_longer_has_is_reviewed_again() -> None:
    plan = map_codes([WondeCode("A1", "H", "Authorised holiday")], ENGLAND, decided={"A1": "H"})

    assert [c.wonde_id for c in plan.review] == ["A1"]


def test_confirming_a_code_outside_the_table_is_refused() -> None:
    [review] = map_codes([WondeCode("A1", "SK", "Sickness")], ENGLAND).review

    with pytest.raises(ValidationFailed) as raised:
        confirm(review, "H", ENGLAND)
    assert raised.value.field == "code"


def test_an_irish_school_maps_onto_the_irish_table() -> None:
    plan = map_codes(_codes([("P", "Present"), ("A", "Illness"), ("F", "Unexplained"),
                             ("Z", "Closed for snow")]), IRELAND)

    assert plan.table_version == "ie-2024"
    assert sorted(plan.entries().values()) == ["A", "F", "P"]
    assert [c.code for c in plan.review] == ["Z"]


def test_wonde_code_records_are_read_one_by_one() -> None:
    codes, issues = parse_wonde_codes([
        {"id": "A1", "code": "/", "description": "Present (AM)", "type": "present"},
        {"id": "A2", "code": "I", "description": None, "category": "Authorised"},
        {"id": "A3", "description": "no letter"},
        "not an object",
    ])

    assert codes == [WondeCode("A1", "/", "Present (AM)", "present"), WondeCode("A2", "I", "", "Authorised")]
    assert [(i.index, i.id, i.field) for i in issues] == [(2, "A3", "code"), (3, None, "record")]
