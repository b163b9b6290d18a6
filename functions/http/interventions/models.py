"""Request and response shapes of the intervention queue and student routes (camelCase JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field

from domain.casework.cases import Case, QueueItem
from domain.ladder.records import instance_to_record
from functions.http.platform.routes import ApiModel
from functions.http.shell.params import IsoDate
from services.interventions.batch import BatchOutcome
from services.interventions.queue import InstanceHistory, StudentHistory


class QueueItemView(ApiModel):
    id: str
    instance_id: str
    student_id: str
    rule_set_id: str
    rule_set_version: int
    stage_order: int
    stage_type: str
    action: str
    template_key: str | None
    evidence: list[str]
    stage_entered_on: dt.date
    queued_on: dt.date | None
    status: str
    paused_until: dt.date | None = None  # held by a medical plan: approving it is refused (409)
    track: str = Field(default="SUPPORT", description="SUPPORT (the support ladder) or STATUTORY "
                                                      "(a legal track beside it)")

    @classmethod
    def of(cls, item: QueueItem) -> QueueItemView:
        return cls(id=item.id, instance_id=item.instance_id, student_id=item.student_id,
                   rule_set_id=item.rule_set_id, rule_set_version=item.rule_set_version,
                   stage_order=item.stage_order, stage_type=item.stage_type.value, action=item.action.value,
                   template_key=item.template_key, evidence=list(item.evidence),
                   stage_entered_on=item.stage_entered_on, queued_on=item.queued_on, status=item.status,
                   paused_until=item.paused_until, track=item.track.value)


class QueuePage(ApiModel):
    items: list[QueueItemView]
    continuation_token: str | None = None


class ActionBody(ApiModel):
    reason: str | None = Field(default=None, max_length=500)


class SnoozeBody(ActionBody):
    until: IsoDate


class BatchApproveBody(ApiModel):
    action_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=100)


class BatchOutcomeView(ApiModel):
    action_id: str
    result: Literal["approved", "conflict"]
    reason: str | None = None
    item: QueueItemView | None = None

    @classmethod
    def of(cls, outcome: BatchOutcome) -> BatchOutcomeView:
        return cls(action_id=outcome.action_id, result="approved" if outcome.approved else "conflict",
                   reason=outcome.reason, item=QueueItemView.of(outcome.item) if outcome.item else None)


class BatchApproveView(ApiModel):
    results: list[BatchOutcomeView]


class CaseView(ApiModel):
    tier: int
    status: str
    opened_on: dt.date
    updated_on: dt.date
    instance_ids: list[str]

    @classmethod
    def of(cls, case: Case) -> CaseView:
        return cls(tier=case.tier, status=case.status.value, opened_on=case.opened_on,
                   updated_on=case.updated_on, instance_ids=list(case.instance_ids))


class ChainView(ApiModel):
    verified: bool
    broken_at: int | None = Field(description="Index of the first event that does not fit the chain")


class InstanceView(ApiModel):
    instance: dict[str, Any] = Field(description="The instance (its stored record)")
    events: list[dict[str, Any]]
    chain: ChainView

    @classmethod
    def of(cls, history: InstanceHistory) -> InstanceView:
        return cls(instance=instance_to_record(history.instance),
                   events=[e.to_record() for e in history.events],
                   chain=ChainView(verified=history.broken_at is None, broken_at=history.broken_at))


class StudentInterventionsView(ApiModel):
    student_id: str
    instances: list[InstanceView]
    case: CaseView | None

    @classmethod
    def of(cls, history: StudentHistory) -> StudentInterventionsView:
        return cls(student_id=history.student_id, instances=[InstanceView.of(h) for h in history.instances],
                   case=CaseView.of(history.case) if history.case else None)
