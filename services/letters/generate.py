"""Render a student's letter now, on request (`POST /api/letters/generate`), instead of waiting
for the `letter-jobs` queue: the same LetterRenderer with the same job, so the same artifact ids.

The student's ACTIVE instance (or the one named) must be at a LETTER stage whose action is
APPROVED: the letters are rendered (a second call finds them done and creates nothing). A DONE
action returns the letters already made. A DUE or QUEUED action must be approved in the queue
first; a non-letter stage or a skipped/snoozed action is a conflict too (409). Audited.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.ladder.model import ActionState, InstanceStatus, InvalidTransition, StudentInterventionInstance
from domain.ladder.queue import action_id
from domain.letters.artifacts import LetterArtifact
from domain.platform.access import Principal
from domain.platform.errors import NotFound
from services.interventions.ports import InterventionStore
from services.letters.job import LetterJob
from services.letters.ports import ArtifactStore
from services.letters.render import LetterRenderer
from services.platform.audit import AuditLog
from services.platform.context import current_correlation_id


class LetterGenerate:
    def __init__(self, instances: InterventionStore, artifacts: ArtifactStore,
                 renderer: Callable[[], LetterRenderer], audit: AuditLog) -> None:
        self._instances, self._artifacts, self._renderer, self._audit = instances, artifacts, renderer, audit

    def generate(self, actor: Principal, tenant_id: str, school_id: str, student_id: str,
                 instance_id: str | None = None) -> list[LetterArtifact]:
        instance = self._active(tenant_id, school_id, student_id, instance_id)
        if not instance.stage_type.is_letter:
            raise InvalidTransition(f"stage {instance.stage_order} is a {instance.stage_type.value} "
                                    "stage, not a letter")
        if instance.action in (ActionState.DUE, ActionState.QUEUED):
            raise InvalidTransition("this letter is not approved: approve it in the queue first")
        if instance.action is ActionState.DONE:
            made = self._artifacts.for_stage(tenant_id, school_id, instance.id, instance.stage_order)
        elif instance.action is ActionState.APPROVED:
            job = LetterJob(tenant_id, school_id, instance.id, instance.stage_order,
                            action_id(instance.id, instance.stage_order), current_correlation_id())
            made = self._renderer().handle(job)
        else:
            raise InvalidTransition(f"this letter's action is {instance.action.value}: re-queue it first")
        self._audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id, action="letter.generate",
                           entity_type="intervention", entity_id=instance.id,
                           after={"stageOrder": instance.stage_order, "artifacts": [a.id for a in made]})
        return made

    def _active(self, tenant_id: str, school_id: str, student_id: str,
                instance_id: str | None) -> StudentInterventionInstance:
        found = [i for i in self._instances.student_instances(tenant_id, school_id, student_id)
                 if i.status is InstanceStatus.ACTIVE and instance_id in (None, i.id)]
        if not found:
            raise NotFound(f"student {student_id} has no active intervention"
                           + (f" {instance_id}" if instance_id else ""),
                           field="instanceId" if instance_id else "studentId")
        return found[0]
