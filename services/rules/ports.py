"""What the intervention scheduler reads about rule sets (adapters/tables/rules.py implements it;
services/rules/service.py writes the same table)."""

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


Versioned = tuple[InterventionRuleSet, str]  # a rule set's newest version and its ETag


class RuleSetStore(RuleSetReader, Protocol):
    def newest(self, tenant_id: str, rule_set_id: str) -> Versioned | None: ...

    def listing(self, tenant_id: str, school_id: str | None) -> list[Versioned]:
        """Newest versions: every rule set (None), or the tenant's plus that school's."""
        ...

    def create(self, rule_set: InterventionRuleSet) -> str:
        """Version 1; returns its ETag. Raises AlreadyExists."""
        ...

    def add_version(self, rule_set: InterventionRuleSet, etag: str) -> str:
        """Version n+1 if version n still has `etag`; returns the new ETag. Raises
        ConcurrencyError."""
        ...

    def replace_newest(self, rule_set: InterventionRuleSet, etag: str) -> str:
        """Rewrite the newest version (its active flag); raises ConcurrencyError."""
        ...
