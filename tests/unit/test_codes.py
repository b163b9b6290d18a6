"""domain/attendance/codes.py and the code tables under domain/attendance/code_tables/."""

from __future__ import annotations

from datetime import date

import pytest

from domain.attendance.codes import (
    CodeCategory,
    CodeMapping,
    NoCodeTable,
    UnknownCode,
    load_code_table,
    parse_code_table,
)
from domain.platform.errors import ValidationFailed
from domain.roster.schools import Jurisdiction

ENG = load_code_table(Jurisdiction.ENGLAND)
IE = load_code_table(Jurisdiction.IRELAND)
CA = load_code_table(Jurisdiction.CALIFORNIA)

C = CodeCategory
# domain-reference.md §1.2, written out independently of the JSON so a wrong entry fails here.
ENGLAND_2024 = {
    "/": C.PRESENT, "\\": C.PRESENT, "L": C.LATE_PRESENT,
    "K": C.APPROVED_ACTIVITY, "V": C.APPROVED_ACTIVITY, "P": C.APPROVED_ACTIVITY,
    "W": C.APPROVED_ACTIVITY, "B": C.APPROVED_ACTIVITY,
    "C1": C.AUTHORISED_ABSENCE, "M": C.AUTHORISED_ABSENCE, "J1": C.AUTHORISED_ABSENCE,
    "S": C.AUTHORISED_ABSENCE, "C2": C.AUTHORISED_ABSENCE, "C": C.AUTHORISED_ABSENCE,
    "T": C.AUTHORISED_ABSENCE, "R": C.AUTHORISED_ABSENCE, "I": C.AUTHORISED_ABSENCE,
    "E": C.AUTHORISED_ABSENCE,
    "D": C.NOT_POSSIBLE, "X": C.NOT_POSSIBLE, "Q": C.NOT_POSSIBLE,
    **{f"Y{n}": C.NOT_POSSIBLE for n in range(1, 8)},
    "G": C.UNAUTHORISED_ABSENCE, "N": C.UNAUTHORISED_ABSENCE, "O": C.UNAUTHORISED_ABSENCE,
    "U": C.UNAUTHORISED_ABSENCE,
    "Z": C.ADMINISTRATIVE, "#": C.ADMINISTRATIVE,
}


def test_england_table_has_exactly_the_2024_codes() -> None:
    assert set(ENG.codes) == set(ENGLAND_2024)
    assert ENG.version == "eng-2024"
    assert ENG.effective_from == date(2024, 8, 19)  # statutory from 19 Aug 2024


@pytest.mark.parametrize(("code", "category"), sorted(ENGLAND_2024.items()))
def test_every_england_code_has_its_category(code: str, category: CodeCategory) -> None:
    assert ENG.category(code) is category


@pytest.mark.parametrize("code", ["X", "Y1", "Y2", "Y3", "Y4", "Z", "#", "D"])
def test_not_required_codes_are_not_possible_sessions(code: str) -> None:
    """§1.1: codes D, X, Y (all Y sub-codes), Z and # are not counted as possible sessions."""
    assert ENG.is_possible(code) is False


def test_late_before_close_is_present_and_late_after_close_is_unauthorised() -> None:
    """§1.1: L is late before the register closed (present); U is arrival after it closed."""
    assert ENG.category("L") is C.LATE_PRESENT
    assert ENG.is_possible("L")
    assert ENG.category("U") is C.UNAUTHORISED_ABSENCE
    assert ENG.counts_for_penalty("U")


def test_only_g_n_o_u_count_toward_the_penalty_threshold() -> None:
    """§1.3: codes that count towards the threshold: G, N, O, U."""
    assert {code for code in ENG.codes if ENG.counts_for_penalty(code)} == {"G", "N", "O", "U"}


def test_ireland_explained_and_unexplained_reasons() -> None:
    """§2: Illness / Urgent family reason / Holiday / Suspended / Other are explained; the rest
    unexplained."""
    assert {c for c in IE.codes if IE.is_explained(c)} == {"A", "B", "H", "D", "E"}
    assert IE.is_explained("F") is False
    assert IE.category("F") is C.UNAUTHORISED_ABSENCE
    assert IE.is_explained("P") is None
    assert IE.category("L") is C.LATE_PRESENT


def test_california_truancy_codes() -> None:
    """EC 48260: 3 full days absent without valid excuse, or tardy or absent more than 30 minutes
    on 3 occasions, or any combination."""
    assert {c for c in CA.codes if CA.counts_for_truancy(c)} == {"U", "T30"}
    assert CA.is_tardy_over_30("T30")
    assert not CA.is_tardy_over_30("T")
    assert CA.category("T30") is C.LATE_PRESENT  # attended part of the day
    assert CA.category("E") is C.AUTHORISED_ABSENCE


def test_an_unknown_code_is_a_validation_error_naming_the_code() -> None:
    with pytest.raises(UnknownCode) as caught:
        ENG.category("H")  # removed in 2024
    assert caught.value.code == "H"
    assert caught.value.field == "code"
    assert caught.value.status == 422
    assert "eng-2024" in caught.value.detail


def test_case_and_spacing_are_forgiven() -> None:
    assert ENG.info(" l ").code == "L"
    assert ENG.category("y1") is C.NOT_POSSIBLE


def test_mapping_resolves_local_codes_and_passes_national_ones_through() -> None:
    mapping = CodeMapping(ENG, {"I02": "I", "A99431": "N", "/": "L"})
    assert mapping.resolve("I02") == "I"
    assert mapping.resolve("A99431") == "N"
    assert mapping.resolve("/") == "L"  # a mapped entry wins over pass-through
    assert mapping.resolve("G") == "G"
    with pytest.raises(UnknownCode):
        mapping.resolve("I03")
    assert mapping.to_dict() == {"I02": "I", "A99431": "N", "/": "L"}


def test_a_mapping_onto_a_code_the_table_lacks_is_rejected() -> None:
    """Reported when the school saves its mapping, against the mapping, not per mark later."""
    with pytest.raises(ValidationFailed, match="HOL") as caught:
        CodeMapping(ENG, {"HOL": "H"})
    assert caught.value.field == "mapping"


def test_table_versions_are_chosen_by_effective_date() -> None:
    assert load_code_table(Jurisdiction.ENGLAND, date(2025, 9, 1)) is ENG
    with pytest.raises(NoCodeTable):
        load_code_table(Jurisdiction.ENGLAND, date(2024, 8, 18))  # the 2006 codes are not shipped


@pytest.mark.parametrize(("entry", "message"), [
    ({"code": "A", "description": "a", "category": "present", "flags": ["nope"]}, "unknown flags"),
    ({"code": "A", "description": "a", "category": "sometimes"}, "sometimes"),
])
def test_bad_tables_are_rejected(entry: dict, message: str) -> None:
    document = {"jurisdiction": "ENG", "version": "t", "effectiveFrom": "2024-01-01", "codes": [entry]}
    with pytest.raises(ValueError, match=message):
        parse_code_table(document)


def test_duplicate_codes_are_rejected() -> None:
    entry = {"code": "A", "description": "a", "category": "present"}
    with pytest.raises(ValueError, match="twice"):
        parse_code_table({"jurisdiction": "IE", "version": "t", "effectiveFrom": "2024-01-01",
                          "codes": [entry, entry]})
