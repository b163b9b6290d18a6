"""Evidence in words a parent would understand: short clauses with plain numbers, no codes.

"14 sessions (7 days) missed in the last 40 school days, 6 of them unexplained"
"attendance this school year is 87.5% (90% or more is expected)"
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from domain.attendance.summaries import Totals

if TYPE_CHECKING:
    from domain.rules.sessions import CountedDay

# What a category of absence is called in a sentence.
CATEGORY_NAMES = {
    "any": "absence for any reason",
    "authorised": "authorised absence",
    "unauthorised": "unauthorised absence",
    "penalty": "unauthorised absence that counts towards a penalty notice",
    "unexcused": "absence without a valid excuse",
    "explained": "absence with a reason given",
    "unexplained": "absence with no reason given",
    "suspended": "suspension",
}


def absence_phrase(categories: tuple[str, ...]) -> str:
    """"missed" for any reason, else "of unauthorised absence", "missed (a or b)" for several."""
    if categories == ("any",):
        return "missed"
    if len(categories) == 1:
        return f"of {CATEGORY_NAMES[categories[0]]}"
    return "missed (" + " or ".join(CATEGORY_NAMES[c] for c in categories) + ")"


def number(value: Decimal | int) -> str:
    """7 -> "7", Decimal("7.50") -> "7.5", Decimal("90.00") -> "90"."""
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def plural(count: Decimal | int, word: str) -> str:
    return f"{number(count)} {word}" + ("" if count == 1 else "s")


def sessions_and_days(sessions: int) -> str:
    """"14 sessions (7 days)": a session is half a day, which parents in England know but others
    may not."""
    return f"{plural(sessions, 'session')} ({plural(Decimal(sessions) / 2, 'day')})"


def days_from_sessions(sessions: int) -> str:
    return plural(Decimal(sessions) / 2, "day")


def period(days: int | None, weeks: int | None) -> str:
    if days is not None:
        return f"in the last {plural(days, 'school day')}"
    if weeks is not None:
        return f"in the last {plural(weeks, 'school week')}"
    return "this school year"


def previous_year_unknown(reach: int, unit: str) -> str:
    """A window reaching before this school year with no calendar of the year before stored."""
    return (f"the {plural(reach, unit)} before this school year could not be counted: "
            "the previous school year's calendar is not stored")


def previous_year_unrecorded(reach: int, unit: str, school_year: str) -> str:
    """A window reaching into last year, where the student has no row on its last school day."""
    return f"nothing is recorded for the student in the last {plural(reach, unit)} of {school_year}"


def breakdown(totals: Totals, unit_days: bool) -> str:
    """", 6 of them unexplained" for an any-reason count, in the jurisdiction's own word, told
    apart by the counters only that jurisdiction's codes fill. In California every unauthorised
    session is a U, half days included (`unexcused_sessions` holds only full days, whose half
    days show as occasions in `tardies_over_30`)."""
    if totals.unexplained_sessions:
        sessions, words = totals.unexplained_sessions, "unexplained"
    elif totals.unexcused_sessions or totals.tardies_over_30:
        sessions, words = totals.unauthorised_sessions, "without a valid excuse"
    else:
        sessions, words = totals.unauthorised_sessions, "unauthorised"
    if not sessions:
        return ""
    shown = number(Decimal(sessions) / 2) if unit_days else number(sessions)
    return f", {shown} of them {words}"


def missing_marks(totals: Totals) -> str:
    if not totals.missing_marks:
        return ""
    verb = "has" if totals.missing_marks == 1 else "have"
    return f"; {plural(totals.missing_marks, 'session')} still {verb} no mark"


def counted_after(through: date | None) -> str:
    return "" if through is None else f", after {long_date(through)} (counted then for the last step)"


_SESSION_NAMES = {"AM": "morning", "PM": "afternoon"}


def session_list(days: list[CountedDay]) -> str:
    """"the sessions that count: 2 September 2024 morning (G) and afternoon (G); 9 September
    2024 morning (N)". The codes are the register's own, for the staff who check it."""
    parts = []
    for counted in days:
        marks = [f"{_SESSION_NAMES[name]} ({code or 'no code'})" for name, code in counted.marks]
        if len(marks) == counted.sessions:
            parts.append(f"{long_date(counted.day)} {' and '.join(marks)}")
        else:
            parts.append(f"{long_date(counted.day)}: {plural(counted.sessions, 'session')} "
                         f"({', '.join(marks) or 'no mark'})")
    return "the sessions that count: " + ("; ".join(parts) if parts else "none listed")


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
