"""Render one `letter-jobs` message (services/letters/job.py): the stage's letter for each
recipient guardian (planned by services/letters/planning.py), as a PDF in Blob storage (immutable,
SHA-256 in its metadata) and a `LetterArtifact` row.

Idempotent: a recipient whose artifact is RENDERED or DELIVERED is skipped; a PENDING one (a
crash before the PDF was stored) is re-rendered from its merge-data snapshot and template
version, so the bytes and the blob path are the same. A job whose instance has moved on (no
longer ACTIVE, another stage, action not APPROVED) is skipped with an audit record saying why,
unless it is a redelivery of a job whose letters were stored and then sent meanwhile (the stage's
action DONE, this action's artifacts all rendered or past that): that is logged, not audited.
From the 5th failed attempt on, the job's unfinished artifacts are marked FAILED with the reason
and the error re-raised, so the host moves the message to `letter-jobs-poison`.

A meeting invitation (services/meetings/invitations.py) is stale when its meeting is
(`stale_invitation`).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from domain.ladder.model import ActionState, StudentInterventionInstance
from domain.letters.artifacts import LetterArtifact, snapshot_data
from domain.letters.authoring import only_declared
from domain.letters.merge import with_chart
from domain.letters.render import render_html
from domain.meetings.model import InterventionMeeting
from domain.platform.errors import NotFound
from domain.platform.paths import LETTERS, letter_path
from services.interventions.ports import InterventionStore
from services.letters.job import MAX_ATTEMPTS, LetterJob, job_artifact, stale
from services.letters.planning import LetterPlanner
from services.letters.ports import (
    ArtifactStore,
    LetterBlobs,
    MergeDataBuilder,
    PdfRenderer,
    SchoolTemplates,
    StudentDetails,
    TemplateSource,
)
from services.letters.recipients import LetterLanguage
from services.letters.translation import TranslationDrafts
from services.meetings.invitations import MeetingLookup, stale_invitation
from services.platform.audit import AuditLog
from services.platform.ports import Clock

log = logging.getLogger(__name__)


class LetterRenderer:
    def __init__(self, instances: InterventionStore, roster: StudentDetails, templates: TemplateSource,
                 merge: MergeDataBuilder, pdf: PdfRenderer, blobs: LetterBlobs, artifacts: ArtifactStore,
                 audit: AuditLog, clock: Clock, drafts: TranslationDrafts | None = None,
                 meetings: MeetingLookup | None = None) -> None:
        self._instances, self._templates = instances, templates
        self._meetings = meetings  # reads a meeting invitation's meeting
        self._pdf, self._blobs, self._artifacts = pdf, blobs, artifacts
        self._audit, self._clock = audit, clock
        self._planner = LetterPlanner(instances, roster, merge, artifacts, LetterLanguage(drafts), clock)

    def handle(self, job: LetterJob, attempt: int = 1) -> list[LetterArtifact]:
        """The job's artifacts (empty when skipped). Raises on failure (the host retries)."""
        instance = self._instances.instance(job.tenant_id, job.school_id, job.instance_id)
        meeting = self._meeting(job)
        if job.meeting_id is None:
            why = stale(instance, job)
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
            for planned in self._planner.plan(job, instance, templates, meeting):
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
            unfinished = [job_artifact(job, instance, self._clock.now())]
        for artifact in unfinished:
            self._artifacts.replace(replace(artifact.failed(reason, attempt), etag=None))
            self._audit.record(actor=None, tenant_id=job.tenant_id, school_id=job.school_id,
                               action="letter.failed", entity_type="letterArtifact", entity_id=artifact.id,
                               after={"reason": reason, "attempts": attempt})
        log.warning("letter job failed for good: instance %s stage %s after %s attempts",
                    job.instance_id, job.stage_order, attempt)
