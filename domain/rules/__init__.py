"""Intervention rules: the condition language, rule sets of staged interventions, jurisdiction
presets, and their evaluation against daily summary rows. Pure: no storage, HTTP or clock.

    from domain.rules import EvaluationContext, evaluate, load_preset, parse_rule_set
"""

from domain.rules.conditions import AbsenceCategory, Condition
from domain.rules.context import EvaluationContext, Exemption, InstanceFacts
from domain.rules.evaluate import (
    evaluate,
    is_due,
    required_days,
    rule_set_days,
    should_escalate,
    should_stop,
    stage_days,
)
from domain.rules.outcome import Outcome
from domain.rules.presets import load_preset, load_presets, preset_for
from domain.rules.ruleset import InterventionRuleSet, InterventionStage, StageType, Track
from domain.rules.validation import RuleSetInvalid, parse_rule_set, validation_problems

__all__ = [
    "AbsenceCategory", "Condition", "EvaluationContext", "Exemption", "InstanceFacts",
    "InterventionRuleSet", "InterventionStage", "Outcome", "RuleSetInvalid", "StageType", "evaluate",
    "is_due", "load_preset", "load_presets", "parse_rule_set", "preset_for", "required_days", "rule_set_days",
    "should_escalate", "should_stop", "stage_days", "Track", "validation_problems",
]
