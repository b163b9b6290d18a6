"""Rule-set JSON in, a model or every problem with the field it is in out.

Paths read like the JSON: `stages[1].entry.conditions[0].threshold` (list positions from 0);
pydantic's own locations carry the union tag (`...conditions.0.absenceCountThreshold...`),
which is dropped, and problems found by model validators are spliced in under their model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from domain.platform.errors import ValidationFailed
from domain.rules.conditions import CONDITION_TYPES
from domain.rules.ruleset import InterventionRuleSet, Track, ladder_problems

_KNOWN = ", ".join(sorted(CONDITION_TYPES))


class RuleSetInvalid(ValidationFailed):
    """`field` is the first problem's path; `problems` lists them all as (path, message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{p or 'ruleSet'}: {m}" for p, m in problems), field=problems[0][0])
        self.problems = problems


def _join(base: str, more: str) -> str:
    if not more:
        return base
    if not base or more.startswith("["):
        return base + more
    return f"{base}.{more}"


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in CONDITION_TYPES:  # a discriminated union's tag, not a field
            path = _join(path, part)
    return path


def _explain(error: Mapping[str, Any]) -> list[tuple[str, str]]:
    path, kind, ctx = _path(error["loc"]), error["type"], error.get("ctx") or {}
    if kind == "rule_set":
        return [(_join(path, p), m) for p, m in ctx["problems"]]
    if kind == "union_tag_invalid":
        return [(_join(path, "type"), f"unknown condition type {ctx['tag']!r}; expected one of: {_KNOWN}")]
    if kind == "union_tag_not_found":
        return [(_join(path, "type"), f"a condition needs a type, one of: {_KNOWN}")]
    if kind == "value_error":
        return [(path, str(ctx.get("error", error["msg"])))]
    return [(path, error["msg"])]


def _problems(error: ValidationError) -> list[tuple[str, str]]:
    errors = error.errors()
    locs = [e["loc"] for e in errors]
    problems: list[tuple[str, str]] = []
    for e in errors:
        # a list whose only item failed is also reported as too short: the item says more
        if e["type"] == "too_short" and any(len(o) > len(e["loc"]) and o[:len(e["loc"])] == e["loc"]
                                            for o in locs):
            continue
        problems.extend(_explain(e))
    return problems


def validation_problems(raw: str | bytes | Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every problem in a rule set's JSON (text or parsed) as (field path, message); [] if valid."""
    try:
        parse_rule_set(raw)
    except RuleSetInvalid as invalid:
        return invalid.problems
    return []


def parse_rule_set(raw: str | bytes | Mapping[str, Any]) -> InterventionRuleSet:
    """The rule set, or RuleSetInvalid (a ValidationFailed, HTTP 422) naming every problem."""
    try:
        if isinstance(raw, str | bytes):
            return InterventionRuleSet.model_validate_json(raw)
        return InterventionRuleSet.model_validate(raw)
    except ValidationError as error:
        problems = _problems(error) or [("", str(error))]
        seen = {path for path, _ in problems}
        problems += [p for p in _raw_ladder_problems(raw) if p[0] not in seen]
        raise RuleSetInvalid(problems) from None


def _raw_ladder_problems(raw: str | bytes | Mapping[str, Any]) -> list[tuple[str, str]]:
    """The ladder's own checks on the raw JSON: pydantic skips a model's validator when one of
    its fields failed, and a client fixing one problem at a time is a poor experience."""
    try:
        data = raw if isinstance(raw, Mapping) else json.loads(raw)
    except ValueError:
        return []
    stages = data.get("stages") if isinstance(data, Mapping) else None
    if not isinstance(stages, list):
        return []
    return ladder_problems([(s.get("order"), s.get("type")) if isinstance(s, Mapping) else (None, None)
                            for s in stages], data.get("track", Track.SUPPORT))
