"""Evidence in words a parent would understand: short clauses with plain numbers, no codes.

"14 sessions (7 days) missed in the last 40 school days, 6 of them unexplained"
"attendance this school year is 87.5% (90% or more is expected)"
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from domain.summaries import Totals

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


def breakdown(totals: Totals, unit_days: bool) -> str:
    """", 6 of them unexplained" for an any-reason count, in the jurisdiction's own word: only one
    of these counters is non-zero for a given school's codes."""
    for sessions, words in ((totals.unexplained_sessions, "unexplained"),
                            (totals.unexcused_sessions, "without a valid excuse"),
                            (totals.unauthorised_sessions, "unauthorised")):
        if sessions:
            shown = number(Decimal(sessions) / 2) if unit_days else number(sessions)
            return f", {shown} of them {words}"
    return ""


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
