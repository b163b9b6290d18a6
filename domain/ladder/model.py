"""The stage ladder's state: one student's run through one rule set's stages.

A `StudentInterventionInstance` sits on one stage at a time and tracks that stage's action
(send the letter, schedule the meeting, escalate) from DUE to DONE. What may happen next is
decided in `domain/ladder/transitions.py` (staff and system commands) and
`domain/ladder/nightly.py` (what the nightly run does on its own); `domain/ladder/events.py`
holds the append-only, hash-chained history. Everything here is pure: dates come in as
arguments, and the conditions arrive as already-evaluated facts (`StageFacts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple, Protocol

from domain.platform.errors import DomainError, ValidationFailed
from domain.rules.baseline import StageBaseline
from domain.rules.ruleset import StageType, Track

GENESIS_HASH = "0" * 64  # the `previous_hash` of an instance's first event


class InvalidTransition(DomainError):
    """The command is not allowed in the instance's state (approve twice, skip a closed
    instance, advance before the wait): a conflict with the current state, not bad input."""

    status = 409
    title = "Conflict"


class InstanceStatus(StrEnum):
    ACTIVE = "ACTIVE"
    STOPPED = "STOPPED"
    COMPLETED = "COMPLETED"
    ESCALATED = "ESCALATED"

    @property
    def closed(self) -> bool:
        return self is not InstanceStatus.ACTIVE


class ActionState(StrEnum):
    """The current stage's action. DUE only lasts until the nightly queues it."""

    DUE = "DUE"
    QUEUED = "QUEUED"  # in today's queue, waiting for staff (or for the auto-approval)
    APPROVED = "APPROVED"  # the letter job or meeting booking is under way
    DONE = "DONE"  # letter sent, meeting scheduled: the stage's wait starts counting
    SKIPPED = "SKIPPED"  # staff declined it; the ladder cannot pass this stage until re-queued
    SNOOZED = "SNOOZED"  # back in the queue on `snoozed_until`


@dataclass(frozen=True, slots=True)
class LadderStage:
    """A stage as the ladder needs it; `wait_school_days` counts from the day its action is DONE."""

    order: int
    type: StageType
    wait_school_days: int = 0
    requires_approval: bool = True
    template_key: str | None = None


@dataclass(frozen=True, slots=True)
class Ladder:
    """The ladder mechanics of one rule set version (`domain/ladder/rule_facts.py` builds it from an
    `InterventionRuleSet`); conditions are evaluated elsewhere and arrive as `StageFacts`.
    A STATUTORY `track`'s stages are alternatives: a start enters the first whose entry holds.
    `repeat_within_year`: it may start again in the school year it closed in."""

    rule_set_id: str
    version: int
    stages: tuple[LadderStage, ...]
    cool_off_school_days: int = 0
    intervention_between_letters: bool = False
    track: Track = Track.SUPPORT
    repeat_within_year: bool = False

    def __post_init__(self) -> None:
        if [s.order for s in self.stages] != list(range(1, len(self.stages) + 1)):
            raise ValidationFailed("stages must be numbered 1, 2, 3 ... in order", field="stages")
        if any(s.wait_school_days < 0 for s in self.stages) or self.cool_off_school_days < 0:
            raise ValidationFailed("waits and cool-off cannot be negative", field="stages")

    def stage(self, order: int) -> LadderStage:
        if not 1 <= order <= len(self.stages):
            raise ValidationFailed(f"rule set {self.rule_set_id} v{self.version} has no stage {order}",
                                   field="stage")
        return self.stages[order - 1]

    def next_after(self, order: int) -> LadderStage | None:
        return self.stages[order] if order < len(self.stages) else None


class Finding(NamedTuple):
    """A condition evaluated for one student and day, with evidence a parent would understand."""

    met: bool
    evidence: tuple[str, ...] = ()


class ConditionResult(Protocol):
    """What the ladder reads from a condition's outcome (a `Finding`, or the rules' `Outcome`)."""

    @property
    def met(self) -> bool: ...
    @property
    def evidence(self) -> str | Iterable[str]: ...


class StageFacts(Protocol):
    """Today's conditions for one student under one rule set, by stage order. `stop` and
    `escalation` answer as if the instance were at stage `order`, entered today when it is not
    there yet (the nightly asks before starting or entering a stage). A stage without stop or
    escalation conditions answers "not met"; implementations may evaluate lazily."""

    def entry(self, order: int) -> ConditionResult: ...
    def stop(self, order: int) -> ConditionResult: ...
    def escalation(self, order: int) -> ConditionResult: ...


def words(evidence: str | Iterable[str]) -> tuple[str, ...]:
    """Evidence as a tuple of sentences, whichever shape the condition returned."""
    return (evidence,) if isinstance(evidence, str) else tuple(str(e) for e in evidence)


@dataclass(frozen=True, slots=True)
class StudentRef:
    tenant_id: str
    school_id: str
    student_id: str


@dataclass(frozen=True, slots=True)
class StudentInterventionInstance:
    """One student's run through one rule set version. The rule set version is fixed at start:
    editing a rule set makes a new version, and running instances keep theirs.

    `event_count` and `last_hash` are the head of the event chain, so the next event can be
    chained without reading the history; `etag` belongs to the storage adapter."""

    id: str
    tenant_id: str
    school_id: str
    student_id: str
    rule_set_id: str
    rule_set_version: int
    status: InstanceStatus
    stage_order: int
    stage_type: StageType
    action: ActionState
    started_on: date
    stage_entered_on: date  # a school day
    stage_evidence: tuple[str, ...] = ()  # why the current stage was entered
    action_done_on: date | None = None
    snoozed_until: date | None = None
    intervention_since_done: bool = False  # an intervention logged after this stage's action was done
    closed_on: date | None = None
    closed_reason: str | None = None
    event_count: int = 0
    last_hash: str = GENESIS_HASH
    etag: str | None = None
    # A meeting's MEDICAL_PLAN pauses the ladder (domain/ladder/pause.py): the nightly neither
    # advances, queues nor escalates it through `paused_until`, and resumes it after.
    paused_until: date | None = None
    pause_reason: str | None = None
    # The counters on the day the current stage was entered, for conditions looking back to it
    # (domain/rules/baseline.py). None: stored before baselines, or entered where no row was at
    # hand (a meeting's outcome); those read the entry day's row instead.
    stage_baseline: StageBaseline | None = None
    # When the current action was last approved (`approve`): the nightly's lost-letter-job check
    # (services/letters/resend.py) reads it here instead of the events. `approved_at` is None for
    # the nightly's own approvals (no wall-clock time); both None on rows stored before they existed.
    approved_on: date | None = None
    approved_at: datetime | None = None
    track: Track = Track.SUPPORT  # the rule set's, at start; rows stored before tracks are SUPPORT

    @property
    def student(self) -> StudentRef:
        return StudentRef(self.tenant_id, self.school_id, self.student_id)
