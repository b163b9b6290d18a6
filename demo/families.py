"""Demo families: one or two guardians with a relationship, parental responsibility and whether
they live with the pupil; a home language (most English, some the family's own); e-mail and
postal contact details with a stated preference; and a few families with no usable contact at
all (no e-mail, no postal address), which the letters need for their "unreachable" case."""

from __future__ import annotations

import random
from dataclasses import dataclass

from demo import people
from domain.roster.schools import ContactPreference, Guardian, Jurisdiction, PostalAddress

UNREACHABLE_SHARE = 0.03  # families with neither e-mail nor postal address
SECOND_GUARDIAN_SHARE = 0.55

_FIRST_ROLE = (("Mother", 70), ("Father", 22), ("Grandmother", 4), ("Foster carer", 2), ("Aunt", 2))
_SECOND_ROLE = {"Mother": (("Father", 85), ("Stepfather", 15)),
                "Father": (("Mother", 90), ("Stepmother", 10))}
_FEMALE = frozenset({"Mother", "Grandmother", "Aunt", "Stepmother"})
_RESPONSIBLE = frozenset({"Mother", "Father", "Foster carer"})  # hold parental responsibility
_PREFERENCES = (("EMAIL", 50), ("POST", 25), ("EMAIL_AND_POST", 25))


@dataclass(frozen=True, slots=True)
class Family:
    number: int
    origin: str
    surname: str
    guardians: tuple[Guardian, ...]
    links: tuple[tuple[str, bool, bool], ...]  # per guardian: relationship, parental resp., lives with


@dataclass(frozen=True, slots=True)
class Place:
    tenant: str
    school_id: str
    jurisdiction: Jurisdiction


def _guardian(rng: random.Random, place: Place, family_no: int, priority: int, role: str,
              origin: people.Origin, surname: str, home: PostalAddress | None,
              language: str) -> tuple[Guardian, bool]:
    lives_with = priority == 1 or rng.random() < 0.8
    female = role in _FEMALE or (role == "Foster carer" and rng.random() < 0.6)
    forename = rng.choice(origin.girls if female else origin.boys)
    if role not in ("Mother", "Father") and rng.random() < 0.5:
        surname = rng.choice(origin.surnames)
    email = None if home is None or rng.random() < 0.15 else people.email_address(
        forename, surname, family_no * 10 + priority)
    if home is not None and not lives_with:
        home = people.postal_address(rng, place.jurisdiction)
    if home is not None and rng.random() < 0.03:
        home = None  # address not on file
    preference = (ContactPreference.POST if email is None else ContactPreference.EMAIL if home is None
                  else ContactPreference(people.weighted(rng, _PREFERENCES)))
    title = "Dr" if rng.random() < 0.03 else "Mr" if not female else "Ms" if rng.random() < 0.4 else "Mrs"
    mobile = people.mobile_number(rng, place.jurisdiction) if rng.random() < 0.9 else None
    return Guardian(
        tenant_id=place.tenant, school_id=place.school_id,
        guardian_id=f"{place.school_id}-g{family_no:04d}-{priority}", sis_id=f"C{family_no:05d}-{priority}",
        title=title, forename=forename, surname=surname, email=email, mobile=mobile, address=home,
        preferred_language=language, contact_preference=preference,
    ), lives_with


def build_family(rng: random.Random, place: Place, number: int) -> Family:
    origin_name = people.pick_origin(rng, place.jurisdiction)
    origin = people.ORIGINS[origin_name]
    surname = rng.choice(origin.surnames)
    language = origin.language if rng.random() < people.OWN_LANGUAGE_SHARE[origin.language] else "en"
    # an unreachable family: no e-mail and no address for anyone (the letters' "unreachable" case)
    home = None if rng.random() < UNREACHABLE_SHARE else people.postal_address(rng, place.jurisdiction)
    roles = [people.weighted(rng, _FIRST_ROLE)]
    if roles[0] in _SECOND_ROLE and rng.random() < SECOND_GUARDIAN_SHARE:
        roles.append(people.weighted(rng, _SECOND_ROLE[roles[0]]))
    guardians, links = [], []
    for priority, role in enumerate(roles, start=1):
        guardian, lives_with = _guardian(rng, place, number, priority, role, origin, surname, home, language)
        responsible = role in _RESPONSIBLE or (role == "Grandmother" and rng.random() < 0.5)
        guardians.append(guardian)
        links.append((role, responsible, lives_with))
    return Family(number, origin_name, surname, tuple(guardians), tuple(links))
