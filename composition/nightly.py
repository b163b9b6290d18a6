"""The nightly's wiring: what a school's `evaluate-school` message runs after its normalization
(housekeeping, then the scheduler's evaluation), and its job runs. It reads every capability, so
it is built after them."""

from __future__ import annotations

from functools import cached_property

from composition.attendance import AttendanceWiring
from composition.casework import CaseworkWiring
from composition.interventions import InterventionsWiring
from composition.letters import LettersWiring
from composition.meetings import MeetingsWiring
from composition.platform import Platform
from composition.roster import RosterWiring
from composition.rules import RulesWiring
from services.interventions.effects import LETTER_JOBS_QUEUE
from services.interventions.housekeeping import Housekeeping
from services.interventions.jobs import InterventionJobs
from services.interventions.nightly import Nightly
from services.interventions.scheduler import Scheduler
from services.interventions.school_night import NightReader


class NightlyWiring:
    def __init__(self, platform: Platform, roster: RosterWiring, attendance: AttendanceWiring,
                 rules: RulesWiring, interventions: InterventionsWiring, casework: CaseworkWiring,
                 meetings: MeetingsWiring, letters: LettersWiring) -> None:
        self._platform, self._roster, self._attendance, self._rules = platform, roster, attendance, rules
        self._interventions, self._casework = interventions, casework
        self._meetings, self._letters = meetings, letters

    @cached_property
    def scheduler(self) -> Scheduler:
        p, summaries = self._platform, self._attendance.summary_store
        return Scheduler(self._rules.reader, self._roster.reader, summaries, self._interventions.store,
                         p.clock, p.sender(LETTER_JOBS_QUEUE), self._casework.store, summaries)

    @cached_property
    def housekeeping(self) -> Housekeeping:
        p, meetings = self._platform, self._meetings
        return Housekeeping(self._letters.sweep.run, self._interventions.store, p.sender(LETTER_JOBS_QUEUE),
                            meetings.invitations, meetings.lost_cancellations, p.clock)

    @cached_property
    def service(self) -> Nightly:
        """A school's night: housekeeping beside the evaluation, as its job runs it."""
        reader = NightReader(self._rules.reader, self._roster.reader, self._interventions.store,
                             self._meetings.store)
        return Nightly(reader, self.housekeeping, self.scheduler)

    @cached_property
    def jobs(self) -> InterventionJobs:
        return InterventionJobs(lambda: self.service, self._platform.jobs, self._platform.audit)
