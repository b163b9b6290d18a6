"""Request and response shapes of the rule-set routes (camelCase JSON).

A rule set travels as its own JSON (`InterventionRuleSet.to_json()`, docs/rules.md), so what a
GET returns can be edited and PUT back as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from domain.ladder.simulation import Impact, Timeline
from domain.platform.errors import DomainError
from domain.rules import InterventionRuleSet
from functions.http.platform.routes import ApiModel
from functions.http.shell.params import IsoDate


class PreconditionRequired(DomainError):
    """A versioned write without `If-Match`: lost updates are refused, not risked."""

    status = 428
    title = "Precondition required"


RULE_SET_BODY: dict[str, Any] = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["jurisdiction", "name", "stages"],
    "description": "An InterventionRuleSet (docs/rules.md): jurisdiction, name, stages with entry, "
                   "stop and escalation conditions. `id` is optional on create; `tenantId`, "
                   "`schoolId` and `version` are set by the server."}}}}


class RuleSetPage(ApiModel):
    items: list[dict[str, Any]] = Field(description="The newest version of each rule set")
    continuation_token: str | None = None


class SimulateRequest(ApiModel):
    student_id: str = Field(min_length=1, max_length=128)
    rule_set_id: str | None = Field(default=None, min_length=1, max_length=100,
                                    description="Neither this nor draft: every active rule set (each track)")
    version: int | None = Field(default=None, ge=1, description="Default: the newest")
    draft: dict[str, Any] | None = Field(default=None, description="A rule set to try instead of a saved one")
    until: IsoDate | None = Field(default=None, description="Replay up to this date (default today)")


class TimelineEntryView(ApiModel):
    date: dt.date
    kind: str = Field(description="STAGE_ENTERED, STOPPED, ESCALATED or COMPLETED")
    stage_order: int
    stage_type: str
    evidence: list[str]
    reason: str | None = None
    track: str = Field(default="SUPPORT", description="The track of the rule set it belongs to")
    rule_set_id: str | None = None


class TrackSimulationView(ApiModel):
    """One rule set's (one track's) replay."""

    rule_set_id: str
    version: int
    track: str = Field(description="SUPPORT (the support ladder) or STATUTORY (a legal track)")
    name: str
    entries: list[TimelineEntryView]
    status: str | None = Field(description="The latest instance's status at the end; null: never started")
    stage_order: int | None = None

    @classmethod
    def of(cls, rule_set: InterventionRuleSet, timeline: Timeline) -> TrackSimulationView:
        last = timeline.instance
        return cls(rule_set_id=rule_set.id, version=rule_set.version, track=rule_set.track.value,
                   name=rule_set.name,
                   entries=[TimelineEntryView(date=e.on, kind=e.kind.value, stage_order=e.stage_order,
                                              stage_type=e.stage_type.value, evidence=list(e.evidence),
                                              reason=e.reason, track=rule_set.track.value,
                                              rule_set_id=rule_set.id) for e in timeline.entries],
                   status=last.status.value if last else None, stage_order=last.stage_order if last else None)


class SimulationView(ApiModel):
    """The first track's replay at the top (the rule set asked for, or the support ladder), and
    every track replayed in `tracks`; `entries` holds all of them, by date."""

    student_id: str
    rule_set_id: str
    version: int
    entries: list[TimelineEntryView]
    status: str | None = Field(description="The latest instance's status at the end; null: never started")
    stage_order: int | None = None
    track: str = "SUPPORT"
    tracks: list[TrackSimulationView] = Field(default_factory=list)

    @classmethod
    def of(cls, rule_set: InterventionRuleSet, timeline: Timeline) -> SimulationView:
        return cls.of_tracks(timeline.student_id, [(rule_set, timeline)])

    @classmethod
    def of_tracks(cls, student_id: str,
                  replays: list[tuple[InterventionRuleSet, Timeline]]) -> SimulationView:
        tracks = [TrackSimulationView.of(rule_set, timeline) for rule_set, timeline in replays]
        first = tracks[0]
        entries = sorted((e for t in tracks for e in t.entries), key=lambda e: e.date)  # stable per track
        return cls(student_id=student_id, rule_set_id=first.rule_set_id, version=first.version,
                   entries=entries, status=first.status, stage_order=first.stage_order, track=first.track,
                   tracks=tracks)


class StageImpactView(ApiModel):
    order: int
    type: str
    name: str
    at_stage: int = Field(description="Students whose intervention is at this stage on the date")
    entering_today: int
    entered: int = Field(description="Students entering this stage at least once this year, to the date")


class ImpactView(ApiModel):
    rule_set_id: str
    version: int
    name: str
    stages: list[StageImpactView]
    closed: dict[str, int] = Field(description="Students with an intervention closed each way")

    @classmethod
    def of(cls, rule_set: InterventionRuleSet, impact: Impact) -> ImpactView:
        return cls(rule_set_id=rule_set.id, version=rule_set.version, name=rule_set.name,
                   stages=[StageImpactView(order=s.order, type=s.type.value, name=s.name,
                                           at_stage=impact.at_stage.get(s.order, 0),
                                           entering_today=impact.entering_today.get(s.order, 0),
                                           entered=impact.entered.get(s.order, 0))
                           for s in rule_set.stages],
                   closed={status.value: n for status, n in impact.closed.items()})


class PreviewView(ApiModel):
    date: dt.date
    students: int = Field(description="Students with daily summaries this school year")
    draft: ImpactView
    active: list[ImpactView] = Field(description="The school's active rule sets (its own and the tenant's)")
