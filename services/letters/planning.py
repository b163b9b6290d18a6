"""Planning a letter job: the artifact each recipient gets, the stored one when it exists, else a
new PENDING one holding the merge-data snapshot it will be rendered from (so a re-render gives
the same bytes), each followed by its school-language companion where the school keeps one
(services/letters/companions.py). Recipients and language: services/letters/recipients.py.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime

from domain.ladder.model import StudentInterventionInstance
from domain.letters.artifacts import ArtifactStatus, LetterArtifact, artifact_id, snapshot_json
from domain.letters.meeting_when import meeting_when
from domain.letters.templates import LetterTemplate
from domain.meetings.model import InterventionMeeting
from domain.platform.errors import AlreadyExists, NotFound, ValidationFailed
from domain.roster.schools import Guardian, School
from services.interventions.ports import InterventionStore
from services.letters.companions import companion, wants_companion, with_fields_of
from services.letters.job import LetterJob
from services.letters.ports import ArtifactStore, MergeDataBuilder, SchoolTemplates, StudentDetails
from services.letters.recipients import LetterLanguage, recipients
from services.platform.ports import Clock
from services.roster.ports import StudentDetail

log = logging.getLogger(__name__)
Existing = dict[tuple[str, bool], LetterArtifact]  # by (guardian, is a companion)


@dataclass(frozen=True)
class Stage:
    """What every letter of one job shares."""

    job: LetterJob
    instance: StudentInterventionInstance
    templates: SchoolTemplates
    meeting: InterventionMeeting | None
    template_key: str
    school: School
    detail: StudentDetail
    guardians: list[Guardian]  # the recipients, in order
    now: datetime

    @property
    def sequence(self) -> int | None:
        return self.meeting.sequence if self.meeting else None


class LetterPlanner:
    def __init__(self, instances: InterventionStore, roster: StudentDetails, merge: MergeDataBuilder,
                 artifacts: ArtifactStore, language: LetterLanguage, clock: Clock) -> None:
        self._instances, self._roster, self._merge = instances, roster, merge
        self._artifacts, self._language, self._clock = artifacts, language, clock

    def plan(self, job: LetterJob, instance: StudentInterventionInstance, templates: SchoolTemplates,
             meeting: InterventionMeeting | None = None) -> list[LetterArtifact]:
        """One artifact per recipient, each followed by its companion where the school keeps one.
        ValidationFailed when the stage names no template; NotFound when no guardian is on file."""
        existing = self._existing(job, meeting)
        stage = self._stage(job, instance, templates, meeting)
        planned: list[LetterArtifact] = []
        for guardian in stage.guardians:
            letter = existing.get((guardian.guardian_id, False))
            if letter is None:
                letter = self._insert(self._letter(stage, guardian))
            planned.append(letter)
            kept = existing.get((guardian.guardian_id, True))
            if kept is None and wants_companion(stage.school, letter) and not letter.status.done:
                # not for a letter already rendered: it may be out, and a companion is only sent with it
                kept = self._companion(letter, stage)
            if kept is not None:
                planned.append(kept)
        return planned

    def _existing(self, job: LetterJob, meeting: InterventionMeeting | None) -> Existing:
        sequence = meeting.sequence if meeting else None
        # a letter and its companion share the guardian: keyed apart by being a companion
        return {(a.guardian_id, a.companion_of is not None): a for a in self._artifacts.for_stage(
            job.tenant_id, job.school_id, job.instance_id, job.stage_order)
            if (a.meeting_id, a.meeting_sequence) == (job.meeting_id, sequence)}

    def _stage(self, job: LetterJob, instance: StudentInterventionInstance, templates: SchoolTemplates,
               meeting: InterventionMeeting | None) -> Stage:
        item = self._instances.queue_item(job.tenant_id, job.school_id, job.action_id)
        if not item.template_key:
            raise ValidationFailed(f"stage {job.stage_order} names no letter template",
                                   field="templateKey")
        school = self._roster.school(job.tenant_id, job.school_id)
        detail = self._roster.student_detail(job.tenant_id, job.school_id, instance.student_id)
        guardians = recipients(detail.guardians)
        if not guardians:
            raise NotFound(f"student {instance.student_id} has no guardian to write to")
        return Stage(job, instance, templates, meeting, item.template_key, school, detail, guardians,
                     self._clock.now())

    def _letter(self, stage: Stage, guardian: Guardian) -> LetterArtifact:
        """A new PENDING letter in the guardian's language (or the school's), with its snapshot."""
        job, school, on = stage.job, stage.school, stage.now.date()
        template, missing = self._language.template(job.tenant_id, stage.templates, stage.template_key,
                                                    guardian.preferred_language, school.language, on)
        data = self._merge_data(stage, guardian, template)
        return LetterArtifact(
            id=artifact_id(stage.instance.id, job.stage_order, guardian.guardian_id, template.language,
                           template.key, template.version, job.meeting_id, stage.sequence or 0),
            tenant_id=job.tenant_id, school_id=job.school_id, student_id=stage.instance.student_id,
            instance_id=stage.instance.id, stage_order=job.stage_order, action_id=job.action_id,
            template_key=template.key, template_version=template.version,
            guardian_id=guardian.guardian_id, language=template.language,
            status=ArtifactStatus.PENDING, generated_at=stage.now, merge_data=snapshot_json(data),
            missing_translation=missing, meeting_id=job.meeting_id, meeting_sequence=stage.sequence)

    def _merge_data(self, stage: Stage, guardian: Guardian, template: LetterTemplate) -> dict[str, object]:
        """One merge build serves the letter and its companion: the same facts in both."""
        school, on = stage.school, stage.now.date()
        source = stage.templates.approved(template.key, school.language, on) if (
            school.keep_source_letter and template.language != school.language) else None
        merged = with_fields_of(template, source) if source else template
        data = dict(self._merge.build(merged, stage.instance, school, stage.detail, guardian, on))
        if stage.meeting is not None and "meetingWhen" in merged.merge_fields:
            data["meetingWhen"] = meeting_when(stage.meeting, school.zone, template.language)
        return data

    def _companion(self, letter: LetterArtifact, stage: Stage) -> LetterArtifact | None:
        school, now = stage.school, stage.now
        source = stage.templates.approved(letter.template_key, school.language, now.date())
        if source is None:  # the translated letter still goes out; the original cannot be kept
            log.warning("letter %s: no approved %s template to keep beside it", letter.id, school.language)
            return None
        kept = companion(letter, source, now)
        if stage.meeting is not None and "meetingWhen" in source.merge_fields:
            # the same meeting, worded in the original's language rather than the translation's
            data = {**json.loads(kept.merge_data),
                    "meetingWhen": meeting_when(stage.meeting, school.zone, source.language)}
            kept = replace(kept, merge_data=snapshot_json(data))
        return self._insert(kept)

    def _insert(self, artifact: LetterArtifact) -> LetterArtifact:
        try:
            return self._artifacts.insert(artifact)
        except AlreadyExists:  # a concurrent delivery of the same job wrote it first
            return self._artifacts.get(artifact.tenant_id, artifact.school_id, artifact.id)
