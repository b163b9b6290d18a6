"""A student's Wonde contacts (`contacts.data[]`) as Guardians and StudentGuardian links.

A contact carries its `relationship` object (relationship, parental_responsibility, priority,
lives_with_pupil) and `contact_details.data` (emails, phones, and the postal address, else the
home one, for the envelope). Wonde has no language or contact-preference field; SIS integrations
add `preferred_language` (or `language`) and `contact_preference` to the contact, and both are
read when present.

A contact without an id or a name cannot be stored and is skipped; a value that cannot be used
(an email without `@`, an unknown language) is dropped and the default applies. Both warn.
"""

from __future__ import annotations

import re
from typing import Any

from domain.platform.errors import ValidationFailed
from domain.roster.languages import normalize_language
from domain.roster.schools import ContactPreference, Guardian, PostalAddress, Student, StudentGuardian
from domain.sis.values import (
    Warn,
    as_object,
    data_of,
    first_present,
    first_text,
    flag,
    model,
    text,
    whole_number,
)

# Families have a handful of contacts; more is a broken export, and each one costs a row.
MAX_CONTACTS = 20
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PREFERENCES = {
    "email": ContactPreference.EMAIL, "e-mail": ContactPreference.EMAIL,
    "post": ContactPreference.POST, "postal": ContactPreference.POST, "mail": ContactPreference.POST,
    "letter": ContactPreference.POST, "email_and_post": ContactPreference.EMAIL_AND_POST,
    "email-and-post": ContactPreference.EMAIL_AND_POST, "both": ContactPreference.EMAIL_AND_POST,
}


def _dict(value: Any) -> dict[str, Any]:
    """An object, the first object of a list, or {}: Wonde shapes differ between MIS vendors."""
    value = data_of(value)
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else {}


def _soft(read: Any, default: Any, warn: Warn) -> Any:
    """Run a reader; on ValidationFailed warn and use the default."""
    try:
        found = read()
    except ValidationFailed as exc:
        warn(exc.field or "", f"{exc.detail}; ignored")
        return default
    return default if found is None else found


# Wonde's contacts carry `home`, `work` and `postal` addresses: a letter goes to the postal one
# when the school keeps it (a family receiving post elsewhere), else home; never work.
_ENVELOPE = ("postal", "home")


def _address(details: dict[str, Any], path: str) -> PostalAddress | None:
    addresses = _dict(details.get("addresses"))
    filled = [k for k in _ENVELOPE if any(v not in (None, "") for v in _dict(addresses.get(k)).values())]
    kind = filled[0] if filled else "home"
    chosen = _dict(addresses.get(kind))
    if not chosen and not {*_ENVELOPE, "work"} & addresses.keys():
        chosen = addresses  # an integration's flat address, without the kind
    at = f"{path}.contact_details.data.addresses.{kind}"

    def part(name: str) -> str | None:
        return text(chosen.get(name), f"{at}.{name}")
    street = " ".join(p for p in (part("house_number"), part("street")) if p)
    lines = [p for p in (part("apartment"), part("house_name"), street or None, part("address_line_1"),
                         part("address_line_2"), part("address_line_3"), part("district")) if p]
    # a county (or a US state) belongs with the town on the envelope
    town = ", ".join(p for p in (part("town"), part("county")) if p) or None
    postcode, country = part("postcode"), part("country")
    if not (lines or town or postcode):
        return None
    return PostalAddress(lines=tuple(lines), town=town, postcode=postcode, country=country)


def _email(candidates: list[tuple[str, Any]]) -> str | None:
    for name, value in candidates:
        found = text(value, name, max_length=254)
        if found is not None:
            if not _EMAIL.fullmatch(found):
                raise ValidationFailed("is not an email address", field=name)
            return found
    return None


def _preference(value: Any, field: str) -> ContactPreference | None:
    word = text(value, field, max_length=32)
    if word is None:
        return None
    found = _PREFERENCES.get(word.lower().replace(" ", "_"))
    if found is None:
        raise ValidationFailed("expected EMAIL, POST or EMAIL_AND_POST", field=field)
    return found


def _language(contact: dict[str, Any], path: str) -> str | None:
    name, value = first_present((n, contact.get(n)) for n in ("preferred_language", "language"))
    raw = text(value, f"{path}.{name}", max_length=40)
    if raw is None:
        return None
    try:
        return normalize_language(raw)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field=f"{path}.{name}") from None


def _contact(raw: Any, path: str, student: Student, default_language: str,
             warn: Warn) -> tuple[Guardian, StudentGuardian]:
    contact = as_object(raw, path)
    guardian_id = first_text([(f"{path}.id", contact.get("id"))], required_field=f"{path}.id",
                             max_length=128)
    details = _dict(contact.get("contact_details"))
    emails, phones = _dict(details.get("emails")), _dict(details.get("phones") or details.get("telephones"))
    at = f"{path}.contact_details.data"
    email = _soft(lambda: _email([(f"{at}.emails.{k}", emails.get(k)) for k in
                                  ("email", "primary", "home", "work")]
                                 + [(f"{path}.email", contact.get("email"))]), None, warn)
    address = _soft(lambda: _address(details, path), None, warn)
    preference = _soft(lambda: _preference(contact.get("contact_preference"),
                                           f"{path}.contact_preference"), None, warn)
    if preference is None:  # no stated preference: the channel we can actually reach them on
        preference = ContactPreference.EMAIL if email and not address else ContactPreference.POST
    guardian: Guardian = model(lambda: Guardian(
        tenant_id=student.tenant_id, school_id=student.school_id, guardian_id=guardian_id,
        sis_id=_soft(lambda: text(contact.get("mis_id"), f"{path}.mis_id", max_length=128), None, warn),
        title=_soft(lambda: text(contact.get("title"), f"{path}.title", max_length=20), None, warn),
        forename=first_text([(f"{path}.forename", contact.get("forename")),
                             (f"{path}.legal_forename", contact.get("legal_forename"))],
                            required_field=f"{path}.forename", max_length=100),
        surname=first_text([(f"{path}.surname", contact.get("surname")),
                            (f"{path}.legal_surname", contact.get("legal_surname"))],
                           required_field=f"{path}.surname", max_length=100),
        email=email, address=address, contact_preference=preference,
        mobile=_soft(lambda: first_text([(f"{at}.phones.mobile", phones.get("mobile")),
                                         (f"{path}.mobile", contact.get("mobile"))], max_length=40),
                     None, warn),
        telephone=_soft(lambda: first_text(
            [(f"{at}.phones.{k}", phones.get(k)) for k in ("phone", "primary", "home", "work")]
            + [(f"{path}.telephone", contact.get("telephone"))], max_length=40), None, warn),
        preferred_language=_soft(lambda: _language(contact, path), default_language, warn)), path)
    return guardian, _link(contact, path, student, guardian_id, warn)


def _link(contact: dict[str, Any], path: str, student: Student, guardian_id: str,
          warn: Warn) -> StudentGuardian:
    relationship = contact.get("relationship")
    # Wonde nests the flags in the relationship object; some exports flatten them onto the contact
    source, at = (relationship, f"{path}.relationship") if isinstance(relationship, dict) else (contact, path)
    name = relationship.get("relationship") if isinstance(relationship, dict) else relationship
    name_field = f"{at}.relationship" if isinstance(relationship, dict) else f"{path}.relationship"
    return StudentGuardian(
        tenant_id=student.tenant_id, school_id=student.school_id, student_id=student.student_id,
        guardian_id=guardian_id,
        relationship=_soft(lambda: text(name, name_field, max_length=64), None, warn),
        parental_responsibility=_soft(lambda: flag(source.get("parental_responsibility"),
                                                   f"{at}.parental_responsibility"), False, warn),
        priority=_soft(lambda: whole_number(source.get("priority"), f"{at}.priority"), 99, warn),
        lives_with_pupil=_soft(lambda: flag(source.get("lives_with_pupil"),
                                            f"{at}.lives_with_pupil"), False, warn))


def parse_contacts(raw: Any, *, student: Student, default_language: str,
                   warn: Warn) -> tuple[list[Guardian], list[StudentGuardian]]:
    contacts = data_of(raw)
    if contacts is None:
        return [], []
    if not isinstance(contacts, list):
        warn("contacts.data", "expected a list of contacts; ignored")
        return [], []
    if len(contacts) > MAX_CONTACTS:
        warn("contacts.data", f"{len(contacts)} contacts; the first {MAX_CONTACTS} were kept")
    guardians: list[Guardian] = []
    links: list[StudentGuardian] = []
    for index, item in enumerate(contacts[:MAX_CONTACTS]):
        path = f"contacts.data[{index}]"
        try:
            guardian, link = _contact(item, path, student, default_language, warn)
        except ValidationFailed as exc:
            warn(exc.field or path, f"contact skipped: {exc.detail}")
            continue
        if any(g.guardian_id == guardian.guardian_id for g in guardians):
            warn(f"{path}.id", "contact skipped: listed twice for this student")
            continue
        guardians.append(guardian)
        links.append(link)
    return guardians, links
