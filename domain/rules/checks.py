"""Evaluation of the attendance conditions. Each reads today's row and at most two earlier rows
(`EvaluationContext.totals`), so it costs the same for a 3-day window as for the whole year."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from domain.attendance.summaries import Totals
from domain.rules import wording as w
from domain.rules.conditions import (
    AbsenceCategory,
    AbsenceCountThreshold,
    AttendancePercentThreshold,
    ConsecutiveAbsenceDays,
    DateWindow,
    TardyCountThreshold,
    TruancyThreshold,
)
from domain.rules.context import EvaluationContext
from domain.rules.outcome import NOTHING_RECORDED, Outcome
from domain.rules.sessions import counted_sessions, counted_through, not_yet_counted

_SESSIONS: dict[AbsenceCategory, Callable[[Totals], int]] = {
    AbsenceCategory.ANY: lambda t: t.authorised_sessions + t.unauthorised_sessions,
    AbsenceCategory.AUTHORISED: lambda t: t.authorised_sessions,
    AbsenceCategory.UNAUTHORISED: lambda t: t.unauthorised_sessions,
    AbsenceCategory.PENALTY: lambda t: t.penalty_sessions,
    AbsenceCategory.UNEXCUSED: lambda t: t.unexcused_sessions,
    AbsenceCategory.EXPLAINED: lambda t: t.explained_sessions,
    AbsenceCategory.UNEXPLAINED: lambda t: t.unexplained_sessions,
    AbsenceCategory.SUSPENDED: lambda t: t.suspended_sessions,
}


def absence_count(c: AbsenceCountThreshold, ctx: EvaluationContext) -> Outcome:
    if ctx.today is None:
        return NOTHING_RECORDED
    window, gap = ctx.window(c.window_school_days, c.window_school_weeks)
    totals = not_yet_counted(window, ctx)
    sessions = sum(_SESSIONS[category](totals) for category in c.categories)
    days = c.unit == "days"
    met = sessions >= c.threshold * (2 if days else 1)
    amount = w.days_from_sessions(sessions) if days else w.sessions_and_days(sessions)
    extra = w.breakdown(totals, days) if c.categories == (AbsenceCategory.ANY,) else ""
    where = w.period(c.window_school_days, c.window_school_weeks) + w.counted_after(counted_through(ctx))
    evidence: tuple[str, ...] = (f"{amount} {w.absence_phrase(tuple(k.value for k in c.categories))} "
                                 f"{where}{extra}",)
    if c.list_sessions and met and ctx.every_row:  # the sessions that count, then any gap
        evidence += (w.session_list(counted_sessions(c, ctx, lambda t: sum(
            _SESSIONS[category](t) for category in c.categories))),)
    return Outcome(met, evidence + ((gap,) if gap else ()))


def attendance_percent(c: AttendancePercentThreshold, ctx: EvaluationContext) -> Outcome:
    if ctx.today is None:
        return NOTHING_RECORDED
    totals, gap = ctx.window(c.window_school_days, c.window_school_weeks)
    where = w.period(c.window_school_days, c.window_school_weeks)
    percent = totals.attendance_percent
    if percent is None:
        return Outcome(False, _with(gap, f"no session could be attended {where} yet"))
    if totals.possible_sessions < c.min_possible_sessions:
        return Outcome(False, _with(gap, f"only {w.plural(totals.possible_sessions, 'session')} could be "
                                    f"attended {where}; attendance is judged from "
                                    f"{c.min_possible_sessions} on"))
    met = percent <= c.threshold if c.at_or_below else percent < c.threshold
    expected = (f"more than {w.number(c.threshold)}%" if c.at_or_below
                else f"{w.number(c.threshold)}% or more")
    return Outcome(met, _with(gap, f"attendance {where} is {w.number(percent)}% ({expected} is expected)"
                              f"{w.missing_marks(totals)}"))


def consecutive_absence(c: ConsecutiveAbsenceDays, ctx: EvaluationContext) -> Outcome:
    today = ctx.today
    if today is None:
        return NOTHING_RECORDED
    run = today.consecutive_absence_days
    if run == 0:
        return Outcome(False, (f"not absent all day on {w.long_date(today.date)}",))
    return Outcome(run >= c.threshold,
                   (f"absent {w.plural(run, 'school day')} in a row, up to {w.long_date(today.date)}",))


def tardy_count(c: TardyCountThreshold, ctx: EvaluationContext) -> Outcome:
    if ctx.today is None:
        return NOTHING_RECORDED
    totals, gap = ctx.window(c.window_school_days, c.window_school_weeks)
    where = w.period(c.window_school_days, c.window_school_weeks)
    if c.kind == "over30":
        count: Decimal | int = totals.tardies_over_30
        text = (f"late or absent for more than 30 minutes without a valid excuse "
                f"{w.plural(count, 'time')} {where}")
    elif c.unit == "days":
        count = Decimal(totals.late_sessions) / 2
        text = f"late on {w.plural(count, 'day')} {where}"
    else:
        count = totals.late_sessions
        text = f"late {w.plural(count, 'time')} {where}"
    return Outcome(count >= c.threshold, _with(gap, text))


def truancy(c: TruancyThreshold, ctx: EvaluationContext) -> Outcome:
    if ctx.today is None:
        return NOTHING_RECORDED
    totals, gap = ctx.window(c.window_school_days, c.window_school_weeks)
    days, late = totals.unexcused_days, totals.tardies_over_30
    count = days + late
    return Outcome(count >= c.threshold, _with(
        gap, f"truant {w.plural(count, 'time')} {w.period(c.window_school_days, c.window_school_weeks)}: "
             f"{w.plural(days, 'day')} absent without a valid excuse and "
             f"{w.plural(late, 'time')} late or absent for more than 30 minutes without one"))


def date_window(c: DateWindow, ctx: EvaluationContext) -> Outcome:
    day = ctx.as_of
    if c.term is not None:
        term = ctx.calendar.term_of(day)
        met = term is not None and term.name.casefold() == c.term.casefold()
        return Outcome(met, (f"{w.long_date(day)} is {'' if met else 'not '}in the {c.term} term",))
    met = (c.from_date is None or c.from_date <= day) and (c.to_date is None or day <= c.to_date)
    if c.from_date and c.to_date:
        span = f"between {w.long_date(c.from_date)} and {w.long_date(c.to_date)}"
    elif c.from_date:
        span = f"on or after {w.long_date(c.from_date)}"
    else:
        assert c.to_date is not None
        span = f"on or before {w.long_date(c.to_date)}"
    return Outcome(met, (f"{w.long_date(day)} is {'' if met else 'not '}{span}",))


def _with(gap: str, sentence: str) -> tuple[str, ...]:
    """The evidence sentence, followed by what could not be counted, if anything."""
    return (sentence, gap) if gap else (sentence,)


ATTENDANCE_CHECKS: dict[type, Callable[..., Outcome]] = {
    AbsenceCountThreshold: absence_count, AttendancePercentThreshold: attendance_percent,
    ConsecutiveAbsenceDays: consecutive_absence, TardyCountThreshold: tardy_count,
    TruancyThreshold: truancy, DateWindow: date_window,
}
