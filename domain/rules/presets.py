"""Jurisdiction presets: rule-set templates shipped as JSON beside this module (`presets/`), and
copied into a tenant (or one of its schools) by the service. Their legal basis is in each file's
`description` and `sources`, and in docs/rules.md."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from domain.rules.ruleset import InterventionRuleSet
from domain.rules.validation import parse_rule_set
from domain.schools import Jurisdiction

PRESETS_DIR = Path(__file__).with_name("presets")
PRESET_FILES = {Jurisdiction.ENGLAND: "england.json", Jurisdiction.IRELAND: "ireland.json",
                Jurisdiction.CALIFORNIA: "california.json"}


@lru_cache(maxsize=len(PRESET_FILES))
def load_preset(jurisdiction: Jurisdiction | str) -> InterventionRuleSet:
    """The template for `jurisdiction` ("ENG", "IE", "US-CA"), validated like any rule set."""
    return parse_rule_set((PRESETS_DIR / PRESET_FILES[Jurisdiction(jurisdiction)]).read_bytes())


def preset_for(jurisdiction: Jurisdiction | str, *, tenant_id: str, rule_set_id: str,
               school_id: str | None = None) -> InterventionRuleSet:
    """A preset installed for a tenant (or one school): a new rule set, version 1, active."""
    template = load_preset(jurisdiction)
    return InterventionRuleSet.model_validate({**template.to_json(), "id": rule_set_id,
                                               "tenantId": tenant_id, "schoolId": school_id,
                                               "version": 1, "active": True})
