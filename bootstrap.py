"""Composition root: build Settings, SDK clients, repositories and services once, lazily."""

from __future__ import annotations

import threading
from datetime import date
from functools import cached_property, partial

from adapters.identity import TokenValidator
from adapters.storage import clients
from adapters.storage.blobs import BlobStore
from adapters.storage.local_events import TABLE as LOCAL_EVENTS_TABLE
from adapters.storage.local_events import TableEventPublisher
from adapters.storage.queues import QueueSender
from adapters.storage.tables import Table, Tables
from adapters.tables.audit import TABLE as AUDIT_TABLE
from adapters.tables.audit import TableAuditRepository
from adapters.tables.casework import TableCaseworkStore
from adapters.tables.interventions import TABLE as INTERVENTIONS_TABLE
from adapters.tables.interventions import TableInterventionStore
from adapters.tables.jobs import TABLE as JOBRUNS_TABLE
from adapters.tables.jobs import TableJobRunRepository
from adapters.tables.letters import TABLE as LETTER_ARTIFACTS_TABLE
from adapters.tables.letters import TableLetterArtifacts
from adapters.tables.marks import (
    MARK_CHANGES,
    MARK_HISTORY,
    MARKS,
    TableMarkChangeRepository,
    TableMarkHistoryRepository,
    TableMarkRepository,
)
from adapters.tables.marks import TABLES as MARK_TABLES
from adapters.tables.meeting_notices import NOTICES_TABLE as MEETING_NOTICES_TABLE
from adapters.tables.meeting_notices import TableInvitations, TableNoticeMarks
from adapters.tables.meetings import TABLE as MEETINGS_TABLE
from adapters.tables.meetings import TableMeetingStore
from adapters.tables.print_batches import TABLE as PRINT_BATCHES_TABLE
from adapters.tables.print_batches import TablePrintBatches
from adapters.tables.roster import TableRoster
from adapters.tables.roster_entities import TABLES as ROSTER_TABLES
from adapters.tables.rules import TABLE as RULESETS_TABLE
from adapters.tables.rules import TableRuleSets
from adapters.tables.summaries import LATEST as LATEST_SUMMARIES_TABLE
from adapters.tables.summaries import SUMMARIES as SUMMARIES_TABLE
from adapters.tables.summaries import TABLES as SUMMARY_TABLES
from adapters.tables.summaries import TableLeaseRepository, TableSummaryRepository
from adapters.tables.templates import TABLE as LETTER_TEMPLATES_TABLE
from adapters.tables.templates import TableLetterTemplates
from adapters.tables.year_rows import TableYearRows
from domain.meetings.model import InterventionMeeting
from domain.platform.paths import CONTAINERS
from services.attendance.ingestion import Ingestion
from services.attendance.normalization import Normalization
from services.attendance.normalize_jobs import NORMALIZE_QUEUE, NormalizeJobs
from services.attendance.summaries import Summaries
from services.casework.service import Casework
from services.interventions.batch import BatchApproval
from services.interventions.effects import LETTER_JOBS_QUEUE
from services.interventions.housekeeping import Housekeeping
from services.interventions.jobs import EVALUATE_QUEUE, InterventionJobs, evaluate_request
from services.interventions.nightly import Nightly
from services.interventions.queue import InterventionQueue
from services.interventions.scheduler import Scheduler
from services.interventions.school_night import NightReader
from services.letters.artifacts import LetterArtifacts
from services.letters.delivery import LetterDelivery, Mailer
from services.letters.generate import LetterGenerate
from services.letters.ports import MergeDataBuilder, TemplateSource
from services.letters.previews import LetterPreviews
from services.letters.print_batch_jobs import PRINT_BATCH_QUEUE, PrintBatchJobs
from services.letters.print_batches import PrintBatches
from services.letters.render import LetterRenderer
from services.letters.sources import SummaryMergeBuilder
from services.letters.sweep import LetterSweep
from services.letters.templates import LetterTemplateAdmin
from services.letters.templates_source import StoredTemplateSource, TemplateCatalog
from services.letters.translation import TranslationDrafts
from services.meetings.cancellation import MEETING_NOTICES_QUEUE, MeetingCancellations, cancellation_job
from services.meetings.cancellation_resend import LostCancellations
from services.meetings.effects import MeetingEffects
from services.meetings.invitations import invitation_job
from services.meetings.service import Meetings
from services.platform.audit import AuditLog
from services.platform.jobs import JobRuns
from services.platform.outbox import DISPATCH_QUEUE, EventPublisher, Outbox, Relay
from services.platform.ports import Clock, SystemClock
from services.platform.rate_limits import CallerLimiter
from services.roster.ports import RosterReader
from services.roster.service import RosterService
from services.rules.ports import RuleSetReader
from services.rules.preview import RulePreviews
from services.rules.service import RuleSets
from settings import Settings

# Every table the app uses; `ensure_storage` creates them (Bicep does in Azure).
TABLES = [JOBRUNS_TABLE, AUDIT_TABLE, LOCAL_EVENTS_TABLE, *ROSTER_TABLES, *MARK_TABLES, *SUMMARY_TABLES,
          RULESETS_TABLE, INTERVENTIONS_TABLE, LETTER_ARTIFACTS_TABLE, PRINT_BATCHES_TABLE, MEETINGS_TABLE,
          LETTER_TEMPLATES_TABLE, MEETING_NOTICES_TABLE]
QUEUES = [DISPATCH_QUEUE, NORMALIZE_QUEUE, EVALUATE_QUEUE, LETTER_JOBS_QUEUE, PRINT_BATCH_QUEUE,
          MEETING_NOTICES_QUEUE]
# Tables whose services stage outbox events (services.platform.outbox.stage): the outbox-sweep timer
# scans these for rows whose nudge was lost. Add a table here when it starts staging events.
OUTBOX_TABLES: list[str] = [LATEST_SUMMARIES_TABLE, INTERVENTIONS_TABLE]


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
    def rate_limiter(self) -> CallerLimiter:
        """Requests per API caller on this instance (functions/http/shell/rate_limit.py)."""
        return CallerLimiter(self.settings.rate_limit_per_minute, self.settings.rate_limit_burst)

    @cached_property
    def table_roster(self) -> TableRoster:
        return TableRoster(self.tables)

    @cached_property
    def roster_reader(self) -> RosterReader:
        """Schools, calendars, students and code mappings for the attendance services."""
        return self.table_roster

    @cached_property
    def roster(self) -> RosterService:
        return RosterService(self.table_roster, self.audit)

    @cached_property
    def marks(self) -> TableMarkRepository:
        return TableMarkRepository(self.tables(MARKS))

    @cached_property
    def mark_changes(self) -> TableMarkChangeRepository:
        return TableMarkChangeRepository(self.tables(MARK_CHANGES))

    @cached_property
    def ingestion(self) -> Ingestion:
        history = TableMarkHistoryRepository(self.tables(MARK_HISTORY))
        return Ingestion(self.roster_reader, self.marks, history, self.mark_changes, self.blobs,
                         self.audit, self.clock)

    @cached_property
    def summary_store(self) -> TableSummaryRepository:
        return TableSummaryRepository(self.tables(SUMMARIES_TABLE), self.tables(LATEST_SUMMARIES_TABLE),
                                      self.outbox)

    @cached_property
    def summaries(self) -> Summaries:
        return Summaries(self.summary_store)

    @cached_property
    def normalization(self) -> Normalization:
        # round trips from the shared counter: exact per run while one run uses the container
        return Normalization(self.roster_reader, self.marks, self.mark_changes, self.summary_store,
                             TableLeaseRepository(self.tables(LATEST_SUMMARIES_TABLE)), self.clock,
                             lambda: self.tables.counter.round_trips)

    @cached_property
    def normalize_jobs(self) -> NormalizeJobs:
        return NormalizeJobs(self.roster_reader, self.normalization, self.jobs, self.audit, self.clock,
                             partial(self.queues.send, NORMALIZE_QUEUE), self._evaluate_after)

    def _evaluate_after(self, tenant_id: str, school_id: str, day: date, force: bool) -> None:
        """After a school's normalization: run the intervention scheduler for the same date."""
        self.queues.send(EVALUATE_QUEUE, evaluate_request(tenant_id, school_id, day, force=force))

    @cached_property
    def intervention_store(self) -> TableInterventionStore:
        return TableInterventionStore(self.tables(INTERVENTIONS_TABLE), self.outbox)

    @cached_property
    def nightly(self) -> Nightly:
        """A school's night: the housekeeping, then the evaluation, over one read of the school."""
        send_letter_job = partial(self.queues.send, LETTER_JOBS_QUEUE)
        reader = NightReader(self.rule_sets_reader, self.roster_reader, self.intervention_store,
                             self.meeting_store)
        lost_cancellations = LostCancellations(self.meeting_notice_marks,
                                               partial(self.queues.send, MEETING_NOTICES_QUEUE))
        housekeeping = Housekeeping(self.letter_sweep.run, self.intervention_store, send_letter_job,
                                    self.meeting_invitations, lost_cancellations, self.clock)
        scheduler = Scheduler(self.rule_sets_reader, self.roster_reader, self.summary_store,
                              self.intervention_store, self.clock, send_letter_job, self.casework_store,
                              self.summary_store)
        return Nightly(reader, housekeeping, scheduler)

    @cached_property
    def casework_store(self) -> TableCaseworkStore:
        """Exemptions, case resolutions and work tasks, in the `interventions` table."""
        return TableCaseworkStore(self.tables(INTERVENTIONS_TABLE))

    @cached_property
    def casework(self) -> Casework:
        return Casework(self.casework_store, self.intervention_store, self.roster_reader, self.audit,
                        self.clock)

    @cached_property
    def meeting_store(self) -> TableMeetingStore:
        return TableMeetingStore(self.tables(MEETINGS_TABLE))

    @cached_property
    def meetings(self) -> Meetings:
        """`invite` sends a booked meeting's invitation letter job (services/meetings/invitations.py)."""
        effects = MeetingEffects(self.intervention_store, self.rule_sets_reader, self.roster_reader)
        return Meetings(self.meeting_store, effects, self.casework, self.roster_reader, self.audit,
                        self.clock, invite=self._send_invitation, cancelled=self._send_cancellation)

    def _send_invitation(self, meeting: InterventionMeeting) -> None:
        job = invitation_job(meeting)
        if job is not None:  # a standalone meeting has no invitation letter
            self.queues.send(LETTER_JOBS_QUEUE, job)

    def _send_cancellation(self, meeting: InterventionMeeting) -> None:
        job = cancellation_job(meeting)
        if job is not None:  # a standalone meeting had no invitation to take back
            self.queues.send(MEETING_NOTICES_QUEUE, job)

    @cached_property
    def meeting_invitations(self) -> TableInvitations:
        """Meeting invitations as the nightly and the cancellation notice read them."""
        return TableInvitations(self.tables(LETTER_ARTIFACTS_TABLE))

    @cached_property
    def meeting_notice_marks(self) -> TableNoticeMarks:
        """Send-once markers of cancellation e-mails: the handler claims them, the nightly reads them."""
        return TableNoticeMarks(self.tables(MEETING_NOTICES_TABLE))

    @cached_property
    def meeting_cancellations(self) -> MeetingCancellations:
        return MeetingCancellations(self.meeting_store, self.meeting_invitations,
                                    self.meeting_notice_marks, self.table_roster,
                                    self.mailer, self.audit, self.clock)

    @cached_property
    def intervention_jobs(self) -> InterventionJobs:
        return InterventionJobs(lambda: self.nightly, self.jobs, self.audit)

    @cached_property
    def intervention_queue(self) -> InterventionQueue:
        return InterventionQueue(self.intervention_store, self.roster_reader, self.audit, self.clock,
                                 partial(self.queues.send, LETTER_JOBS_QUEUE))

    @cached_property
    def batch_approval(self) -> BatchApproval:
        return BatchApproval(self.intervention_store, self.intervention_queue, self.clock,
                             partial(self.queues.send, LETTER_JOBS_QUEUE))

    @cached_property
    def rule_set_store(self) -> TableRuleSets:
        return TableRuleSets(self.tables(RULESETS_TABLE))

    @cached_property
    def rule_sets_reader(self) -> RuleSetReader:
        """Active rule sets and exact versions, for the intervention scheduler."""
        return self.rule_set_store

    @cached_property
    def rule_sets(self) -> RuleSets:
        return RuleSets(self.rule_set_store, self.roster_reader, self.audit)

    @cached_property
    def rule_previews(self) -> RulePreviews:
        return RulePreviews(self.rule_sets, self.rule_set_store, self.roster_reader, self.summary_store,
                            TableYearRows(self.tables(SUMMARIES_TABLE)), self.clock,
                            instances=self.intervention_store)

    @cached_property
    def letter_artifact_store(self) -> TableLetterArtifacts:
        return TableLetterArtifacts(self.tables(LETTER_ARTIFACTS_TABLE))

    @cached_property
    def letter_artifacts(self) -> LetterArtifacts:
        return LetterArtifacts(self.letter_artifact_store, self.blobs, self.audit)

    @cached_property
    def letter_template_store(self) -> TableLetterTemplates:
        return TableLetterTemplates(self.tables(LETTER_TEMPLATES_TABLE))

    @cached_property
    def letter_template_catalog(self) -> TemplateCatalog:
        return TemplateCatalog(self.roster_reader, self.letter_template_store)

    @cached_property
    def letter_templates(self) -> TemplateSource:
        """The school jurisdiction's starters and the tenant's stored templates, by key, language
        and date (services/letters/templates_source.py)."""
        return StoredTemplateSource(self.letter_template_catalog)

    @cached_property
    def letter_template_admin(self) -> LetterTemplateAdmin:
        return LetterTemplateAdmin(self.letter_template_catalog, self.letter_template_store, self.audit,
                                   self.clock)

    @cached_property
    def letter_previews(self) -> LetterPreviews:
        from adapters.pdf.render import html_to_pdf  # xhtml2pdf is heavy: loaded on first preview

        return LetterPreviews(self.letter_template_admin, self.table_roster, self.intervention_store,
                              self.letter_merge, html_to_pdf, self.clock)

    @cached_property
    def letter_merge(self) -> MergeDataBuilder:
        """Merge data for a letter from the daily summaries (domain/letters/merge.py)."""
        return SummaryMergeBuilder(self.roster_reader, self.summary_store)

    @cached_property
    def letter_renderer(self) -> LetterRenderer:
        from adapters.pdf.render import html_to_pdf  # xhtml2pdf is heavy: loaded by the letter trigger only

        return LetterRenderer(self.intervention_store, self.table_roster, self.letter_templates,
                              self.letter_merge, html_to_pdf, self.blobs, self.letter_artifact_store,
                              self.audit, self.clock, drafts=self.translation_drafts,
                              meetings=self.meeting_store)

    @cached_property
    def translation_drafts(self) -> TranslationDrafts | None:
        """None unless a translator is configured (TRANSLATOR_ENDPOINT): then a guardian's missing
        language gets a machine-translated DRAFT for staff to approve."""
        from adapters.translator import translator_from_settings

        translator = translator_from_settings(self.settings)
        return TranslationDrafts(translator, self.letter_template_store, self.audit) if translator else None

    @cached_property
    def mailer(self) -> Mailer:
        from adapters.smtp import SmtpMailer

        return SmtpMailer.from_settings(self.settings)

    @cached_property
    def letter_delivery(self) -> LetterDelivery:
        return LetterDelivery(self.letter_artifact_store, self.blobs, self.table_roster,
                              self.intervention_store, self.mailer, self.audit, self.clock,
                              self.print_batch_store, meetings=self.meeting_store)

    @cached_property
    def letter_sweep(self) -> LetterSweep:
        """The nightly's re-delivery of stranded letters; the delivery (and its SMTP client) is
        built only when a school has one."""
        return LetterSweep(self.letter_artifact_store, lambda path: self.letter_delivery.deliver(path),
                           self.clock)

    @cached_property
    def letter_generate(self) -> LetterGenerate:
        return LetterGenerate(self.intervention_store, self.letter_artifact_store,
                              lambda: self.letter_renderer, self.audit)

    @cached_property
    def print_batch_store(self) -> TablePrintBatches:
        return TablePrintBatches(self.tables(PRINT_BATCHES_TABLE))

    @cached_property
    def print_batches(self) -> PrintBatches:
        from adapters.pdf.merge import merge_pdfs  # pypdf: loaded by the print-batch paths only

        return PrintBatches(self.print_batch_store, self.blobs, merge_pdfs, self.audit, self.clock)

    @cached_property
    def print_batch_jobs(self) -> PrintBatchJobs:
        return PrintBatchJobs(self.roster_reader, lambda: self.print_batches, self.jobs, self.clock,
                              self.queues.send)

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
