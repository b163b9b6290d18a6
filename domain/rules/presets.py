"""Jurisdiction presets: rule-set templates shipped as JSON beside this module (`presets/`), and
copied into a tenant (or one of its schools) by the service. Their legal basis is in each file's
`description` and `sources`, and in docs/rules.md.

A jurisdiction has one or more tracks: its support ladder first (`load_preset`), then its
statutory tracks, which run beside it (`load_presets`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from domain.roster.schools import Jurisdiction
from domain.rules.ruleset import InterventionRuleSet
from domain.rules.validation import parse_rule_set

PRESETS_DIR = Path(__file__).with_name("presets")
PRESET_FILES = {Jurisdiction.ENGLAND: ("england.json", "england-penalty.json"),
                Jurisdiction.IRELAND: ("ireland.json", "ireland-tusla-20-days.json",
                                       "ireland-suspension.json"),
                Jurisdiction.CALIFORNIA: ("california.json",)}


@lru_cache(maxsize=len(PRESET_FILES))
def load_presets(jurisdiction: Jurisdiction | str) -> tuple[InterventionRuleSet, ...]:
    """Every track's template for `jurisdiction` ("ENG", "IE", "US-CA"), the support ladder
    first, each validated like any rule set."""
    return tuple(parse_rule_set((PRESETS_DIR / name).read_bytes())
                 for name in PRESET_FILES[Jurisdiction(jurisdiction)])


def load_preset(jurisdiction: Jurisdiction | str) -> InterventionRuleSet:
    """The support ladder's template for `jurisdiction`."""
    return load_presets(jurisdiction)[0]


def preset_for(jurisdiction: Jurisdiction | str, *, tenant_id: str, rule_set_id: str,
               school_id: str | None = None,
               template: InterventionRuleSet | None = None) -> InterventionRuleSet:
    """A preset installed for a tenant (or one school): a new rule set, version 1, active.
    `template`: one of `load_presets(jurisdiction)`; the support ladder by default."""
    template = template or load_preset(jurisdiction)
    return InterventionRuleSet.model_validate({**template.to_json(), "id": rule_set_id,
                                               "tenantId": tenant_id, "schoolId": school_id,
                                               "version": 1, "active": True})
