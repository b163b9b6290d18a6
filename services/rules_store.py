"""What services/rules.py reads and writes about rule sets beyond the scheduler's
`RuleSetReader` (adapters/table_rules.py implements both)."""

from __future__ import annotations

from typing import Protocol

from domain.rules import InterventionRuleSet
from services.rules_ports import RuleSetReader

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
