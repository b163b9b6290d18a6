"""The platform pieces every capability builds on: settings, clock, SDK clients, tables, blobs,
queues, job runs, audit, the outbox and its relay, the rate limiter, tokens and mail.

Nothing here talks to Azure until first use: the Flex Consumption host gives the app 30 s to start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from adapters.identity import TokenValidator
from adapters.storage import clients
from adapters.storage.blobs import BlobStore
from adapters.storage.local_events import TABLE as LOCAL_EVENTS_TABLE
from adapters.storage.local_events import TableEventPublisher
from adapters.storage.queues import QueueSender
from adapters.storage.tables import Table, Tables
from adapters.tables.audit import TABLE as AUDIT_TABLE
from adapters.tables.audit import TableAuditRepository
from adapters.tables.jobs import TABLE as JOBRUNS_TABLE
from adapters.tables.jobs import TableJobRunRepository
from domain.platform.paths import CONTAINERS
from services.platform.audit import AuditLog
from services.platform.jobs import JobRuns
from services.platform.outbox import DISPATCH_QUEUE, EventPublisher, Outbox, Relay
from services.platform.ports import Clock
from services.platform.rate_limits import CallerLimiter
from services.platform.relay_jobs import RelayJobs
from settings import Settings

if TYPE_CHECKING:
    from azure.storage.blob import BlobServiceClient
    from azure.storage.queue import QueueServiceClient

    from adapters.smtp import SmtpMailer

TABLES = [JOBRUNS_TABLE, AUDIT_TABLE, LOCAL_EVENTS_TABLE]
QUEUES = [DISPATCH_QUEUE]


class Platform:
    """`outbox_tables`: the tables whose services stage outbox events, which the sweep scans."""

    def __init__(self, settings: Settings, clock: Clock, outbox_tables: Sequence[str] = ()) -> None:
        self.settings = settings
        self.clock = clock
        self._outbox_table_names = list(outbox_tables)

    @cached_property
    def tables(self) -> Tables:
        return Tables(clients.table_service(self.settings.storage))

    @cached_property
    def blob_service(self) -> BlobServiceClient:
        return clients.blob_service(self.settings.storage)

    @cached_property
    def queue_service(self) -> QueueServiceClient:
        return clients.queue_service(self.settings.storage)

    @cached_property
    def blobs(self) -> BlobStore:
        return BlobStore(self.blob_service)

    @cached_property
    def queues(self) -> QueueSender:
        return QueueSender(self.queue_service)

    def sender(self, queue: str) -> Callable[..., Any]:
        """QueueSender.send bound to one queue, for the services that send to it."""
        return partial(self.queues.send, queue)

    @cached_property
    def jobs(self) -> JobRuns:
        return JobRuns(TableJobRunRepository(self.tables(JOBRUNS_TABLE)), self.clock)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(TableAuditRepository(self.tables(AUDIT_TABLE)), self.clock)

    @cached_property
    def rate_limiter(self) -> CallerLimiter:
        """Requests per API caller on this instance (functions/http/shell/rate_limit.py)."""
        return CallerLimiter(self.settings.rate_limit_per_minute, self.settings.rate_limit_burst)

    @cached_property
    def token_validator(self) -> TokenValidator:
        return TokenValidator(self.settings)

    @cached_property
    def mailer(self) -> SmtpMailer:
        """The SMTP client letters and meeting notices go out through."""
        from adapters.smtp import SmtpMailer

        return SmtpMailer.from_settings(self.settings)

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
        return Outbox(self.clock, self.sender(DISPATCH_QUEUE))

    @cached_property
    def relay(self) -> Relay:
        return Relay(self.publisher)

    @cached_property
    def outbox_tables(self) -> list[Table]:
        """What the sweep covers (tests may assign their own list)."""
        return [self.tables(name) for name in self._outbox_table_names]

    @cached_property
    def relay_jobs(self) -> RelayJobs:
        """The relay's triggers: a nudge's partition now, the sweep once a minute."""
        return RelayJobs(self.relay, self.tables, lambda: self.outbox_tables, self.jobs, self.clock)

    def ensure_storage(self, tables: Iterable[str], queues: Iterable[str]) -> None:
        """Create tables, queues and containers if missing (local run and tests)."""
        for name in tables:
            self.tables(name).create_if_missing()
        for queue in queues:
            self.queues.ensure(queue)  # and its -poison twin
        for blob_container in CONTAINERS:
            self.blobs.ensure_container(blob_container)
