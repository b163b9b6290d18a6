"""Deliver one rendered letter when its PDF lands in the `letters` container (blob trigger).

The bytes are checked against the blob's recorded SHA-256 and the hash on the artifact row too
(services/letters/stored_files.py), so a forger who also rewrote the blob's own hash is caught,
and a PDF gone from storage fails alike: nothing is sent, the artifact is FAILED with the reason
and `letter.delivery-failed` is audited. Idempotent: a DELIVERED artifact (a second event for the
same blob) sends nothing.

No double send: before sending, the delivery claims the artifact (SENDING, saved with the ETag it
read). Of two events racing for one blob only one claim succeeds; the other gets ConcurrencyError
and sends nothing. A failed send gives the claim back (RENDERED) and re-raises, so the host's retry
claims it again; a claim older than LEASE (its sender died between claim and send) may be taken
over by the next event or retry for the blob, so a crash does not strand the letter.

By the guardian's preference (`channels`): EMAIL with an e-mail address is e-mailed with the PDF
attached; POST with a postal address joins the school's print batch for the (school-local) day
(services/letters/printing/batches.py builds it); EMAIL_AND_POST means both, as far as the contact details
allow. An EMAIL guardian with no e-mail address but a postal address is posted to. The artifact is
DELIVERED (with its channel) once it is e-mailed and/or in the batch; `letter.sent` is audited once
per channel. No usable contact flags the guardian unreachable on the artifact and audits it.

When every artifact of the instance's stage is DELIVERED, the stage's action is done
(services/letters/stage_done.py), so the ladder's wait starts.

A meeting invitation (services/meetings/invitations.py) is e-mailed with `invitation.ics` beside the
PDF (posted: the letter only); one whose meeting was moved or cancelled since it was rendered is
not sent (FAILED, `letter.superseded` audited). Its stage is done (MEETING_SCHEDULED) once the
invitations of the meeting at that sequence are all DELIVERED.

A translated letter with its school-language original kept beside it (services/letters/companions.py)
takes the original along, hash-checked like the letter: attached to the e-mail as
`letter-<language>.pdf`, next in the print batch. The original is DELIVERED with the letter; its
own blob event sends nothing.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Protocol

from domain.letters.artifacts import ArtifactStatus, Attachment, LetterArtifact
from domain.meetings.model import InterventionMeeting
from domain.platform.errors import ConcurrencyError, IntegrityError, NotFound
from domain.platform.paths import parse_letter_path
from domain.roster.schools import Guardian, School
from services.interventions.ports import InterventionStore
from services.letters.companions import (
    Original,
    attachment,
    checked_original,
    find_companion,
    print_entry_of,
)
from services.letters.ports import ArtifactStore, LetterBlobs, StudentDetails
from services.letters.post import channels, print_entry
from services.letters.printing.batches import PrintBatchStore
from services.letters.stage_done import StageCompletion
from services.letters.stored_files import StoredFiles, letter_pdf
from services.meetings.invitations import MeetingLookup, invitation_email, superseded
from services.platform.audit import AuditLog
from services.platform.ports import Clock

log = logging.getLogger(__name__)
# how long a SENDING claim is honoured; sending one e-mail or writing one row takes seconds
LEASE = timedelta(minutes=10)


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str, attachment: bytes, filename: str,
             extra: tuple[Attachment, ...] = ()) -> str:
        """Send one message with the PDF (and `extra` files) attached; returns its message id."""
        ...


class NotRendered(Exception):
    """The blob event arrived before the artifact row said RENDERED: raise so the host retries."""


class LetterDelivery:
    def __init__(self, artifacts: ArtifactStore, blobs: LetterBlobs, roster: StudentDetails,
                 instances: InterventionStore, mailer: Mailer, audit: AuditLog, clock: Clock,
                 print_batches: PrintBatchStore, meetings: MeetingLookup | None = None) -> None:
        self._artifacts, self._files, self._roster = artifacts, StoredFiles(blobs, audit), roster
        self._mailer, self._audit, self._clock = mailer, audit, clock
        self._stage = StageCompletion(artifacts, instances, clock)
        self._print, self._meetings = print_batches, meetings

    def deliver(self, path: str) -> LetterArtifact:
        """`path` inside the `letters` container. Returns the artifact as it now stands."""
        tenant_id, school_id, artifact_id = parse_letter_path(path)
        artifact = self._artifacts.get(tenant_id, school_id, artifact_id)
        if not self._due(artifact):
            return artifact
        school = self._roster.school(tenant_id, school_id)
        kept = find_companion(self._artifacts, artifact, school)
        if kept is not None and kept.status is ArtifactStatus.PENDING:
            raise NotRendered(f"the original kept beside letter {artifact.id} is not RENDERED yet")
        try:
            pdf = self._files.read(letter_pdf(artifact, path=path))
            original = checked_original(self._files, artifact, kept)
        except IntegrityError as exc:
            log.warning("letter %s not delivered: integrity check failed", artifact.id)
            return self._failed(artifact, str(exc), "letter.delivery-failed")
        guardian = self._guardian(artifact)
        email, post = channels(guardian)
        if guardian is None or not (email or post):
            return self._unreachable(artifact)
        meeting = self._meeting(artifact)
        if why := self._superseded(artifact, meeting):
            # an invitation to a meeting that moved on is never sent: a newer one (or none) replaces it
            log.info("letter %s not delivered: its meeting changed", artifact.id)
            return self._failed(artifact, why, "letter.superseded")
        try:
            claimed = self._artifacts.replace(artifact.sending(self._clock.now()))
        except ConcurrencyError:
            log.info("letter %s claimed by another delivery: not sent here", artifact.id)
            return self._artifacts.get(tenant_id, school_id, artifact_id)
        return self._send(claimed, school, guardian, pdf, email=email, post=post, meeting=meeting,
                          original=original)

    def _due(self, artifact: LetterArtifact) -> bool:
        """RENDERED, or SENDING under a stale claim: this event sends it. NotRendered (retry) when
        PENDING; a DELIVERED one only gets its stage finished, if that run stopped short of it."""
        if artifact.companion_of is not None:
            return False  # a kept original is sent with its letter, never on its own event
        if artifact.status is ArtifactStatus.PENDING:
            raise NotRendered(f"artifact {artifact.id} is not RENDERED yet")
        if artifact.status is ArtifactStatus.DELIVERED:
            self._stage.finish(artifact, self._roster.school(artifact.tenant_id, artifact.school_id))
            return False
        if artifact.status is ArtifactStatus.SENDING and not self._stale(artifact):
            log.info("letter %s is being sent by another delivery", artifact.id)
            return False
        if artifact.status not in (ArtifactStatus.RENDERED, ArtifactStatus.SENDING):
            log.info("letter %s not delivered: it is %s", artifact.id, artifact.status.value)
            return False
        return True

    @staticmethod
    def _superseded(artifact: LetterArtifact, meeting: InterventionMeeting | None) -> str | None:
        """Why an invitation is no longer to be sent (its meeting moved or is gone), else None."""
        if artifact.meeting_id is None:
            return None
        return superseded(meeting, artifact.meeting_sequence) if meeting else "the meeting does not exist"

    def _meeting(self, artifact: LetterArtifact) -> InterventionMeeting | None:
        if artifact.meeting_id is None or self._meetings is None:
            return None
        try:
            return self._meetings.meeting(artifact.tenant_id, artifact.school_id, artifact.meeting_id)
        except NotFound:
            return None

    def _stale(self, artifact: LetterArtifact) -> bool:
        since = artifact.sending_since
        return since is None or self._clock.now() - since >= LEASE

    def _send(self, claimed: LetterArtifact, school: School, guardian: Guardian, pdf: bytes, *,
              email: bool, post: bool, meeting: InterventionMeeting | None = None,
              original: Original | None = None) -> LetterArtifact:
        """Send by the chosen channels under the claim; a failure gives the claim back."""
        sent: list[tuple[str, dict[str, object]]] = []
        try:
            if post:
                entry = print_entry(claimed, school, guardian, self._clock.now())
                self._print.add(entry)  # one row per artifact: a retry finds it there
                if original is not None:  # in the same envelope, right after the letter
                    self._print.add(print_entry_of(original[0], entry))
                sent.append(("POST", {"printBatch": entry.day.isoformat()}))
            if email:
                sent.append(("EMAIL", {"messageId": self._email(claimed, school, guardian, pdf, meeting,
                                                                original)}))
        except Exception:
            try:
                self._artifacts.replace(claimed.released())
            except ConcurrencyError:
                pass  # the claim was taken over meanwhile: that delivery owns it now
            raise
        channel = "EMAIL_AND_POST" if email and post else ("EMAIL" if email else "POST")
        if original is not None:
            # before the letter: a crash between the two saves leaves the letter to be sent again
            # (with its original), never an original left RENDERED beside a DELIVERED letter
            if original[0].status is not ArtifactStatus.DELIVERED:
                self._artifacts.replace(replace(original[0].delivered(self._clock.now(), channel), etag=None))
            sent = [(name, {**detail, "companionId": original[0].id}) for name, detail in sent]
        saved = self._artifacts.replace(claimed.delivered(self._clock.now(), channel))
        for name, detail in sent:
            self._record(claimed, "letter.sent", {"channel": name, "contentHash": claimed.content_hash,
                                                  **detail})
        self._stage.finish(saved, school)
        return saved

    def _guardian(self, artifact: LetterArtifact) -> Guardian | None:
        detail = self._roster.student_detail(artifact.tenant_id, artifact.school_id, artifact.student_id)
        return next((g for _, g in detail.guardians if g.guardian_id == artifact.guardian_id), None)

    def _email(self, artifact: LetterArtifact, school: School, guardian: Guardian, pdf: bytes,
               meeting: InterventionMeeting | None = None, original: Original | None = None) -> str:
        assert guardian.email is not None
        kept = (attachment(*original),) if original is not None else ()
        if meeting is not None:  # an invitation: its own wording and the .ics calendar file
            subject, body, extra = invitation_email(meeting, school)
            return self._mailer.send(guardian.email, subject, body, pdf, "letter.pdf", extra=extra + kept)
        return self._mailer.send(
            guardian.email, f"A letter from {school.name}",
            f"Please find attached a letter from {school.name} about your child's attendance.\n",
            pdf, "letter.pdf", extra=kept)

    def _failed(self, artifact: LetterArtifact, reason: str, action: str) -> LetterArtifact:
        """FAILED for good (the caller logs why), audited as `action` with the reason."""
        saved = self._artifacts.replace(artifact.failed(reason, artifact.attempts))
        self._record(artifact, action, {"reason": reason})
        return saved

    def _unreachable(self, artifact: LetterArtifact) -> LetterArtifact:
        if artifact.guardian_unreachable:
            return artifact  # flagged by an earlier event for this blob
        log.info("letter %s not delivered: guardian has no usable contact", artifact.id)
        # a stale claim of a guardian whose details were since removed is given back too
        flagged = artifact.released() if artifact.status is ArtifactStatus.SENDING else artifact
        saved = self._artifacts.replace(flagged.unreachable())
        self._record(artifact, "letter.guardian-unreachable", {"guardianId": artifact.guardian_id})
        return saved

    def _record(self, artifact: LetterArtifact, action: str, after: dict[str, object]) -> None:
        self._audit.record(actor=None, tenant_id=artifact.tenant_id, school_id=artifact.school_id,
                           action=action, entity_type="letterArtifact", entity_id=artifact.id, after=after)
