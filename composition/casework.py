"""Casework wiring: exemptions, case resolutions and work tasks."""

from __future__ import annotations

from functools import cached_property

from adapters.tables.casework import TableCaseworkStore
from adapters.tables.interventions import TABLE as INTERVENTIONS_TABLE
from composition.interventions import InterventionsWiring
from composition.platform import Platform
from composition.roster import RosterWiring
from services.casework.service import Casework


class CaseworkWiring:
    def __init__(self, platform: Platform, roster: RosterWiring, interventions: InterventionsWiring) -> None:
        self._platform, self._roster, self._interventions = platform, roster, interventions

    @cached_property
    def store(self) -> TableCaseworkStore:
        """Exemptions, case resolutions and work tasks, in the `interventions` table."""
        return TableCaseworkStore(self._platform.tables(INTERVENTIONS_TABLE))

    @cached_property
    def service(self) -> Casework:
        p = self._platform
        return Casework(self.store, self._interventions.store, self._roster.reader, p.audit, p.clock)
