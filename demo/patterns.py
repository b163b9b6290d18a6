"""Attendance patterns: a sparse plan per student of the school days that are not plainly
present, over the whole school year, so a shorter `through` gives a prefix of the same marks.

A student falls in a tier (severe 1.5%, persistent 11%, the rest regular) with a target share
of absent sessions; a family may take a term-time holiday (1 or 2 weeks next to a break, shared
by siblings); a school-wide bug week makes a third of the students ill for a day or three; then
episodes (illness, appointments, unexplained days, late arrivals) fill the rest of the target.
Kinds are small ints mapped to each jurisdiction's codes in `CODES`."""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate

from demo.events import SchoolEvents
from domain.roster.schools import Jurisdiction

(PRESENT, LATE, LATE_CLOSED, ILL, MEDICAL, HOLIDAY, UNEXPLAINED, OTHER, EXCEPTIONAL, SUSPENDED) = range(10)
TIMED = frozenset({LATE, LATE_CLOSED})  # kinds that carry minutes_late

# kind -> code: England AM, England PM, Ireland (DAY), California (DAY)
CODES: dict[str, tuple[str, ...]] = {
    "ENG-AM": ("/", "L", "U", "I", "M", "G", "N", "O", "C", "E"),
    "ENG-PM": ("\\", "L", "U", "I", "M", "G", "N", "O", "C", "E"),
    "IE": ("P", "L", "L", "A", "E", "H", "F", "F", "B", "D"),
    "US-CA": ("P", "T", "T30", "E", "E", "U", "U", "U", "E", "S"),
}
COMMENTS: dict[int, tuple[str | None, ...]] = {
    ILL: (None, None, "Parent phoned: unwell", "Temperature", "Sickness bug"),
    MEDICAL: ("Dentist", "GP appointment", "Hospital appointment", "Orthodontist"),
    HOLIDAY: ("Term-time holiday, leave refused",),
    OTHER: (None, "No reason given after follow-up"),
    EXCEPTIONAL: ("Family bereavement", "Leave granted by the head"),
    SUSPENDED: ("Suspension",),
    LATE_CLOSED: (None, "Arrived after the register closed"),
}

Day = tuple[int, int, int | None, str | None]  # AM kind, PM kind, minutes late, comment
SEVERE_SHARE, PERSISTENT_SHARE, CHRONIC_LATE_SHARE = 0.015, 0.11, 0.02
BUG_ATTACK_RATE = 0.33

# Episode mixes per tier: (kind, whole days (0 = one session), longest run, weight)
_EPISODES = {
    "regular": ((ILL, 1, 3, 55), (MEDICAL, 0, 0, 20), (ILL, 0, 0, 8), (UNEXPLAINED, 0, 0, 5),
                (OTHER, 1, 1, 4), (EXCEPTIONAL, 1, 1, 4), (LATE_CLOSED, 0, 0, 4)),
    "persistent": ((ILL, 1, 4, 30), (OTHER, 1, 2, 25), (UNEXPLAINED, 0, 0, 10), (MEDICAL, 0, 0, 10),
                   (LATE_CLOSED, 0, 0, 10), (EXCEPTIONAL, 1, 1, 5), (SUSPENDED, 1, 3, 3), (ILL, 0, 0, 7)),
    "severe": ((OTHER, 2, 10, 40), (ILL, 2, 8, 25), (UNEXPLAINED, 1, 1, 10), (LATE_CLOSED, 0, 0, 10),
               (SUSPENDED, 1, 3, 5), (EXCEPTIONAL, 1, 2, 5), (MEDICAL, 0, 0, 5)),
}

_CUMULATIVE = {tier: tuple(accumulate(w for *_, w in kinds)) for tier, kinds in _EPISODES.items()}


def _tier(rng: random.Random) -> tuple[str, float, float]:
    """Tier, target share of absent sessions, chance of a late arrival on a present morning."""
    roll = rng.random()
    if roll < SEVERE_SHARE:
        return "severe", rng.uniform(0.5, 0.85), 0.05
    if roll < SEVERE_SHARE + PERSISTENT_SHARE:
        return "persistent", min(0.45, 0.10 + rng.expovariate(1 / 0.06)), 0.05
    late = 0.3 if rng.random() < CHRONIC_LATE_SHARE / (1 - SEVERE_SHARE - PERSISTENT_SHARE) else 0.012
    return "regular", min(0.08, rng.expovariate(1 / 0.028)), late


def plan_student(rng: random.Random, days: range, events: SchoolEvents, holiday: range | None,
                 day_based: bool) -> dict[int, Day]:
    """The student's non-present days among `days` (school-day indices while enrolled)."""
    plan: dict[int, Day] = {}
    if not days:
        return plan
    tier, rate, late_rate = _tier(rng)
    remaining = round(rate * 2 * len(days))
    if holiday is not None:
        for i in holiday:
            if i in days:
                plan[i] = (HOLIDAY, HOLIDAY, None, COMMENTS[HOLIDAY][0])
                remaining -= 2
    for week in events.bug_weeks:
        if rng.random() < BUG_ATTACK_RATE:
            remaining -= _place(rng, plan, days, ILL, rng.randrange(week.start, week.stop), rng.randint(1, 3),
                                day_based)
    kinds, cumulative = _EPISODES[tier], _CUMULATIVE[tier]
    attempts = 0
    while remaining > 0 and attempts < 400:
        attempts += 1
        kind, shortest, longest, _ = kinds[bisect(cumulative, rng.random() * cumulative[-1])]
        length = rng.randint(shortest, longest) if shortest else 0
        remaining -= _place(rng, plan, days, kind, rng.randrange(days.start, days.stop), length, day_based)
    _add_lates(rng, plan, days, late_rate, day_based)
    return plan


def _place(rng: random.Random, plan: dict[int, Day], days: range, kind: int, start: int, length: int,
           day_based: bool) -> int:
    """Adds an episode from `start` (skipped if it overlaps one); returns the absent sessions added."""
    if start not in days:
        return 0
    comment = rng.choice(COMMENTS.get(kind, (None,)))
    if length == 0:
        return _place_session(rng, plan, kind, start, day_based, comment)
    stop = min(start + length, days.stop)
    if any(i in plan for i in range(start, stop)):
        return 0
    for i in range(start, stop):
        plan[i] = (kind, kind, None, comment)
    return 2 * (stop - start)


def _place_session(rng: random.Random, plan: dict[int, Day], kind: int, start: int, day_based: bool,
                   comment: str | None) -> int:
    """One session of `kind` on day `start`; returns the absent sessions added."""
    if start in plan:
        return 0
    if day_based:  # a day register has no half days: an appointment or arriving late is a late mark
        if kind == MEDICAL:
            plan[start] = (LATE, LATE, rng.randint(60, 150), comment)
        elif kind == LATE_CLOSED:
            plan[start] = (LATE_CLOSED, LATE_CLOSED, rng.randint(31, 90), comment)
        return 0
    if kind == LATE_CLOSED:
        plan[start] = (LATE_CLOSED, PRESENT, rng.randint(31, 75), comment)
    elif rng.random() < 0.5:
        plan[start] = (kind, PRESENT, None, comment)
    else:
        plan[start] = (PRESENT, kind, None, comment)
    return 1


def _add_lates(rng: random.Random, plan: dict[int, Day], days: range, late_rate: float,
               day_based: bool) -> None:
    """About late_rate of the present mornings become late arrivals (binomial, drawn as a count)."""
    expected = late_rate * len(days)
    count = max(0, min(len(days), round(rng.gauss(expected, (expected * (1 - late_rate)) ** 0.5))))
    for i in sorted(rng.sample(days, count)):
        if i not in plan:
            plan[i] = (LATE, LATE if day_based else PRESENT, rng.randint(3, 29), None)


def jurisdiction_codes(jurisdiction: Jurisdiction) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(AM codes, PM codes) by kind; a day-based school uses the first for its DAY marks."""
    if jurisdiction is Jurisdiction.ENGLAND:
        return CODES["ENG-AM"], CODES["ENG-PM"]
    return CODES[jurisdiction.value], CODES[jurisdiction.value]
