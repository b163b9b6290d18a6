"""Intervention rule sets: a ladder of stages (letters, a meeting, an escalation), each with the
condition that makes it due, the school days to wait before the next one, and the conditions
that stop or escalate an intervention at that stage.

A rule set is one track of a jurisdiction. A SUPPORT track is the ladder above. A STATUTORY
track is a legal duty that runs beside it and is never gated by it: its stages are ESCALATION
alternatives, not rungs (a start enters the first one whose entry holds), and with
`repeatWithinYear` it may start again in the same school year, counting only absence after the
day the last one started (England's penalty notices; docs/rules.md).

`parse_rule_set` and `validation_problems` report every problem with the field it is in, as a
path into the JSON (`stages[1].entry.conditions[0].threshold`, list positions from 0).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from domain.roster.schools import Jurisdiction
from domain.rules.base import RuleModel
from domain.rules.conditions import All, Any, Condition, Not
from domain.rules.stage_conditions import STAGE_FACT_TYPES


class Track(StrEnum):
    SUPPORT = "SUPPORT"  # letters, meetings: a ladder taken in order
    STATUTORY = "STATUTORY"  # a legal duty beside the ladder (penalty notice, a report to Tusla)


class StageType(StrEnum):
    """In ladder order: a rule set's stages follow it, each type at most once."""

    LETTER_1 = "LETTER_1"
    LETTER_2 = "LETTER_2"
    MEETING = "MEETING"
    ESCALATION = "ESCALATION"

    @property
    def rank(self) -> int:
        return list(StageType).index(self)

    @property
    def is_letter(self) -> bool:
        return self in (StageType.LETTER_1, StageType.LETTER_2)


def _problems(problems: list[tuple[str, str]]) -> PydanticCustomError:
    """One error carrying several (path below this model, message) pairs; `validation_problems`
    unpacks them, because a model validator cannot point pydantic at a nested field itself."""
    summary = "; ".join(f"{path}: {message}" for path, message in problems)
    return PydanticCustomError("rule_set", "{summary}", {"summary": summary, "problems": problems})


def _stage_fact_paths(condition: Condition, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(condition, STAGE_FACT_TYPES):
        yield path, condition.type
    elif isinstance(condition, All | Any):
        for i, part in enumerate(condition.conditions):
            yield from _stage_fact_paths(part, f"{path}.conditions[{i}]")
    elif isinstance(condition, Not):
        yield from _stage_fact_paths(condition.condition, f"{path}.condition")


class InterventionStage(RuleModel):
    order: int = Field(ge=1, le=10)
    type: StageType
    name: str = Field(min_length=1, max_length=120)
    letter_template_key: str | None = Field(default=None, min_length=1, max_length=100)
    entry: Condition  # makes the stage due
    wait_school_days: int = Field(ge=0, le=200)  # before the next stage may start
    requires_approval: bool = True
    stop_conditions: tuple[Condition, ...] = Field(default=(), max_length=20)  # any one stops
    escalation_conditions: tuple[Condition, ...] = Field(default=(), max_length=20)  # any one escalates

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = []
        if self.type.is_letter and self.letter_template_key is None:
            problems.append(("letterTemplateKey", f"a {self.type.value} stage needs a letter template"))
        for path, kind in _stage_fact_paths(self.entry, "entry"):
            problems.append((path, f"{kind} is about an intervention already under way, so it can "
                                   "stop or escalate a stage but not make one due"))
        if problems:
            raise _problems(problems)
        return self


def ladder_problems(stages: Sequence[tuple[object, object]],
                    track: object = Track.SUPPORT) -> list[tuple[str, str]]:
    """Orders 1..n in the listed order, types in ladder order and unique, from (order, type)
    pairs; in a STATUTORY track every stage is an ESCALATION. Also run on raw JSON when other
    fields fail, so one answer lists every problem; a value that is not an int or a StageType
    is skipped here, pydantic reports it."""
    problems = []
    previous: StageType | None = None
    for i, (order, kind) in enumerate(stages):
        if isinstance(order, int) and order != i + 1:
            problems.append((f"stages[{i}].order", f"expected {i + 1}: stages are listed in order "
                                                   "and numbered 1, 2, 3… without gaps"))
        if not isinstance(kind, str) or kind not in StageType.__members__:
            continue
        current = StageType(kind)
        if track == Track.STATUTORY:
            if current is not StageType.ESCALATION:
                problems.append((f"stages[{i}].type", "a STATUTORY track's stages are ESCALATION "
                                                      "steps (a duty to consider or report)"))
            continue
        if previous is not None and current.rank <= previous.rank:
            problems.append((f"stages[{i}].type",
                             f"{current.value} cannot follow {previous.value}: the ladder runs "
                             "LETTER_1, LETTER_2, MEETING, ESCALATION, each at most once"))
        previous = current
    return problems


class ActionLimit(RuleModel):
    """At most `count` of stage 1's actions done within `years` years for the same student;
    after that a start enters stage 2 instead (England: at most two penalty notices to a parent
    for the same pupil within three years, then other action is considered)."""

    count: int = Field(ge=1, le=20)
    years: int = Field(ge=1, le=10)


class InterventionRuleSet(RuleModel):
    """Tenant-wide when `school_id` is None. Editing makes a new `version`; an intervention keeps
    the version it started under. Presets have no tenant until installed. `track`: stored rule
    sets without one are SUPPORT ladders."""

    id: str = Field(min_length=1, max_length=100)
    tenant_id: str | None = Field(default=None, min_length=1, max_length=100)
    school_id: str | None = Field(default=None, min_length=1, max_length=100)
    jurisdiction: Jurisdiction
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    sources: tuple[str, ...] = Field(default=(), max_length=20)
    version: int = Field(default=1, ge=1)
    active: bool = True
    stages: tuple[InterventionStage, ...] = Field(min_length=1, max_length=10)
    cool_off_school_days: int = Field(default=20, ge=0, le=200)  # before a stopped student re-enters
    require_intervention_between_letters: bool = False
    track: Track = Track.SUPPORT
    repeat_within_year: bool = False  # STATUTORY: start again this year on absence not yet counted
    limit: ActionLimit | None = None  # STATUTORY, two stages: stage 1 at most this often

    @model_validator(mode="after")
    def _ladder(self) -> Self:
        problems = ladder_problems([(stage.order, stage.type) for stage in self.stages], self.track)
        statutory = self.track is Track.STATUTORY
        if not statutory and self.repeat_within_year:
            problems.append(("repeatWithinYear", "only a STATUTORY track starts again within a school year"))
        if not statutory and self.limit is not None:
            problems.append(("limit", "only a STATUTORY track has a limit"))
        if statutory and len(self.stages) > 2:
            problems.append(("stages", "a STATUTORY track has one stage, or two with a limit"))
        if statutory and len(self.stages) == 2 and self.limit is None:
            problems.append(("limit", "a STATUTORY track's stage 2 is what it proposes once stage 1 "
                                      "reached its limit: give limit {count, years}"))
        if statutory and self.limit is not None and len(self.stages) != 2:
            problems.append(("stages", "a limit needs a stage 2: what to propose instead"))
        if problems:
            raise _problems(problems)
        return self

    def stage(self, order: int) -> InterventionStage:
        return self.stages[order - 1]

    def stage_after(self, order: int) -> InterventionStage | None:
        return self.stages[order] if order < len(self.stages) else None
