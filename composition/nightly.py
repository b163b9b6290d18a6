"""The nightly's wiring: the intervention scheduler a school's `evaluate-school` message runs (after
its normalization), and its job runs. It reads every capability, so it is built after them."""

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
from services.interventions.jobs import InterventionJobs
from services.interventions.scheduler import Scheduler


class NightlyWiring:
    def __init__(self, platform: Platform, roster: RosterWiring, attendance: AttendanceWiring,
                 rules: RulesWiring, interventions: InterventionsWiring, casework: CaseworkWiring,
                 meetings: MeetingsWiring, letters: LettersWiring) -> None:
        self._platform, self._roster, self._attendance, self._rules = platform, roster, attendance, rules
        self._interventions, self._casework = interventions, casework
        self._meetings, self._letters = meetings, letters

    @cached_property
    def scheduler(self) -> Scheduler:
        p, summaries, meetings = self._platform, self._attendance.summary_store, self._meetings
        return Scheduler(self._rules.reader, self._roster.reader, summaries, self._interventions.store,
                         p.clock, p.sender(LETTER_JOBS_QUEUE), exemptions=self._casework.store,
                         meetings=meetings.store, sweep_letters=self._letters.sweep.run,
                         invitations=meetings.invitations, cancellations=meetings.lost_cancellations,
                         student_rows=summaries)

    @cached_property
    def jobs(self) -> InterventionJobs:
        return InterventionJobs(lambda: self.scheduler, self._platform.jobs, self._platform.audit)
