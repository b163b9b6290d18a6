"""Attendance wiring: marks in, normalization, daily summaries, the nightly's normalize jobs."""

from __future__ import annotations

from datetime import date
from functools import cached_property

from adapters.tables.marks import (
    MARK_CHANGES,
    MARK_HISTORY,
    MARKS,
    TableMarkChangeRepository,
    TableMarkHistoryRepository,
    TableMarkRepository,
)
from adapters.tables.marks import TABLES as MARK_TABLES
from adapters.tables.summaries import LATEST as LATEST_SUMMARIES_TABLE
from adapters.tables.summaries import SUMMARIES as SUMMARIES_TABLE
from adapters.tables.summaries import TABLES as SUMMARY_TABLES
from adapters.tables.summaries import TableLeaseRepository, TableSummaryRepository
from adapters.tables.year_rows import TableYearRows
from composition.platform import Platform
from composition.roster import RosterWiring
from services.attendance.ingestion import Ingestion
from services.attendance.normalization import Normalization
from services.attendance.normalize_jobs import NORMALIZE_QUEUE, NormalizeJobs
from services.attendance.summaries import Summaries
from services.interventions.jobs import EVALUATE_QUEUE, evaluate_request

TABLES = [*MARK_TABLES, *SUMMARY_TABLES]
QUEUES = [NORMALIZE_QUEUE]
# the summaries stage outbox events (services.platform.outbox.stage): the sweep scans this table
OUTBOX_TABLES = [LATEST_SUMMARIES_TABLE]


class AttendanceWiring:
    def __init__(self, platform: Platform, roster: RosterWiring) -> None:
        self._platform, self._roster = platform, roster

    @cached_property
    def marks(self) -> TableMarkRepository:
        return TableMarkRepository(self._platform.tables(MARKS))

    @cached_property
    def mark_changes(self) -> TableMarkChangeRepository:
        return TableMarkChangeRepository(self._platform.tables(MARK_CHANGES))

    @cached_property
    def ingestion(self) -> Ingestion:
        p = self._platform
        history = TableMarkHistoryRepository(p.tables(MARK_HISTORY))
        return Ingestion(self._roster.reader, self.marks, history, self.mark_changes, p.blobs, p.audit,
                         p.clock)

    @cached_property
    def summary_store(self) -> TableSummaryRepository:
        tables = self._platform.tables
        return TableSummaryRepository(tables(SUMMARIES_TABLE), tables(LATEST_SUMMARIES_TABLE),
                                      self._platform.outbox)

    @cached_property
    def year_rows(self) -> TableYearRows:
        """A whole school's daily summaries over a date range, for the rule-set impact preview."""
        return TableYearRows(self._platform.tables(SUMMARIES_TABLE))

    @cached_property
    def summaries(self) -> Summaries:
        return Summaries(self.summary_store)

    @cached_property
    def normalization(self) -> Normalization:
        tables = self._platform.tables
        # round trips from the shared counter: exact per run while one run uses the composition
        return Normalization(self._roster.reader, self.marks, self.mark_changes, self.summary_store,
                             TableLeaseRepository(tables(LATEST_SUMMARIES_TABLE)), self._platform.clock,
                             lambda: tables.counter.round_trips)

    @cached_property
    def normalize_jobs(self) -> NormalizeJobs:
        p = self._platform
        return NormalizeJobs(self._roster.reader, self.normalization, p.jobs, p.audit, p.clock,
                             p.sender(NORMALIZE_QUEUE), self._evaluate_after)

    def _evaluate_after(self, tenant_id: str, school_id: str, day: date, force: bool) -> None:
        """After a school's normalization: run the intervention scheduler for the same date."""
        self._platform.queues.send(EVALUATE_QUEUE, evaluate_request(tenant_id, school_id, day, force=force))
