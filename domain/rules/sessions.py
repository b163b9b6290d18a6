"""The sessions behind a count, for a statutory track: absence not yet counted by the track's
last step, and the list of the sessions that count (dates and codes) for its evidence.

A STATUTORY track that starts again within the year (England's penalty notices) must not count
the same absence twice: `InstanceFacts.counted_through` is the day its last instance started, and
a count then covers only what came after it. Both the window and "since that day" end today, so
the sessions in both are those of the shorter one, which for cumulative counters is the smaller
figure of each.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from domain.attendance.summaries import DailySummary, Status, Totals
from domain.rules.windows import window_start

if TYPE_CHECKING:
    from domain.rules.conditions import AbsenceCountThreshold
    from domain.rules.context import EvaluationContext

_ABSENT = (Status.AUTHORISED_ABSENT, Status.UNAUTHORISED_ABSENT)


class CountedDay(NamedTuple):
    """One school day's sessions that count: `sessions` is how many, `marks` the (session, code)
    pairs of the absent sessions that day ("AM", "G")."""

    day: date
    sessions: int
    marks: tuple[tuple[str, str | None], ...]


def counted_through(ctx: EvaluationContext) -> date | None:
    return ctx.instance.counted_through if ctx.instance is not None else None


def not_yet_counted(totals: Totals, ctx: EvaluationContext) -> Totals:
    """`totals` without what the track's last instance already counted (unchanged when there
    was none, or its day's row is not at hand)."""
    through = counted_through(ctx)
    if through is None or ctx.today is None:
        return totals
    since = _since(ctx, through)
    if since is None:
        return totals
    return Totals(*map(min, totals, since))


def _since(ctx: EvaluationContext, through: date) -> Totals | None:
    """Counters after `through` up to today, across the summer when `through` was last year."""
    if through >= ctx.calendar.start:
        row = ctx.rows.get(through)
        return None if row is None else ctx.since(row)
    this_year = ctx.since(None)
    previous = ctx.previous_calendar
    if previous is None or not previous.school_days:
        return this_year
    last, row = ctx.rows.get(previous.school_days[-1]), ctx.rows.get(through)
    if last is None or row is None or row.school_day_index >= last.school_day_index:
        return this_year
    return Totals(*(a + b for a, b in zip(this_year, last.totals.minus(row.totals), strict=True)))


def counted_sessions(c: AbsenceCountThreshold, ctx: EvaluationContext,
                     count: Callable[[Totals], int]) -> list[CountedDay]:
    """The days in `c`'s window (after `counted_through`) with sessions that count, read from
    every row of the window (`ctx.every_row`); `count` sums the condition's categories."""
    end = ctx.anchor()
    if end is None:
        return []
    start = window_start(ctx.calendar, ctx.as_of, c.window_school_days, c.window_school_weeks,
                         ctx.previous_calendar)
    through = counted_through(ctx)
    spans = [(ctx.calendar.school_days, start.earlier, end)]
    if start.previous is not None and ctx.previous_calendar is not None:
        last_day, earlier = start.previous
        spans.insert(0, (ctx.previous_calendar.school_days, earlier, last_day))
    found: list[CountedDay] = []
    for days, after, last in spans:
        # from the row before the window on: each day's sessions are its row minus the one before
        first = 0 if after is None else bisect_right(days, after)
        before = None if after is None else ctx.rows.get(after)
        for day in days[first:bisect_right(days, last)]:
            row = ctx.rows.get(day)
            if row is None:
                continue
            sessions = count(row.totals) - (count(before.totals) if before is not None else 0)
            if sessions > 0 and (through is None or day > through):
                found.append(CountedDay(row.date, sessions, _absent_marks(row)))
            before = row
    return found


def _absent_marks(row: DailySummary) -> tuple[tuple[str, str | None], ...]:
    return tuple((name, code) for name, status, code in (("AM", row.am_status, row.am_reason_code),
                                                          ("PM", row.pm_status, row.pm_reason_code))
                 if status in _ABSENT)
