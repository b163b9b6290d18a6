"""`make run`'s attendance office: while the scheduler replays the demo term, at the end of each
school week (its last school day) the demo attendance officer works the queue the way a school
using the product would, and the local host does the rest as the functions do in Azure.

At 17:00 school-local on that day (the clock fixed there, so everything is dated that day):
1. the letter actions waiting in the queue are approved (devhost/demo_letters.py's officer);
2. meetings that have taken place get their outcome, then MEETING actions and meetings proposed
   by a no-show get a meeting booked (devhost/demo_meetings.py);
3. the host drains the `letter-jobs` queue and the blob trigger: letters (and meeting
   invitations) are rendered and delivered, LETTER_SENT lands that day, the ladder's waits run.

Each step is idempotent (the queue's and the meetings service's own rules, plus the guards in
demo_meetings), so a second `make run` approves, books and records nothing."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, datetime
from datetime import time as clock_time

import bootstrap
from demo import DemoSchool
from devhost import demo_meetings, progress
from devhost.demo_letters import approve_letters, officer
from devhost.host import DevHost
from domain.attendance.calendar import SchoolCalendar
from domain.roster.schools import School

EVENING = clock_time(17, 0)
# the functions that render a letter (a `letter-jobs` message) and deliver it (its PDF's blob):
# functions/letter_jobs.py and functions/letter_delivery.py
RENDER, DELIVER = "render_letter", "deliver_letter"


def week_ends(calendar: SchoolCalendar, days: tuple[date, ...]) -> set[date]:
    """The last school day of each week among `days` (the last of `days` included)."""
    by_week = {calendar.week_of(day): day for day in days}
    return set(by_week.values())


def letters_note(handled: Counter[str]) -> str:
    """What a drain's bar says besides its count of messages and blobs handled."""
    return f"letters: {handled[RENDER]} rendered, {handled[DELIVER]} delivered"


class Office:
    """The weekly pass, as `run_interventions`' `after_night` hook; counts what it did."""

    def __init__(self, host: DevHost, drain_timeout: float = 1800, poll: float = 0.1) -> None:
        self._host, self._timeout, self._poll = host, drain_timeout, poll
        self.done: dict[str, Counter[str]] = {}
        self.seconds = 0.0

    def after_night(self, demo_school: DemoSchool, day: date, days: tuple[date, ...]) -> None:
        if day in week_ends(demo_school.calendar, days):
            self.week_end(demo_school.school, demo_school.calendar, day)

    def week_end(self, school: School, calendar: SchoolCalendar, day: date) -> None:
        started = time.monotonic()
        counts = self.done.setdefault(school.school_id, Counter())
        at = datetime.combine(day, EVENING, tzinfo=school.zone)
        with self._host.clock_fixed_at(at):
            container = bootstrap.composition()
            who = officer(school)
            approved = approve_letters(container, school, day)
            counts["lettersApproved"] += approved
            recorded = demo_meetings.record(container, who, school, calendar, day)
            counts.update(recorded)
            queue = container.interventions.queue.due(school.tenant_id, school.school_id, day)
            booked = demo_meetings.book(container, who, school, calendar, day, queue)
            counts["meetingsBooked"] += booked
            if approved or booked or sum(recorded.values()) or self._host.pending():
                counts["handled"] += self._drain(f"{school.school_id} office {day:%d %b}")
        self.seconds += time.monotonic() - started

    def _drain(self, label: str) -> int:
        """The host's drain, polling faster: it waits for two idle polls, once a week per school.
        Its bar counts the queue messages and blobs handled, the letters among them."""
        interval, self._host.poll_interval = self._host.poll_interval, self._poll
        try:
            with progress.bar(label) as bar:
                return self._host.drain(timeout=self._timeout, on_poll=lambda done: bar.update(
                    completed=done.total(), note=letters_note(done)))
        finally:
            self._host.poll_interval = interval
