"""Interventions wiring: the instances and the staff queue of their actions. Rules, casework,
meetings and letters read and write instances; the nightly scheduler is wired in nightly.py,
after them, since it reads every one of them."""

from __future__ import annotations

from functools import cached_property

from adapters.tables.interventions import TABLE as INTERVENTIONS_TABLE
from adapters.tables.interventions import TableInterventionStore
from composition.platform import Platform
from composition.roster import RosterWiring
from services.interventions.batch import BatchApproval
from services.interventions.effects import LETTER_JOBS_QUEUE
from services.interventions.jobs import EVALUATE_QUEUE
from services.interventions.queue import InterventionQueue

TABLES = [INTERVENTIONS_TABLE]
QUEUES = [EVALUATE_QUEUE, LETTER_JOBS_QUEUE]
# instances stage outbox events (services.platform.outbox.stage): the sweep scans this table
OUTBOX_TABLES = [INTERVENTIONS_TABLE]


class InterventionsWiring:
    def __init__(self, platform: Platform, roster: RosterWiring) -> None:
        self._platform, self._roster = platform, roster

    @cached_property
    def store(self) -> TableInterventionStore:
        return TableInterventionStore(self._platform.tables(INTERVENTIONS_TABLE), self._platform.outbox)

    @cached_property
    def queue(self) -> InterventionQueue:
        p = self._platform
        return InterventionQueue(self.store, self._roster.reader, p.audit, p.clock,
                                 p.sender(LETTER_JOBS_QUEUE))

    @cached_property
    def batch_approval(self) -> BatchApproval:
        p = self._platform
        return BatchApproval(self.store, self.queue, p.clock, p.sender(LETTER_JOBS_QUEUE))
