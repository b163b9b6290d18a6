"""Built-in names, languages and addresses for demo families. The name lists are small and the
combinations fictional; e-mail addresses are under example.org, UK and US phone numbers are in the
ranges reserved for drama (07700 900xxx, 555-01xx). Ireland publishes no such range, so Irish
numbers use 555 after a mobile prefix; nothing here should be dialled."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from domain.roster.schools import Jurisdiction, PostalAddress


@dataclass(frozen=True, slots=True)
class Origin:
    """A family background: names to draw from and the home language some families prefer."""

    language: str
    girls: tuple[str, ...]
    boys: tuple[str, ...]
    surnames: tuple[str, ...]


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ORIGINS = {
    "british": Origin("en", _split("Olivia Amelia Isla Ava Grace Freya Lily Sophie Evie Poppy Ruby Ella"),
                      _split("Oliver George Noah Arthur Harry Leo Jack Charlie Oscar Jacob Alfie Theo"),
                      _split("Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Walker "
                             "Robinson Thompson Hughes Edwards Green Khan Hall Wood Clarke")),
    "irish": Origin("ga", _split("Aoife Saoirse Niamh Ciara Siobhán Róisín Caoimhe Éabha Clodagh Orla"),
                    _split("Seán Cian Oisín Darragh Tadhg Cillian Conor Fionn Liam Pádraig"),
                    ("Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor",
                     "Ó Murchú", "Mac Giolla Bhríde", "Doherty", "Kennedy")),
    "polish": Origin("pl", _split("Zofia Zuzanna Hanna Julia Maja Lena Alicja Oliwia"),
                     _split("Jakub Antoni Szymon Jan Filip Franciszek Mikołaj Łukasz"),
                     _split("Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński")),
    "ukrainian": Origin("uk", _split("Sofiia Anastasiia Viktoriia Mariia Daryna Polina"),
                        _split("Oleksandr Maksym Artem Dmytro Bohdan Mykyta"),
                        _split("Melnyk Shevchenko Boiko Kovalenko Bondarenko Tkachenko")),
    "arabic": Origin("ar", _split("Maryam Fatima Layla Noor Aisha Zainab Yasmin Huda"),
                     _split("Omar Yusuf Ali Hamza Ibrahim Adam Khalid Karim"),
                     _split("Hassan Ahmed Ali Mahmoud Haddad Khalil Mansour Saleh")),
    "portuguese": Origin("pt", _split("Beatriz Mariana Inês Leonor Larissa Ana"),
                         _split("Tiago Rafael Gabriel Miguel Lucas Rodrigo"),
                         _split("Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Almeida")),
    "romanian": Origin("ro", _split("Ioana Andreea Elena Maria Bianca Ana-Maria"),
                       _split("Andrei Alexandru Ștefan Mihai Luca Ionuț"),
                       _split("Popescu Ionescu Popa Dumitru Stan Stoica Gheorghe Rusu")),
    "hispanic": Origin("en", _split("Sofia Camila Valentina Isabella Lucía Ximena Daniela"),
                       _split("Mateo Santiago Diego Sebastián Emiliano Alejandro Carlos"),
                       _split("García Rodríguez Martínez Hernández López González Pérez Ramírez")),
    "east_asian": Origin("en", _split("Mei Yuna Hana Jia Min-ji Linh"),
                         _split("Wei Haruto Jun Min-jun Minh Kenji"),
                         _split("Nguyen Chen Wang Kim Tanaka Li Park Tran")),
    "south_asian": Origin("en", _split("Aanya Priya Ananya Zara Sana Diya"),
                          _split("Arjun Aarav Rohan Ayaan Vihaan Zain"),
                          _split("Patel Singh Sharma Begum Hussain Chowdhury Shah Kaur")),
}

# Share of families of each origin per jurisdiction (weights, not percentages of anything real).
MIX = {
    Jurisdiction.ENGLAND: (("british", 64), ("south_asian", 9), ("polish", 7), ("romanian", 5),
                           ("arabic", 5), ("portuguese", 4), ("ukrainian", 3), ("irish", 3)),
    Jurisdiction.IRELAND: (("irish", 72), ("polish", 8), ("ukrainian", 6), ("romanian", 4),
                           ("portuguese", 4), ("arabic", 3), ("british", 3)),
    Jurisdiction.CALIFORNIA: (("hispanic", 44), ("british", 25), ("east_asian", 14), ("south_asian", 6),
                              ("arabic", 4), ("ukrainian", 3), ("portuguese", 2), ("romanian", 2)),
}

# How often a family of that origin prefers its own language for letters (else English).
OWN_LANGUAGE_SHARE = {"en": 0.0, "ga": 0.12, "pl": 0.55, "uk": 0.7, "ar": 0.6, "pt": 0.5, "ro": 0.5}

_PLACES = {
    Jurisdiction.ENGLAND: (("Leeds", "LS"), ("Otley", "LS"), ("Bradford", "BD"), ("Wakefield", "WF")),
    Jurisdiction.IRELAND: (("Dublin 7", "D07"), ("Dublin 9", "D09"), ("Swords", "K67"), ("Lucan", "K78")),
    Jurisdiction.CALIFORNIA: (("Sacramento", "958"), ("Elk Grove", "957"), ("Davis", "956")),
}
_COUNTRY = {Jurisdiction.ENGLAND: "United Kingdom", Jurisdiction.IRELAND: "Ireland",
            Jurisdiction.CALIFORNIA: "United States"}
_STREETS = _split("Oak Maple Church Mill Station Park Victoria Willow Beech Meadow Orchard Chapel")
_STREET_KINDS = {Jurisdiction.ENGLAND: ("Road", "Street", "Lane", "Close", "Grove"),
                 Jurisdiction.IRELAND: ("Road", "Avenue", "Park", "Drive", "Crescent"),
                 Jurisdiction.CALIFORNIA: ("Street", "Avenue", "Drive", "Way", "Boulevard")}
_EIRCODE_LETTERS = "ACDEFHKNPRTVWXY"
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the inward-code letters UK postcodes use


def weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    """One name of (name, weight) pairs; one draw (cheaper than rng.choices for a single pick)."""
    pick = rng.random() * sum(weight for _, weight in options)
    for name, weight in options:
        pick -= weight
        if pick < 0:
            return name
    return options[-1][0]


def pick_origin(rng: random.Random, jurisdiction: Jurisdiction) -> str:
    return weighted(rng, MIX[jurisdiction])


def ascii_fold(text: str) -> str:
    """For e-mail local parts: Łukasz -> lukasz, Ó Murchú -> omurchu, O'Brien -> obrien."""
    text = text.replace("ł", "l").replace("Ł", "L")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def postal_address(rng: random.Random, jurisdiction: Jurisdiction) -> PostalAddress:
    town, prefix = rng.choice(_PLACES[jurisdiction])
    street = f"{rng.choice(_STREETS)} {rng.choice(_STREET_KINDS[jurisdiction])}"
    if jurisdiction is Jurisdiction.ENGLAND:
        code = (f"{prefix}{rng.randint(1, 29)} {rng.randint(1, 9)}"
                f"{rng.choice(_POSTCODE_LETTERS)}{rng.choice(_POSTCODE_LETTERS)}")
        return PostalAddress(lines=(f"{rng.randint(1, 180)} {street}",), town=town, postcode=code,
                             country=_COUNTRY[jurisdiction])
    if jurisdiction is Jurisdiction.IRELAND:
        unique = "".join(rng.choice(_EIRCODE_LETTERS + "0123456789") for _ in range(4))
        return PostalAddress(lines=(f"{rng.randint(1, 120)} {street}",), town=town,
                             postcode=f"{prefix} {unique}", country=_COUNTRY[jurisdiction])
    return PostalAddress(lines=(f"{rng.randint(100, 9899)} {street}",), town=f"{town}, CA",
                         postcode=f"{prefix}{rng.randint(10, 99)}", country=_COUNTRY[jurisdiction])


def mobile_number(rng: random.Random, jurisdiction: Jurisdiction) -> str:
    if jurisdiction is Jurisdiction.CALIFORNIA:
        return f"+1 916 555 01{rng.randint(0, 99):02d}"
    if jurisdiction is Jurisdiction.IRELAND:
        return f"+353 85 555 {rng.randint(0, 9999):04d}"
    return f"07700 900{rng.randint(0, 999):03d}"


def email_address(forename: str, surname: str, serial: int) -> str:
    return f"{ascii_fold(forename)}.{ascii_fold(surname)}{serial}@example.org"
