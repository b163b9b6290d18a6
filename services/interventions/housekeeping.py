"""What the nightly puts right besides evaluating: work a process lost on its way.

- Stranded letters (services/letters/sweep.py): every night, school day or not, since a letter
  waits for no timetable. It runs before the school is read, so a letter it delivers tonight
  (its action DONE) is not taken for a lost job below.
- Lost letter jobs (services/letters/resend.py), lost meeting invitation jobs
  (services/meetings/resend.py) and lost cancellation jobs
  (services/meetings/cancellation_resend.py): on the nights the school is evaluated, from the
  instances and meetings the night already read (school_night.py), before the evaluation.

Counters: strandedLettersDelivered, strandedLettersFailed, letterJobsResent,
invitationJobsResent, cancellationJobsResent (each only when not zero).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import timedelta

from services.interventions.effects import SendJob
from services.interventions.ports import InterventionStore
from services.interventions.school_night import NightResult, SchoolNight
from services.letters.resend import RESEND_AFTER, resend_lost_letter_jobs
from services.letters.sweep import SweepResult
from services.meetings.cancellation_resend import LostCancellations, NightInvitations
from services.meetings.resend import InvitationReader, resend_lost_invitations
from services.platform.ports import Clock


class Housekeeping:
    def __init__(self, sweep_letters: Callable[[str, str], SweepResult], store: InterventionStore,
                 send_letter_job: SendJob, invitations: InvitationReader,
                 cancellations: LostCancellations, clock: Clock, *,
                 resend_after: timedelta = RESEND_AFTER) -> None:
        self._sweep_letters = sweep_letters  # LetterSweep.run: stranded SENDING/RENDERED letters
        self._store, self._send_letter_job = store, send_letter_job
        self._invitations, self._cancellations = invitations, cancellations
        self._clock, self._resend_after = clock, resend_after

    def sweep(self, tenant_id: str, school_id: str, result: NightResult) -> SweepResult:
        swept = self._sweep_letters(tenant_id, school_id)
        if swept.redelivered:
            result.count("strandedLettersDelivered", swept.redelivered)
        if swept.failed:
            result.count("strandedLettersFailed", swept.failed)
        return swept

    def resend(self, night: SchoolNight, rendered: Collection[str], result: NightResult) -> None:
        """`rendered`: the actions the sweep found with every letter rendered (not lost)."""
        latest, after = night.latest.values(), self._resend_after
        if resent := resend_lost_letter_jobs(self._store, self._send_letter_job, latest, day=night.day,
                                             now=self._clock.now(), after=after, rendered=rendered):
            result.count("letterJobsResent", resent)
        invitations = NightInvitations(self._invitations)  # one read for both resends below
        if resent := resend_lost_invitations(invitations, self._send_letter_job, latest, night.meetings,
                                             now=self._clock.now(), after=after):
            result.count("invitationJobsResent", resent)
        if resent := self._cancellations.resend(invitations, night.meetings, now=self._clock.now(),
                                                after=after):
            result.count("cancellationJobsResent", resent)
