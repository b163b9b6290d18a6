"""Composition root: build Settings, SDK clients, repositories and services once, lazily."""

from __future__ import annotations

import threading
from functools import cached_property, partial

from adapters import clients
from adapters.blobs import BlobStore
from adapters.identity import TokenValidator
from adapters.local_events import TABLE as LOCAL_EVENTS_TABLE
from adapters.local_events import TableEventPublisher
from adapters.queues import QueueSender
from adapters.table_audit import TABLE as AUDIT_TABLE
from adapters.table_audit import TableAuditRepository
from adapters.table_jobs import TABLE as JOBRUNS_TABLE
from adapters.table_jobs import TableJobRunRepository
from adapters.tables import Table, Tables
from domain.paths import CONTAINERS
from services.audit import AuditLog
from services.jobs import JobRuns
from services.outbox import DISPATCH_QUEUE, EventPublisher, Outbox, Relay
from services.ports import Clock, SystemClock
from settings import Settings

# Every table the app uses; `ensure_storage` creates them (Bicep does in Azure).
TABLES = [JOBRUNS_TABLE, AUDIT_TABLE, LOCAL_EVENTS_TABLE]
QUEUES = [DISPATCH_QUEUE]
# Tables whose services stage outbox events (services.outbox.stage): the outbox-sweep timer
# scans these for rows whose nudge was lost. Add a table here when it starts staging events.
OUTBOX_TABLES: list[str] = []


class Container:
    """Everything a trigger needs. Built on first use, not at import (cold start)."""

    def __init__(self, settings: Settings | None = None, clock: Clock | None = None) -> None:
        self.settings = settings or Settings()
        self.clock: Clock = clock or SystemClock()

    @cached_property
    def tables(self) -> Tables:
        return Tables(clients.table_service(self.settings.storage))

    @cached_property
    def blob_service(self):  # type: ignore[no-untyped-def]
        return clients.blob_service(self.settings.storage)

    @cached_property
    def queue_service(self):  # type: ignore[no-untyped-def]
        return clients.queue_service(self.settings.storage)

    @cached_property
    def blobs(self) -> BlobStore:
        return BlobStore(self.blob_service)

    @cached_property
    def queues(self) -> QueueSender:
        return QueueSender(self.queue_service)

    @cached_property
    def jobs(self) -> JobRuns:
        return JobRuns(TableJobRunRepository(self.tables(JOBRUNS_TABLE)), self.clock)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(TableAuditRepository(self.tables(AUDIT_TABLE)), self.clock)

    @cached_property
    def token_validator(self) -> TokenValidator:
        return TokenValidator(self.settings)

    @cached_property
    def publisher(self) -> EventPublisher:
        """Service Bus when a namespace is configured, else the `localevents` table."""
        if self.settings.service_bus.configured:
            from adapters.servicebus import ServiceBusPublisher, topic_sender_factory

            return ServiceBusPublisher(topic_sender_factory(self.settings.service_bus,
                                                            self.settings.domain_events_topic))
        return TableEventPublisher(self.tables(LOCAL_EVENTS_TABLE))

    @cached_property
    def outbox(self) -> Outbox:
        return Outbox(self.clock, partial(self.queues.send, DISPATCH_QUEUE))

    @cached_property
    def relay(self) -> Relay:
        return Relay(self.publisher)

    @cached_property
    def outbox_tables(self) -> list[Table]:
        """What the sweep covers (tests may assign their own list)."""
        return [self.tables(name) for name in OUTBOX_TABLES]

    def ensure_storage(self) -> None:
        """Create tables, queues and containers if missing (local run and tests)."""
        for name in TABLES:
            self.tables(name).create_if_missing()
        for queue in QUEUES:
            self.queues.ensure(queue)  # and its -poison twin
        for blob_container in CONTAINERS:
            self.blobs.ensure_container(blob_container)


_lock = threading.Lock()
_container: Container | None = None


def container() -> Container:
    global _container
    with _lock:
        if _container is None:
            _container = Container()
        return _container


def use_container(value: Container | None) -> None:
    """Swap the container (tests, devhost); None resets to the default on next use."""
    global _container
    with _lock:
        _container = value
