"""Wonde sync wiring: one WondeClient (one httpx pool) for every school, the sync state in
Tables, tokens from the settings (Key Vault references in Azure)."""

from __future__ import annotations

from functools import cached_property

from adapters.tables.sis import CONNECTIONS, STATE, TableSisState
from adapters.tables.sis import TABLES as SIS_TABLES
from adapters.wonde import WondeClient
from composition.attendance import AttendanceWiring
from composition.platform import Platform
from composition.roster import RosterWiring
from domain.platform.events import SisSyncCompleted
from services.sis.codes import CodeReviews
from services.sis.connections import Connections
from services.sis.jobs import SYNC_QUEUE, SyncJobs
from services.sis.ports import SisSource
from services.sis.steps import Deps
from services.sis.sync import SisSync
from settings import Settings

TABLES = list(SIS_TABLES)
QUEUES = [SYNC_QUEUE]


class SettingTokens:
    """A token from the JSON map setting WONDE_TOKENS, else from the app setting of that name
    (read when a sync starts, so a rotated Key Vault secret is picked up)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def token(self, setting: str) -> str | None:
        return self._settings.wonde_token(setting)


class SisWiring:
    def __init__(self, platform: Platform, roster: RosterWiring, attendance: AttendanceWiring) -> None:
        self._platform, self._roster, self._attendance = platform, roster, attendance

    @cached_property
    def source(self) -> SisSource:
        return WondeClient(base_url=self._platform.settings.wonde_base_url)

    @cached_property
    def state(self) -> TableSisState:
        tables = self._platform.tables
        return TableSisState(tables(CONNECTIONS), tables(STATE))

    @cached_property
    def connections(self) -> Connections:
        return Connections(self.state, SettingTokens(self._platform.settings), self._roster.reader,
                           self._platform.audit)

    def deps(self) -> Deps:
        return Deps(self.source, self.state, self._roster.store, self._roster.service,
                    self._attendance.ingestion, self._platform.audit)

    @cached_property
    def sync(self) -> SisSync:
        return SisSync(self.deps(), self.connections, self._platform.jobs, self._platform.clock,
                       self._normalize)

    @cached_property
    def codes(self) -> CodeReviews:
        return CodeReviews(self.deps(), self._platform.clock, self._normalize)

    @cached_property
    def jobs(self) -> SyncJobs:
        p = self._platform
        return SyncJobs(self.connections, self.sync, p.jobs, p.clock, p.sender(SYNC_QUEUE))

    def _normalize(self, completed: SisSyncCompleted) -> None:
        """The same chain as an SIS's `sis-sync-completed` message: normalize, then evaluate."""
        self._attendance.normalize_jobs.on_sis_sync(completed)
