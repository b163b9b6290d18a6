"""Rules wiring: intervention rule sets, their presets and the impact preview."""

from __future__ import annotations

from functools import cached_property

from adapters.tables.rules import TABLE as RULESETS_TABLE
from adapters.tables.rules import TableRuleSets
from composition.attendance import AttendanceWiring
from composition.interventions import InterventionsWiring
from composition.platform import Platform
from composition.roster import RosterWiring
from services.rules.ports import RuleSetReader
from services.rules.preview import RulePreviews
from services.rules.service import RuleSets

TABLES = [RULESETS_TABLE]


class RulesWiring:
    def __init__(self, platform: Platform, roster: RosterWiring, attendance: AttendanceWiring,
                 interventions: InterventionsWiring) -> None:
        self._platform, self._roster = platform, roster
        self._attendance, self._interventions = attendance, interventions

    @cached_property
    def store(self) -> TableRuleSets:
        return TableRuleSets(self._platform.tables(RULESETS_TABLE))

    @cached_property
    def reader(self) -> RuleSetReader:
        """Active rule sets and exact versions, for the intervention scheduler."""
        return self.store

    @cached_property
    def rule_sets(self) -> RuleSets:
        return RuleSets(self.store, self._roster.reader, self._platform.audit)

    @cached_property
    def previews(self) -> RulePreviews:
        attendance = self._attendance
        return RulePreviews(self.rule_sets, self.store, self._roster.reader, attendance.summary_store,
                            attendance.year_rows, self._platform.clock,
                            instances=self._interventions.store)
