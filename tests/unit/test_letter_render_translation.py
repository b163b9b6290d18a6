"""The renderer asks for a machine-translated draft when a guardian's language has no approved
template; the letter still goes out in the school language, and a failing translator never fails
it (logged with ids only). Without the collaborator nothing changes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from domain.letters.artifacts import ArtifactStatus
from domain.letters.templates import TemplateStatus
from services.letters.translation import TranslationDrafts
from services.platform.audit import AuditLog
from services.platform.ports import FixedClock
from tests.fakes_attendance import FakeAuditRepository
from tests.fakes_letters import FakeTemplates, RendererWorld, link, template
from tests.fakes_translation import FakeTemplateStore, FakeTranslator, failing_translator

AT = datetime(2024, 9, 23, 8, tzinfo=UTC)


class World(RendererWorld):
    def __init__(self, language: str, translator: FakeTranslator | None = None,
                 with_drafts: bool = True) -> None:
        self.translator = translator or FakeTranslator()
        self.templates = FakeTemplateStore()
        audit = FakeAuditRepository()
        drafts = TranslationDrafts(self.translator, self.templates, AuditLog(audit, FixedClock(AT)))
        super().__init__(links=[link("g1", 1, language=language)], at=AT, audit=audit,
                         templates=FakeTemplates(template("en"), template("ga")),
                         drafts=drafts if with_drafts else None)


def test_a_missing_language_gets_a_draft_and_the_letter_goes_out_in_the_school_language() -> None:
    world = World("pl")
    [artifact] = world.renderer.handle(world.job)
    assert (artifact.status, artifact.language, artifact.missing_translation) == (
        ArtifactStatus.RENDERED, "en", "pl")
    [draft] = world.templates.all("t1")
    assert (draft.language, draft.status, draft.translated_from) == ("pl", TemplateStatus.DRAFT,
                                                                     "en v1")
    assert "template.machine-translated" in [r.action for r in world.audit.records]


def test_a_redelivered_job_asks_for_nothing_more() -> None:
    world = World("pl")
    world.renderer.handle(world.job)
    world.renderer.handle(world.job)
    assert len(world.translator.calls) == 1 and len(world.templates.all("t1")) == 1


def test_an_approved_language_asks_for_nothing() -> None:
    world = World("ga")
    [artifact] = world.renderer.handle(world.job)
    assert artifact.language == "ga" and world.translator.calls == []


def test_a_failing_translator_never_fails_the_letter(caplog: pytest.LogCaptureFixture) -> None:
    world = World("ar", translator=failing_translator())
    caplog.set_level(logging.INFO)
    [artifact] = world.renderer.handle(world.job)
    assert artifact.status is ArtifactStatus.RENDERED and artifact.missing_translation == "ar"
    assert world.templates.all("t1") == []
    assert "machine translation of template eng-letter-1 v1 to ar failed: TranslatorError" \
        in caplog.text
    assert "G-g1" not in caplog.text  # no guardian names in the logs


def test_without_the_collaborator_nothing_changes() -> None:
    world = World("pl", with_drafts=False)
    [artifact] = world.renderer.handle(world.job)
    assert artifact.missing_translation == "pl" and world.translator.calls == []
