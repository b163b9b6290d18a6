"""Timer triggers: NCRONTAB schedules (six fields, seconds first, UTC) fired from a thread."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from croniter import croniter

from devhost.discovery import HostFunction
from devhost.hostconfig import parse_timespan

log = logging.getLogger("devhost")

# A run this much later than its occurrence is reported as past due (TimerRequest.past_due):
# the previous run overran it, like the host's schedule monitor reports a missed occurrence.
PAST_DUE_AFTER = timedelta(seconds=1)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Schedule:
    """An NCRONTAB expression `{second} {minute} {hour} {day} {month} {day-of-week}`, or a
    TimeSpan `hh:mm:ss` meaning "every interval" (the host accepts both)."""

    def __init__(self, expression: str) -> None:
        self.expression = expression.strip()
        self.interval: timedelta | None = None
        fields = self.expression.split()
        if len(fields) == 1 and ":" in self.expression:
            self.interval = timedelta(seconds=parse_timespan(self.expression))
            if self.interval <= timedelta(0):
                raise ValueError(f"timer interval must be positive: {expression!r}")
        elif len(fields) != 6 or not croniter.is_valid(self.expression, second_at_beginning=True):
            # croniter reads a sixth field as seconds *last* unless told otherwise.
            raise ValueError(f"not an NCRONTAB schedule (6 fields, seconds first): {expression!r}")

    def next_after(self, when: datetime) -> datetime:
        """The first occurrence strictly after `when` (UTC)."""
        if self.interval is not None:
            return when + self.interval
        return croniter(self.expression, when.astimezone(UTC),
                        second_at_beginning=True).get_next(datetime)

    def first_on(self, day: date) -> datetime:
        """The first occurrence on `day` (UTC), or its midnight when there is none that day:
        the moment a run "for that day" would have started."""
        midnight = datetime.combine(day, time(0), UTC)
        if self.interval is not None:
            return midnight
        first = self.next_after(midnight - timedelta(microseconds=1))
        return first if first.date() == day else midnight


class TimerScheduler:
    """One thread per timer function; a run that overruns delays the next one (the host runs a
    timer as a singleton) and missed occurrences collapse into one past-due run."""

    def __init__(self, fire: Callable[[HostFunction, bool], object],
                 now: Callable[[], datetime] = utc_now) -> None:
        self._fire = fire
        self._now = now

    def start(self, functions: list[HostFunction], stop: threading.Event) -> list[threading.Thread]:
        threads = []
        for fn in functions:
            schedule = Schedule(fn.setting("schedule"))
            thread = threading.Thread(target=self._loop, args=(fn, schedule, stop),
                                      name=f"timer-{fn.name}", daemon=True)
            thread.start()
            threads.append(thread)
        return threads

    def _loop(self, fn: HostFunction, schedule: Schedule, stop: threading.Event) -> None:
        if fn.trigger.get("runOnStartup"):
            self._run(fn, past_due=False)
        due = schedule.next_after(self._now())
        log.info("timer %s next due at %s", fn.name, due.isoformat())
        while not stop.wait(max(0.0, (due - self._now()).total_seconds())):
            now = self._now()
            if now < due:  # woke a little early
                continue
            self._run(fn, past_due=now - due > PAST_DUE_AFTER)
            due = schedule.next_after(due)
            while (following := schedule.next_after(due)) <= self._now():
                due = following

    def _run(self, fn: HostFunction, *, past_due: bool) -> None:
        # The invoker has logged the failure; the schedule goes on, as in the host.
        with contextlib.suppress(Exception):
            self._fire(fn, past_due)
