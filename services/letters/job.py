"""One `letter-jobs` message: the stage whose letter to render (services/letters/render.py), when
it no longer applies, and the artifact that records a job failed before any letter was planned.

A job with `meetingId` is a meeting invitation (services/meetings/invitations.py): its artifacts
are those of that meeting at that `meetingSequence`, and its staleness is the meeting's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.letters.artifacts import NO_GUARDIAN, ArtifactStatus, LetterArtifact, artifact_id

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


def stale(instance: StudentInterventionInstance, job: LetterJob) -> str | None:
    """Why a (non-meeting) job no longer applies to `instance`, or None when it does."""
    if instance.status is not InstanceStatus.ACTIVE:
        return f"the instance is {instance.status.value}"
    if instance.stage_order != job.stage_order:
        return f"the instance is at stage {instance.stage_order}, not {job.stage_order}"
    if instance.action is not ActionState.APPROVED:
        return f"the stage's action is {instance.action.value}, not APPROVED"
    return None


def job_artifact(job: LetterJob, instance: StudentInterventionInstance, at: datetime) -> LetterArtifact:
    """The one job-level artifact that carries the reason of a job that failed before any
    recipient was planned (no guardian, template or language of its own)."""
    return LetterArtifact(
        id=artifact_id(instance.id, job.stage_order, NO_GUARDIAN, NO_GUARDIAN, NO_GUARDIAN, 0,
                       job.meeting_id, job.meeting_sequence or 0),
        tenant_id=job.tenant_id, school_id=job.school_id, student_id=instance.student_id,
        instance_id=instance.id, stage_order=job.stage_order, action_id=job.action_id,
        template_key=NO_GUARDIAN, template_version=0, guardian_id=NO_GUARDIAN,
        language=NO_GUARDIAN, status=ArtifactStatus.PENDING, generated_at=at,
        meeting_id=job.meeting_id, meeting_sequence=job.meeting_sequence)
