"""Parsing Wonde's students-with-contacts shape (domain/sis/wonde.py, wonde_contacts.py, languages.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.platform.errors import ValidationFailed
from domain.roster.languages import normalize_language
from domain.roster.schools import ContactPreference, PostalAddress
from domain.sis.contacts import MAX_CONTACTS
from domain.sis.wonde import MAX_STUDENTS, ParsedRoster, parse_roster, parse_wonde_date
from tests.roster_payloads import contact, payload, student, wonde_date


def parse(*students: Any, language: str = "en") -> ParsedRoster:
    return parse_roster(payload(*students), tenant_id="t1", school_id="s1", default_language=language)


def only(result: ParsedRoster):  # type: ignore[no-untyped-def]
    assert result.rejected == [], result.rejected
    assert len(result.records) == 1
    return result.records[0]


def rejection(result: ParsedRoster) -> tuple[int, str | None, str]:
    assert len(result.rejected) == 1, result.rejected
    issue = result.rejected[0]
    return issue.index, issue.id, issue.field


def warned_fields(result: ParsedRoster) -> list[str]:
    return [w.field for w in result.warnings]


# --- dates -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2015-10-29", "2015-10-29 14:53:44", " 2015-10-29T00:00:00Z ",
                                   {"date": "2015-10-29 14:53:44.000000", "timezone_type": 3,
                                    "timezone": "UTC"}])
def test_a_wonde_date_may_be_a_string_or_a_date_object(value: Any) -> None:
    assert parse_wonde_date(value, "d") == date(2015, 10, 29)


@pytest.mark.parametrize(("value", "reason"), [("2015-02-30", "not a calendar date"),
                                               ("29/10/2015", "YYYY-MM-DD"), (20151029, "YYYY-MM-DD"),
                                               ({"when": "2015-10-29"}, "YYYY-MM-DD")])
def test_a_date_that_is_not_one_names_its_field(value: Any, reason: str) -> None:
    with pytest.raises(ValidationFailed, match=reason) as caught:
        parse_wonde_date(value, "date_of_birth")
    assert caught.value.field == "date_of_birth"


def test_student_dates_are_read_from_both_shapes() -> None:
    record = only(parse(student("A1", admission=wonde_date("2021-09-06"))))

    assert record.student.enrolment_start == date(2021, 9, 6)
    assert record.student.date_of_birth == date(2012, 5, 1)
    assert only(parse(student("A1", admission="2021-09-06"))).student.enrolment_start == date(2021, 9, 6)


# --- students --------------------------------------------------------------------------------------

def test_a_full_student_becomes_a_student_with_year_group_and_registration_class() -> None:
    record = only(parse(student("A1749191433", year="9")))

    s = record.student
    assert (s.tenant_id, s.school_id, s.student_id, s.sis_id, s.upi) == (
        "t1", "s1", "A1749191433", "mis-A1749191433", "upi-A1749191433")
    assert (s.forename, s.surname, s.year_group, s.registration_class) == ("Sean", "Murphy", "9", "9B")
    assert s.enrolment_end is None


def test_plain_values_are_accepted_where_includes_are_missing() -> None:
    raw = {"id": 1234, "legal_forename": "Seán", "legal_surname": "Ó Murchú", "year_group": "Year 8",
           "registration_class": "8R", "admission_date": "2023-09-04", "leaving_date": "2024-07-19"}

    s = only(parse(raw)).student

    assert (s.student_id, s.sis_id, s.forename, s.surname) == ("1234", "1234", "Seán", "Ó Murchú")
    assert (s.year_group, s.registration_class) == ("Year 8", "8R")
    assert (s.enrolment_start, s.enrolment_end) == (date(2023, 9, 4), date(2024, 7, 19))


@pytest.mark.parametrize(("remove", "field"), [
    ("id", "id"), ("forename", "forename"), ("surname", "surname"),
    ("education_details", "education_details.data.admission_date"),
])
def test_a_missing_required_field_rejects_that_record_by_index_and_name(remove: str, field: str) -> None:
    bad = student("B2")
    del bad[remove]

    result = parse(student("A1"), bad, student("C3"))

    assert rejection(result) == (1, None if remove == "id" else "B2", field)
    assert [r.student.student_id for r in result.records] == ["A1", "C3"]


@pytest.mark.parametrize(("change", "field"), [
    ({"date_of_birth": "01/05/2012"}, "date_of_birth"),
    ({"education_details": {"data": {"admission_date": "2022-09-01", "leaving_date": "2021-07-01"}}},
     "education_details.data.leaving_date"),
    ({"education_details": {"data": {"admission_date": "2022-13-01"}}},
     "education_details.data.admission_date"),
    ({"surname": {"first": "Murphy"}}, "surname"),
    ({"forename": "x" * 101}, "forename"),
])
def test_an_unusable_value_rejects_the_record_naming_the_field(change: dict[str, Any], field: str) -> None:
    result = parse({**student("A1"), **change})

    assert rejection(result) == (0, "A1", field)
    assert result.records == []


def test_a_record_that_is_not_an_object_and_a_repeated_id_are_rejected() -> None:
    result = parse(student("A1"), "A2", student("A1", surname="Walsh"))

    assert [(r.index, r.field) for r in result.rejected] == [(1, "record"), (2, "id")]
    assert only(ParsedRoster(records=result.records)).student.surname == "Murphy"


@pytest.mark.parametrize(("body", "field"), [({"meta": {}}, "data"), ({"data": {"id": "A1"}}, "data"),
                                             (["not", "an", "object"], "body")])
def test_a_payload_without_a_data_list_is_refused_as_a_whole(body: Any, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_roster(body, tenant_id="t1", school_id="s1")
    assert caught.value.field == field


def test_more_than_the_limit_of_students_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="at most 5000") as caught:
        parse_roster({"data": [{}] * (MAX_STUDENTS + 1)}, tenant_id="t1", school_id="s1")
    assert caught.value.field == "data"


# --- contacts --------------------------------------------------------------------------------------

def test_nested_contacts_become_guardians_and_relationships() -> None:
    record = only(parse(student("A1", contacts=2)))

    first, second = record.guardians
    assert (first.guardian_id, first.title, first.forename, first.surname) == (
        "A1-c0", "Ms", "Aoife", "Byrne")
    assert (first.email, first.mobile, first.telephone) == (
        "parent@example.org", "087 555 0101", "01 555 0101")
    assert first.address == PostalAddress(lines=("12 Main Street",), town="Cork", postcode="T12 X1Y2",
                                          country="Ireland")
    assert first.contact_preference is ContactPreference.POST
    link = record.links[0]
    assert (link.student_id, link.guardian_id, link.relationship) == ("A1", "A1-c0", "Mother")
    assert (link.parental_responsibility, link.priority, link.lives_with_pupil) == (True, 1, True)
    assert record.links[1].priority == 2 and second.guardian_id == "A1-c1"


def test_the_envelope_takes_the_postal_address_then_the_home_one_never_work() -> None:
    home = contact("C1")["contact_details"]["data"]["addresses"]["home"]
    postal = {"address_line_1": "PO Box 7", "town": "Galway", "postcode": "H91 AB12", "country": "Ireland"}
    cases = {"postal and home": {"home": home, "postal": postal},
             "an empty postal": {"home": home, "postal": {"town": None, "postcode": ""}},
             "work only": {"work": postal}}
    found = {}
    for name, addresses in cases.items():
        given = contact("C1")
        given["contact_details"]["data"]["addresses"] = addresses
        found[name] = only(parse({**student("A1"), "contacts": {"data": [given]}})).guardians[0].address
    assert found["postal and home"] == PostalAddress(lines=("PO Box 7",), town="Galway", postcode="H91 AB12",
                                                     country="Ireland")
    assert found["an empty postal"] == PostalAddress(lines=("12 Main Street",), town="Cork",
                                                     postcode="T12 X1Y2", country="Ireland")
    assert found["work only"] is None


def test_relationship_flags_accept_strings_and_a_flattened_contact() -> None:
    flat = {"id": "C9", "forename": "Tom", "surname": "Kelly", "relationship": "Grandfather",
            "parental_responsibility": "No", "priority": "3", "lives_with_pupil": "yes"}
    nested = contact("C8")
    nested["relationship"].update(parental_responsibility="Y", priority=2.0)

    record = only(parse({**student("A1"), "contacts": {"data": [flat, nested]}}))

    flat_link, nested_link = record.links
    assert (flat_link.relationship, flat_link.parental_responsibility, flat_link.priority,
            flat_link.lives_with_pupil) == ("Grandfather", False, 3, True)
    assert (nested_link.parental_responsibility, nested_link.priority) == (True, 2)


def test_an_unusable_relationship_value_is_dropped_with_a_warning() -> None:
    bad = contact("C1")
    bad["relationship"].update(priority="first", parental_responsibility="sometimes")

    result = parse({**student("A1"), "contacts": {"data": [bad]}})

    link = only(result).links[0]
    assert (link.priority, link.parental_responsibility) == (99, False)
    assert warned_fields(result) == ["contacts.data[0].relationship.parental_responsibility",
                                     "contacts.data[0].relationship.priority"]
    assert result.warnings[0].index == 0 and result.warnings[0].id == "A1"


def test_a_contact_without_an_id_or_name_is_skipped_and_the_student_kept() -> None:
    nameless = contact("C2")
    del nameless["surname"]
    idless = contact("C3")
    del idless["id"]

    result = parse({**student("A1"), "contacts": {"data": [contact("C1"), nameless, idless, contact("C1")]}})

    assert [g.guardian_id for g in only(result).guardians] == ["C1"]
    assert warned_fields(result) == ["contacts.data[1].surname", "contacts.data[2].id",
                                     "contacts.data[3].id"]


def test_contacts_beyond_the_limit_are_dropped_with_a_warning() -> None:
    many = [contact(f"C{i}") for i in range(MAX_CONTACTS + 3)]

    result = parse({**student("A1"), "contacts": {"data": many}})

    assert len(only(result).guardians) == MAX_CONTACTS
    assert warned_fields(result) == ["contacts.data"]


def test_a_bad_email_is_dropped_and_the_guardian_kept() -> None:
    result = parse({**student("A1"), "contacts": {"data": [contact("C1", email="not-an-address")]}})

    assert only(result).guardians[0].email is None
    assert warned_fields(result) == ["contacts.data[0].contact_details.data.emails.email"]


def test_warnings_of_a_rejected_record_are_not_reported() -> None:
    repeated = {**student("A1"), "contacts": {"data": [contact("C1", email="nope")]}}

    result = parse(student("A1"), repeated)

    assert rejection(result) == (1, "A1", "id")
    assert result.warnings == []


# --- languages and contact preference --------------------------------------------------------------

@pytest.mark.parametrize(("given", "stored"), [("PL", "pl"), ("pt_br", "pt-BR"), ("Portuguese", "pt"),
                                               ("zh-hant-tw", "zh-Hant-TW"), ("Gaeilge", "ga")])
def test_guardian_languages_are_stored_as_canonical_tags(given: str, stored: str) -> None:
    record = only(parse({**student("A1"), "contacts": {"data": [contact("C1", language=given)]}}))

    assert record.guardians[0].preferred_language == stored


def test_language_may_come_as_language_and_defaults_to_the_schools() -> None:
    with_language = {**contact("C1", language=None), "language": "uk"}
    without = contact("C2", language=None)
    unusable = contact("C3", language="Klingon please")

    result = parse({**student("A1"), "contacts": {"data": [with_language, without, unusable]}},
                   language="ga")

    assert [g.preferred_language for g in only(result).guardians] == ["uk", "ga", "ga"]
    assert warned_fields(result) == ["contacts.data[2].preferred_language"]


@pytest.mark.parametrize(("given", "expected"), [("EMAIL", ContactPreference.EMAIL),
                                                 ("both", ContactPreference.EMAIL_AND_POST),
                                                 ("Email and post", ContactPreference.EMAIL_AND_POST),
                                                 ("letter", ContactPreference.POST)])
def test_contact_preference_is_read_liberally(given: str, expected: ContactPreference) -> None:
    record = only(parse({**student("A1"), "contacts": {"data": [{**contact("C1"),
                                                                  "contact_preference": given}]}}))

    assert record.guardians[0].contact_preference is expected


def test_without_a_preference_a_guardian_with_only_an_email_is_emailed() -> None:
    email_only = contact("C1")
    email_only["contact_details"]["data"]["addresses"] = {"home": {}}
    unknown = {**contact("C2"), "contact_preference": "carrier pigeon"}

    result = parse({**student("A1"), "contacts": {"data": [email_only, unknown]}})

    assert [g.contact_preference for g in only(result).guardians] == [ContactPreference.EMAIL,
                                                                       ContactPreference.POST]
    assert warned_fields(result) == ["contacts.data[1].contact_preference"]


@pytest.mark.parametrize("value", ["", "e", "english language", "en--GB", "x" * 40, "12"])
def test_a_language_that_is_not_a_tag_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="not a language tag"):
        normalize_language(value)
