"""Render one `letter-jobs` message: the stage's letter for each recipient guardian, as a PDF in
Blob storage (immutable, SHA-256 in its metadata) and a `LetterArtifact` row.

Recipients: the guardian with parental responsibility first by priority (the priority-1 contact
when nobody is recorded with parental responsibility) always gets the letter; every OTHER guardian
with parental responsibility who does not live with the pupil gets one too (a separate household
with the right to know; a second adult at the same address is not written to twice).

Language: the guardian's preferred language when an approved template exists in it, else the
school's language, and the artifact records the missing translation. A school that keeps the
originals (`keep_source_letter`) gets a translated letter's school-language companion rendered
beside it (services/letters/companions.py).

Idempotent: a recipient whose artifact is RENDERED or DELIVERED is skipped; a PENDING one (a
crash before the PDF was stored) is re-rendered from its merge-data snapshot and template
version, so the bytes and the blob path are the same. A job whose instance has moved on (no
longer ACTIVE, another stage, action not APPROVED) is skipped with an audit record saying why,
unless it is a redelivery of a job whose letters were stored and then sent meanwhile (the stage's
action DONE, this action's artifacts all rendered or past that): that is logged, not audited.
From the 5th failed attempt on, the job's unfinished artifacts are marked FAILED with the reason
and the error re-raised, so the host moves the message to `letter-jobs-poison`.

A job with `meetingId` is a meeting invitation (services/meetings/invitations.py): its artifacts are
those of that meeting at that `meetingSequence`, its merge data gets `meetingWhen`, and its
staleness is the meeting's (`stale_invitation`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.letters.artifacts import (
    NO_GUARDIAN,
    ArtifactStatus,
    LetterArtifact,
    artifact_id,
    snapshot_data,
    snapshot_json,
)
from domain.letters.authoring import only_declared
from domain.letters.meeting_when import meeting_when
from domain.letters.merge import with_chart
from domain.letters.render import render_html
from domain.letters.templates import LetterTemplate
from domain.meetings.model import InterventionMeeting
from domain.platform.errors import AlreadyExists, NotFound, ValidationFailed
from domain.platform.paths import LETTERS, letter_path
from domain.roster.schools import Guardian, School, StudentGuardian
from services.interventions.ports import InterventionStore
from services.letters.companions import companion, wants_companion, with_fields_of
from services.letters.ports import (
    ArtifactStore,
    LetterBlobs,
    MergeDataBuilder,
    PdfRenderer,
    SchoolTemplates,
    StudentDetails,
    TemplateSource,
)
from services.letters.translation import TranslationDrafts
from services.meetings.invitations import MeetingLookup, stale_invitation
from services.platform.audit import AuditLog
from services.platform.ports import Clock

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5  # host.json maxDequeueCount: the 5th failure sends the message to poison


@dataclass(frozen=True)
class LetterJob:
    tenant_id: str
    school_id: str
    instance_id: str
    stage_order: int
    action_id: str
    correlation_id: str | None = None
    meeting_id: str | None = None  # a meeting invitation (services/meetings/invitations.py)
    meeting_sequence: int | None = None  # the meeting's sequence when it was booked or moved

    @classmethod
    def parse(cls, body: dict[str, Any]) -> LetterJob:
        try:
            sequence = body.get("meetingSequence")
            return cls(str(body["tenantId"]), str(body["schoolId"]), str(body["instanceId"]),
                       int(body["stageOrder"]), str(body["actionId"]), body.get("correlationId"),
                       str(body["meetingId"]) if body.get("meetingId") else None,
                       int(sequence) if sequence is not None else None)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a letter job: {exc}") from exc


def recipients(links: list[tuple[StudentGuardian, Guardian]]) -> list[Guardian]:
    """See the module docstring. `links` come by priority."""
    ordered = sorted(links, key=lambda pair: (pair[0].priority, pair[0].guardian_id))
    with_pr = [pair for pair in ordered if pair[0].parental_responsibility]
    first = (with_pr or ordered)[:1]
    others = [pair for pair in with_pr if pair not in first and not pair[0].lives_with_pupil]
    return [guardian for _, guardian in first + others]


class LetterRenderer:
    def __init__(self, instances: InterventionStore, roster: StudentDetails, templates: TemplateSource,
                 merge: MergeDataBuilder, pdf: PdfRenderer, blobs: LetterBlobs, artifacts: ArtifactStore,
                 audit: AuditLog, clock: Clock, drafts: TranslationDrafts | None = None,
                 meetings: MeetingLookup | None = None) -> None:
        self._instances, self._roster, self._templates, self._merge = instances, roster, templates, merge
        self._meetings = meetings  # reads a meeting invitation's meeting
        self._pdf, self._blobs, self._artifacts = pdf, blobs, artifacts
        self._audit, self._clock = audit, clock
        self._drafts = drafts  # None: no translator configured, no machine-translated drafts

    def handle(self, job: LetterJob, attempt: int = 1) -> list[LetterArtifact]:
        """The job's artifacts (empty when skipped). Raises on failure (the host retries)."""
        instance = self._instances.instance(job.tenant_id, job.school_id, job.instance_id)
        meeting = self._meeting(job)
        if job.meeting_id is None:
            why = _stale(instance, job)
        else:
            why = stale_invitation(instance, meeting, job.stage_order, job.meeting_sequence) if meeting else (
                f"meeting {job.meeting_id} does not exist")
        if why and self._sent_already(instance, job):
            # a redelivery (its first attempt failed after the letters were stored, and they went
            # out meanwhile): nothing was skipped, so nothing to audit
            log.info("letter job for instance %s stage %s: its letters were sent already",
                     job.instance_id, job.stage_order)
            return []
        if why:
            log.info("letter job skipped: instance %s stage %s: %s", job.instance_id,
                     job.stage_order, why)
            self._audit.record(actor=None, tenant_id=job.tenant_id, school_id=job.school_id,
                               action="letter.skipped", entity_type="intervention",
                               entity_id=job.instance_id,
                               after={"stageOrder": job.stage_order, "reason": why})
            return []
        done: list[LetterArtifact] = []
        try:
            templates = self._templates.for_school(job.tenant_id, job.school_id)  # one read per job
            for planned in self._plan(job, instance, templates, meeting):
                done.append(self._render(planned, templates))
        except Exception as exc:
            if attempt >= MAX_ATTEMPTS:
                self._give_up(job, instance, exc, attempt)
            raise
        return done

    def _sent_already(self, instance: StudentInterventionInstance, job: LetterJob) -> bool:
        """The stage's letter action is DONE with this job's letters among its rendered ones."""
        if (job.meeting_id is not None or instance.stage_order != job.stage_order
                or instance.action is not ActionState.DONE):
            return False
        letters = [a for a in self._artifacts.for_stage(job.tenant_id, job.school_id, job.instance_id,
                                                         job.stage_order) if a.action_id == job.action_id]
        return bool(letters) and all(a.status.done for a in letters)

    def _meeting(self, job: LetterJob) -> InterventionMeeting | None:
        if job.meeting_id is None:
            return None
        if self._meetings is None:
            raise ValueError("a meeting invitation job, but no meeting store is configured")
        try:
            return self._meetings.meeting(job.tenant_id, job.school_id, job.meeting_id)
        except NotFound:
            return None

    def _plan(self, job: LetterJob, instance: StudentInterventionInstance, templates: SchoolTemplates,
              meeting: InterventionMeeting | None = None) -> list[LetterArtifact]:
        """One artifact per recipient (the stored one when it exists, else a new PENDING one),
        each followed by its school-language companion where the school keeps one."""
        sequence = meeting.sequence if meeting else None
        # a letter and its companion share the guardian: keyed apart by being a companion
        existing = {(a.guardian_id, a.companion_of is not None): a for a in self._artifacts.for_stage(
            job.tenant_id, job.school_id, job.instance_id, job.stage_order)
            if (a.meeting_id, a.meeting_sequence) == (job.meeting_id, sequence)}
        item = self._instances.queue_item(job.tenant_id, job.school_id, job.action_id)
        if not item.template_key:
            raise ValidationFailed(f"stage {job.stage_order} names no letter template",
                                   field="templateKey")
        school = self._roster.school(job.tenant_id, job.school_id)
        detail = self._roster.student_detail(job.tenant_id, job.school_id, instance.student_id)
        guardians = recipients(detail.guardians)
        if not guardians:
            raise NotFound(f"student {instance.student_id} has no guardian to write to")
        now = self._clock.now()
        planned = []
        for guardian in guardians:
            letter = existing.get((guardian.guardian_id, False))
            if letter is None:
                template, missing = self._template(job.tenant_id, templates, item.template_key,
                                                   guardian.preferred_language, school.language, now.date())
                source = templates.approved(template.key, school.language, now.date()) if (
                    school.keep_source_letter and template.language != school.language) else None
                # one merge build serves the letter and its companion: the same facts in both
                merged = with_fields_of(template, source) if source else template
                data = dict(self._merge.build(merged, instance, school, detail, guardian, now.date()))
                if meeting is not None and "meetingWhen" in merged.merge_fields:
                    data["meetingWhen"] = meeting_when(meeting, school.zone, template.language)
                letter = self._insert(LetterArtifact(
                    id=artifact_id(instance.id, job.stage_order, guardian.guardian_id, template.language,
                                   template.key, template.version, job.meeting_id, sequence or 0),
                    tenant_id=job.tenant_id, school_id=job.school_id, student_id=instance.student_id,
                    instance_id=instance.id, stage_order=job.stage_order, action_id=job.action_id,
                    template_key=template.key, template_version=template.version,
                    guardian_id=guardian.guardian_id, language=template.language,
                    status=ArtifactStatus.PENDING, generated_at=now, merge_data=snapshot_json(data),
                    missing_translation=missing, meeting_id=job.meeting_id, meeting_sequence=sequence))
            planned.append(letter)
            kept = existing.get((guardian.guardian_id, True))
            if kept is None and wants_companion(school, letter) and not letter.status.done:
                # not for a letter already rendered: it may be out, and a companion is only sent with it
                kept = self._companion(letter, templates, school, now, meeting)
            if kept is not None:
                planned.append(kept)
        return planned

    def _companion(self, letter: LetterArtifact, templates: SchoolTemplates, school: School,
                   now: datetime, meeting: InterventionMeeting | None) -> LetterArtifact | None:
        source = templates.approved(letter.template_key, school.language, now.date())
        if source is None:  # the translated letter still goes out; the original cannot be kept
            log.warning("letter %s: no approved %s template to keep beside it", letter.id, school.language)
            return None
        kept = companion(letter, source, now)
        if meeting is not None and "meetingWhen" in source.merge_fields:
            # the same meeting, worded in the original's language rather than the translation's
            data = {**json.loads(kept.merge_data),
                    "meetingWhen": meeting_when(meeting, school.zone, source.language)}
            kept = replace(kept, merge_data=snapshot_json(data))
        return self._insert(kept)

    def _insert(self, artifact: LetterArtifact) -> LetterArtifact:
        try:
            return self._artifacts.insert(artifact)
        except AlreadyExists:  # a concurrent delivery of the same job wrote it first
            return self._artifacts.get(artifact.tenant_id, artifact.school_id, artifact.id)

    def _template(self, tenant_id: str, templates: SchoolTemplates, key: str, language: str,
                  school_language: str, on: date) -> tuple[LetterTemplate, str | None]:
        """The template in the guardian's language, else in the school's with the language missing."""
        template = templates.approved(key, language, on)
        if template is not None:
            return template, None
        template = templates.approved(key, school_language, on)
        if template is None:
            raise NotFound(f"no approved template {key!r} in {school_language!r}")
        if language and language != template.language:
            self._request_translation(tenant_id, template, language)
        return template, language

    def _request_translation(self, tenant_id: str, template: LetterTemplate, language: str) -> None:
        """A machine-translated draft for staff to approve; its failure never fails the letter."""
        if self._drafts is None:
            return
        try:
            self._drafts.request(tenant_id, template, language)
        except Exception as exc:  # the letter goes out in the school language regardless
            log.warning("machine translation of template %s v%s to %s failed: %s", template.key,
                        template.version, language, type(exc).__name__)

    def _render(self, artifact: LetterArtifact, templates: SchoolTemplates) -> LetterArtifact:
        if artifact.status.done:
            return artifact
        template = templates.version(artifact.template_key, artifact.language, artifact.template_version)
        dates = {n for n, spec in template.merge_fields.items() if spec["type"] == "date"}
        # a snapshot shared with a companion may carry fields only the other template declares
        data = only_declared(template, snapshot_data(artifact.merge_data, dates))
        if "chart" in template.merge_fields:  # trusted markup, added after the JSON snapshot
            data = with_chart(data)
        html = render_html(template, data)
        pdf = self._pdf(html, title=f"{template.key} v{template.version}")
        path = letter_path(artifact.tenant_id, artifact.school_id, artifact.id)
        self._blobs.put(LETTERS, path, pdf.content, content_type="application/pdf",
                        metadata={"artifactId": artifact.id})
        saved = self._artifacts.replace(artifact.rendered(path, pdf.sha256, self._clock.now()))
        self._audit.record(actor=None, tenant_id=artifact.tenant_id, school_id=artifact.school_id,
                           action="letter.rendered", entity_type="letterArtifact", entity_id=artifact.id,
                           after={"contentHash": pdf.sha256, "language": artifact.language,
                                  "templateVersion": artifact.template_version})
        return saved

    def _give_up(self, job: LetterJob, instance: StudentInterventionInstance, exc: Exception,
                 attempt: int) -> None:
        reason = f"{type(exc).__name__}: {exc}"[:1000]
        stage = [a for a in self._artifacts.for_stage(job.tenant_id, job.school_id, job.instance_id,
                                                      job.stage_order) if a.meeting_id == job.meeting_id
                 and job.meeting_sequence in (None, a.meeting_sequence)]
        unfinished = [a for a in stage if not a.status.done]
        if not stage:
            # failed before any recipient was planned: one job-level artifact carries the reason
            unfinished = [LetterArtifact(
                id=artifact_id(instance.id, job.stage_order, NO_GUARDIAN, NO_GUARDIAN, NO_GUARDIAN, 0,
                               job.meeting_id, job.meeting_sequence or 0),
                tenant_id=job.tenant_id, school_id=job.school_id, student_id=instance.student_id,
                instance_id=instance.id, stage_order=job.stage_order, action_id=job.action_id,
                template_key=NO_GUARDIAN, template_version=0, guardian_id=NO_GUARDIAN,
                language=NO_GUARDIAN, status=ArtifactStatus.PENDING, generated_at=self._clock.now(),
                meeting_id=job.meeting_id, meeting_sequence=job.meeting_sequence)]
        for artifact in unfinished:
            self._artifacts.replace(replace(artifact.failed(reason, attempt), etag=None))
            self._audit.record(actor=None, tenant_id=job.tenant_id, school_id=job.school_id,
                               action="letter.failed", entity_type="letterArtifact", entity_id=artifact.id,
                               after={"reason": reason, "attempts": attempt})
        log.warning("letter job failed for good: instance %s stage %s after %s attempts",
                    job.instance_id, job.stage_order, attempt)


def _stale(instance: StudentInterventionInstance, job: LetterJob) -> str | None:
    if instance.status is not InstanceStatus.ACTIVE:
        return f"the instance is {instance.status.value}"
    if instance.stage_order != job.stage_order:
        return f"the instance is at stage {instance.stage_order}, not {job.stage_order}"
    if instance.action is not ActionState.APPROVED:
        return f"the stage's action is {instance.action.value}, not APPROVED"
    return None
