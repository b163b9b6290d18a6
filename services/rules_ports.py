"""What the intervention scheduler reads about rule sets (adapters/table_rules.py implements it;
services/rules.py writes the same table)."""

from __future__ import annotations

from typing import Protocol

from domain.rules import InterventionRuleSet


class RuleSetReader(Protocol):
    def active_for_school(self, tenant_id: str, school_id: str) -> list[InterventionRuleSet]:
        """Active rule sets that apply to the school: its own (schoolId set) and the tenant's
        (schoolId None), newest version of each. One partition read."""
        ...

    def version(self, tenant_id: str, rule_set_id: str, version: int) -> InterventionRuleSet:
        """An exact version (running instances keep the version they started under).
        Raises NotFound."""
        ...
