"""Roster wiring: schools, calendars, students and code mappings."""

from __future__ import annotations

from functools import cached_property

from adapters.tables.roster import TableRoster
from adapters.tables.roster_entities import TABLES as ROSTER_TABLES
from composition.platform import Platform
from services.roster.ports import RosterReader
from services.roster.service import RosterService

TABLES = list(ROSTER_TABLES)


class RosterWiring:
    def __init__(self, platform: Platform) -> None:
        self._platform = platform

    @cached_property
    def store(self) -> TableRoster:
        return TableRoster(self._platform.tables)

    @cached_property
    def reader(self) -> RosterReader:
        """Schools, calendars, students and code mappings for the other capabilities' services."""
        return self.store

    @cached_property
    def service(self) -> RosterService:
        return RosterService(self.store, self._platform.audit)
