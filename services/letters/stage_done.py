"""A letter stage's action done once its letters are all DELIVERED (`mark_done`: LETTER_SENT), so
the ladder's wait starts and the nightly stops re-sending the job. For a meeting invitation only
the invitations of the meeting at that sequence count (MEETING_SCHEDULED); kept originals
(services/letters/companions.py) are not letters of their own: they go out with their letter.
Called by the delivery after each letter it sends, and for a letter delivered before.
"""

from __future__ import annotations

from domain.ladder.model import ActionState, InstanceStatus
from domain.ladder.transitions import mark_done
from domain.letters.artifacts import ArtifactStatus, LetterArtifact
from domain.platform.errors import ConcurrencyError
from domain.roster.schools import School
from services.interventions.effects import Collected
from services.interventions.ports import InterventionStore
from services.letters.ports import ArtifactStore
from services.platform.ports import Clock


class StageCompletion:
    def __init__(self, artifacts: ArtifactStore, instances: InterventionStore, clock: Clock) -> None:
        self._artifacts, self._instances, self._clock = artifacts, instances, clock

    def finish(self, artifact: LetterArtifact, school: School) -> None:
        """mark_done once the stage's letters are all DELIVERED; a refused save re-reads once."""
        stage = self._letters(artifact)
        if any(a.status is not ArtifactStatus.DELIVERED for a in stage):
            return
        for _ in range(2):
            instance = self._instances.instance(artifact.tenant_id, artifact.school_id, artifact.instance_id)
            if (instance.status is not InstanceStatus.ACTIVE or instance.stage_order != artifact.stage_order
                    or instance.action is not ActionState.APPROVED):
                return  # already done (a concurrent delivery) or the instance moved on
            now = self._clock.now()
            day = school.local_date(now)
            data = {"letters": str(len(stage))}
            if artifact.meeting_id:
                data["meetingId"] = artifact.meeting_id
            after, events = mark_done(instance, on=day, at=now, data=data)
            item = self._instances.queue_item(artifact.tenant_id, artifact.school_id, artifact.action_id)
            found = Collected(instance.student_id, self._instances.case(
                artifact.tenant_id, artifact.school_id, instance.student_id))
            found.add(after, events, item.template_key, on=day, now=now)
            change = found.change()
            assert change is not None
            if not self._instances.save(artifact.tenant_id, artifact.school_id, [change]):
                return
        raise ConcurrencyError(f"instance {artifact.instance_id} changed while its letter was marked sent")

    def _letters(self, artifact: LetterArtifact) -> list[LetterArtifact]:
        """The letters of `artifact`'s stage (of its meeting at its sequence), originals left out."""
        return [a for a in self._artifacts.for_stage(artifact.tenant_id, artifact.school_id,
                                                     artifact.instance_id, artifact.stage_order)
                if (a.meeting_id, a.meeting_sequence) == (artifact.meeting_id, artifact.meeting_sequence)
                and a.companion_of is None]
