"""Deliver one rendered letter when its PDF lands in the `letters` container (blob trigger).

The bytes are read through `LetterBlobs.get` (which checks the blob's recorded SHA-256) and
compared with the hash on the artifact row too, so a forger who also rewrote the blob's own hash
is caught: nothing is sent, the artifact is FAILED with the reason and `letter.delivery-failed`
is audited. Idempotent: a DELIVERED artifact (a second event for the same blob) sends nothing.

By the guardian's preference: EMAIL or EMAIL_AND_POST with an address on file is e-mailed with
the PDF attached. POST is not implemented yet: that artifact stays RENDERED. No usable contact
(no e-mail and no postal address) flags the guardian unreachable on the artifact and audits it.

When every artifact of the instance's stage is DELIVERED, the stage's action is done
(`mark_done`: LETTER_SENT), so the ladder's wait starts and the nightly stops re-sending the job.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Protocol

from domain.errors import ConcurrencyError, IntegrityError
from domain.ladder import ActionState, InstanceStatus
from domain.ladder_transitions import mark_done
from domain.letters.artifacts import ArtifactStatus, Attachment, LetterArtifact
from domain.paths import LETTERS, parse_letter_path
from domain.schools import ContactPreference, Guardian, School
from services.audit import AuditLog
from services.intervention_effects import Collected
from services.intervention_ports import InterventionStore
from services.letter_ports import ArtifactStore, LetterBlobs, StudentDetails
from services.normalize_jobs import local_date
from services.ports import Clock

log = logging.getLogger(__name__)
EMAIL_PREFERENCES = (ContactPreference.EMAIL, ContactPreference.EMAIL_AND_POST)


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str, attachment: bytes, filename: str,
             extra: tuple[Attachment, ...] = ()) -> str:
        """Send one message with the PDF (and `extra` files) attached; returns its message id."""
        ...


class NotRendered(Exception):
    """The blob event arrived before the artifact row said RENDERED: raise so the host retries."""


class LetterDelivery:
    def __init__(self, artifacts: ArtifactStore, blobs: LetterBlobs, roster: StudentDetails,
                 instances: InterventionStore, mailer: Mailer, audit: AuditLog, clock: Clock) -> None:
        self._artifacts, self._blobs, self._roster = artifacts, blobs, roster
        self._instances, self._mailer, self._audit, self._clock = instances, mailer, audit, clock

    def deliver(self, path: str) -> LetterArtifact:
        """`path` inside the `letters` container. Returns the artifact as it now stands."""
        tenant_id, school_id, artifact_id = parse_letter_path(path)
        artifact = self._artifacts.get(tenant_id, school_id, artifact_id)
        if artifact.status is ArtifactStatus.PENDING:
            raise NotRendered(f"artifact {artifact.id} is not RENDERED yet")
        if artifact.status is ArtifactStatus.DELIVERED:
            # sent before: send nothing, but finish the stage if that run stopped short of it
            self._finish_stage(artifact, self._roster.school(tenant_id, school_id))
            return artifact
        if artifact.status is not ArtifactStatus.RENDERED:
            log.info("letter %s not delivered: it is %s", artifact.id, artifact.status.value)
            return artifact
        try:
            pdf = self._blobs.get(LETTERS, path)
            if hashlib.sha256(pdf).hexdigest() != artifact.content_hash:
                raise IntegrityError(f"{LETTERS}/{path} does not match the artifact's content hash")
        except IntegrityError as exc:
            return self._failed(artifact, str(exc))
        school = self._roster.school(tenant_id, school_id)
        guardian = self._guardian(artifact)
        if guardian is not None and guardian.email and guardian.contact_preference in EMAIL_PREFERENCES:
            return self._email(artifact, school, guardian, pdf)
        if guardian is not None and guardian.address is not None:
            log.info("letter %s left RENDERED: post is not implemented yet", artifact.id)
            return artifact
        return self._unreachable(artifact)

    def _guardian(self, artifact: LetterArtifact) -> Guardian | None:
        detail = self._roster.student_detail(artifact.tenant_id, artifact.school_id, artifact.student_id)
        return next((g for _, g in detail.guardians if g.guardian_id == artifact.guardian_id), None)

    def _email(self, artifact: LetterArtifact, school: School, guardian: Guardian,
               pdf: bytes) -> LetterArtifact:
        assert guardian.email is not None
        message_id = self._mailer.send(
            guardian.email, f"A letter from {school.name}",
            f"Please find attached a letter from {school.name} about your child's attendance.\n",
            pdf, "letter.pdf")
        saved = self._artifacts.replace(artifact.delivered(self._clock.now()))
        self._record(artifact, "letter.sent", {"channel": "EMAIL", "messageId": message_id,
                                               "contentHash": artifact.content_hash})
        self._finish_stage(saved, school)
        return saved

    def _failed(self, artifact: LetterArtifact, reason: str) -> LetterArtifact:
        log.warning("letter %s not delivered: integrity check failed", artifact.id)
        saved = self._artifacts.replace(artifact.failed(reason, artifact.attempts))
        self._record(artifact, "letter.delivery-failed", {"reason": reason})
        return saved

    def _unreachable(self, artifact: LetterArtifact) -> LetterArtifact:
        if artifact.guardian_unreachable:
            return artifact  # flagged by an earlier event for this blob
        log.info("letter %s not delivered: guardian has no usable contact", artifact.id)
        saved = self._artifacts.replace(artifact.unreachable())
        self._record(artifact, "letter.guardian-unreachable", {"guardianId": artifact.guardian_id})
        return saved

    def _record(self, artifact: LetterArtifact, action: str, after: dict[str, object]) -> None:
        self._audit.record(actor=None, tenant_id=artifact.tenant_id, school_id=artifact.school_id,
                           action=action, entity_type="letterArtifact", entity_id=artifact.id, after=after)

    def _finish_stage(self, artifact: LetterArtifact, school: School) -> None:
        """mark_done once the stage's letters are all DELIVERED; a refused save re-reads once."""
        stage = self._artifacts.for_stage(artifact.tenant_id, artifact.school_id, artifact.instance_id,
                                          artifact.stage_order)
        if any(a.status is not ArtifactStatus.DELIVERED for a in stage):
            return
        for _ in range(2):
            instance = self._instances.instance(artifact.tenant_id, artifact.school_id, artifact.instance_id)
            if (instance.status is not InstanceStatus.ACTIVE or instance.stage_order != artifact.stage_order
                    or instance.action is not ActionState.APPROVED):
                return  # already done (a concurrent delivery) or the instance moved on
            now = self._clock.now()
            day = local_date(now, school)
            after, events = mark_done(instance, on=day, at=now, data={"letters": str(len(stage))})
            item = self._instances.queue_item(artifact.tenant_id, artifact.school_id, artifact.action_id)
            found = Collected(instance.student_id, self._instances.case(
                artifact.tenant_id, artifact.school_id, instance.student_id))
            found.add(after, events, item.template_key, on=day, now=now)
            change = found.change()
            assert change is not None
            if not self._instances.save(artifact.tenant_id, artifact.school_id, [change]):
                return
        raise ConcurrencyError(f"instance {artifact.instance_id} changed while its letter was marked sent")
