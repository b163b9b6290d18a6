"""Letters wiring: templates, rendering, artifacts, delivery, the nightly sweep and print batches.

The PDF engines (xhtml2pdf, pypdf) and the SMTP client are loaded by the paths that use them only.
"""

from __future__ import annotations

from functools import cached_property

from adapters.tables.letters import TABLE as LETTER_ARTIFACTS_TABLE
from adapters.tables.letters import TableLetterArtifacts
from adapters.tables.print_batches import TABLE as PRINT_BATCHES_TABLE
from adapters.tables.print_batches import TablePrintBatches
from adapters.tables.templates import TABLE as LETTER_TEMPLATES_TABLE
from adapters.tables.templates import TableLetterTemplates
from composition.attendance import AttendanceWiring
from composition.interventions import InterventionsWiring
from composition.meetings import MeetingsWiring
from composition.platform import Platform
from composition.roster import RosterWiring
from services.letters.artifacts import LetterArtifacts
from services.letters.delivery import LetterDelivery
from services.letters.generate import LetterGenerate
from services.letters.ports import MergeDataBuilder, TemplateSource
from services.letters.printing.batches import PrintBatches
from services.letters.printing.schedule import PRINT_BATCH_QUEUE, PrintBatchJobs
from services.letters.render import LetterRenderer
from services.letters.school_reads import LetterRoster, SchoolReads
from services.letters.sources import SummaryMergeBuilder
from services.letters.sweep import LetterSweep
from services.letters.templates.admin import LetterTemplateAdmin
from services.letters.templates.previews import LetterPreviews
from services.letters.templates.source import StoredTemplateSource, TemplateCatalog
from services.letters.translation import TranslationDrafts

TABLES = [LETTER_ARTIFACTS_TABLE, PRINT_BATCHES_TABLE, LETTER_TEMPLATES_TABLE]
QUEUES = [PRINT_BATCH_QUEUE]


class LettersWiring:
    def __init__(self, platform: Platform, roster: RosterWiring, attendance: AttendanceWiring,
                 interventions: InterventionsWiring, meetings: MeetingsWiring) -> None:
        self._platform, self._roster, self._attendance = platform, roster, attendance
        self._interventions, self._meetings = interventions, meetings

    @cached_property
    def artifact_store(self) -> TableLetterArtifacts:
        return TableLetterArtifacts(self._platform.tables(LETTER_ARTIFACTS_TABLE))

    @cached_property
    def artifacts(self) -> LetterArtifacts:
        return LetterArtifacts(self.artifact_store, self._platform.blobs, self._platform.audit)

    @cached_property
    def template_store(self) -> TableLetterTemplates:
        return TableLetterTemplates(self._platform.tables(LETTER_TEMPLATES_TABLE))

    @cached_property
    def template_catalog(self) -> TemplateCatalog:
        return TemplateCatalog(self._roster.reader, self.template_store)

    @cached_property
    def templates(self) -> TemplateSource:
        """The school jurisdiction's starters and the tenant's stored templates, by key, language
        and date (services/letters/templates/source.py)."""
        return StoredTemplateSource(self.template_catalog)

    @cached_property
    def template_admin(self) -> LetterTemplateAdmin:
        p = self._platform
        return LetterTemplateAdmin(self.template_catalog, self.template_store, p.audit, p.clock)

    @cached_property
    def merge(self) -> MergeDataBuilder:
        """Merge data for a letter from the daily summaries (domain/letters/merge.py)."""
        return SummaryMergeBuilder(self._attendance.summary_store, self.school_reads)

    @cached_property
    def school_reads(self) -> SchoolReads:
        """What a school's letter jobs share for a minute (services/letters/school_reads.py)."""
        return SchoolReads(self._roster.reader, self._attendance.summary_store)

    @cached_property
    def letter_roster(self) -> LetterRoster:
        return LetterRoster(self._roster.store, self.school_reads)

    @cached_property
    def previews(self) -> LetterPreviews:
        from adapters.pdf.render import html_to_pdf  # xhtml2pdf is heavy: loaded on first preview

        return LetterPreviews(self.template_admin, self._roster.store, self._interventions.store,
                              self.merge, html_to_pdf, self._platform.clock)

    @cached_property
    def renderer(self) -> LetterRenderer:
        from adapters.pdf.render import html_to_pdf  # xhtml2pdf is heavy: loaded by the letter trigger only

        p = self._platform
        return LetterRenderer(self._interventions.store, self.letter_roster, self.templates, self.merge,
                              html_to_pdf, p.blobs, self.artifact_store, p.audit, p.clock,
                              drafts=self.translation_drafts, meetings=self._meetings.store)

    @cached_property
    def translation_drafts(self) -> TranslationDrafts | None:
        """None unless a translator is configured (TRANSLATOR_ENDPOINT): then a guardian's missing
        language gets a machine-translated DRAFT for staff to approve."""
        from adapters.translator import translator_from_settings

        translator = translator_from_settings(self._platform.settings)
        if translator is None:
            return None
        return TranslationDrafts(translator, self.template_store, self._platform.audit)

    @cached_property
    def delivery(self) -> LetterDelivery:
        p = self._platform
        return LetterDelivery(self.artifact_store, p.blobs, self.letter_roster, self._interventions.store,
                              p.mailer, p.audit, p.clock, self.print_batch_store,
                              meetings=self._meetings.store)

    @cached_property
    def sweep(self) -> LetterSweep:
        """The nightly's re-delivery of stranded letters; the delivery (and its SMTP client) is
        built only when a school has one."""
        return LetterSweep(self.artifact_store, lambda path: self.delivery.deliver(path),
                           self._platform.clock)

    @cached_property
    def generate(self) -> LetterGenerate:
        return LetterGenerate(self._interventions.store, self.artifact_store, lambda: self.renderer,
                              self._platform.audit)

    @cached_property
    def print_batch_store(self) -> TablePrintBatches:
        return TablePrintBatches(self._platform.tables(PRINT_BATCHES_TABLE))

    @cached_property
    def print_batches(self) -> PrintBatches:
        from adapters.pdf.merge import merge_pdfs  # pypdf: loaded by the print-batch paths only

        p = self._platform
        return PrintBatches(self.print_batch_store, p.blobs, merge_pdfs, p.audit, p.clock)

    @cached_property
    def print_batch_jobs(self) -> PrintBatchJobs:
        p = self._platform
        return PrintBatchJobs(self._roster.reader, lambda: self.print_batches, p.jobs, p.clock,
                              p.queues.send)
