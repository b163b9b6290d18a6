"""Machine-translated drafts: created once per source version and language, with the source's
settings and provenance, the Jinja intact, audited; never from a draft; failures raise."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from domain.letters.templates import LetterTemplate, LockScope, TemplateStatus, approve, retire
from domain.letters.translation import TranslationMangled
from domain.platform.errors import AlreadyExists, ValidationFailed
from services.letters.ports import TranslatorError
from services.letters.translation import TranslationDrafts
from services.platform.audit import AuditLog
from services.platform.ports import FixedClock
from tests.fakes_attendance import FakeAuditRepository
from tests.fakes_translation import FakeTemplateStore, FakeTranslator, failing_translator

BODY = "<p>Dear {{ name }},</p><p>{{ name }} missed {{ days }} days.</p>"


def source(version: int = 2, language: str = "en", school: str | None = "s1") -> LetterTemplate:
    t = LetterTemplate(key="letter1", version=version, body=BODY, language=language,
                       last_edited_by="editor", effective_from=date(2024, 9, 1),
                       merge_fields={"name": {"type": "string"}, "days": {"type": "integer"}},
                       lock_scope=LockScope.SCHOOL_OVERRIDE_ALLOWED, school_id=school)
    return approve(t, "head", datetime(2024, 9, 2, tzinfo=UTC))


class World:
    def __init__(self, translator: FakeTranslator | None = None) -> None:
        self.translator = translator or FakeTranslator()
        self.store, self.audit = FakeTemplateStore(), FakeAuditRepository()
        self.drafts = TranslationDrafts(self.translator, self.store, AuditLog(
            self.audit, FixedClock(datetime(2024, 9, 23, tzinfo=UTC))))


def test_a_draft_carries_the_source_settings_and_provenance() -> None:
    world = World()
    draft = world.drafts.request("t1", source(), "pl")
    assert draft is not None and world.store.all("t1") == [draft]
    assert (draft.key, draft.version, draft.language, draft.status) == (
        "letter1", 1, "pl", TemplateStatus.DRAFT)
    assert draft.machine_translated and draft.translated_from == "en v2"
    assert draft.last_edited_by == "machine-translation" and draft.approved_by is None
    assert draft.merge_fields == source().merge_fields
    assert (draft.effective_from, draft.lock_scope, draft.school_id) == (
        date(2024, 9, 1), LockScope.SCHOOL_OVERRIDE_ALLOWED, "s1")
    assert draft.body == "<p>DEAR {{ name }},</p><p>{{ name }} MISSED {{ days }} DAYS.</p>"
    assert world.translator.calls[0][1:] == ("en", "pl")
    assert "{{" not in world.translator.calls[0][0]  # the translator never sees the Jinja
    [record] = world.audit.records
    assert (record.action, record.entity_type, record.entity_id, record.actor) == (
        "template.machine-translated", "letterTemplate", "letter1/pl/s1/v1", "system")
    assert record.after == {"translatedFrom": "en v2", "sourceId": "letter1/en/s1/v2",
                            "language": "pl", "version": 1, "status": "DRAFT"}


def test_a_person_can_approve_it_and_only_then_send_it() -> None:
    draft = World().drafts.request("t1", source(), "pl")
    assert draft is not None
    approved = approve(draft, "head", datetime(2024, 9, 24, tzinfo=UTC))
    assert approved.machine_translated and approved.status is TemplateStatus.APPROVED


def test_asking_again_does_nothing() -> None:
    world = World()
    world.drafts.request("t1", source(), "pl")
    assert world.drafts.request("t1", source(), "pl") is None
    assert len(world.store.all("t1")) == 1 and len(world.translator.calls) == 1
    assert len(world.audit.records) == 1


def test_an_approved_translation_of_that_version_also_counts() -> None:
    world = World()
    draft = world.drafts.request("t1", source(), "pl")
    assert draft is not None
    world.store.templates["t1"] = [approve(draft, "head", datetime(2024, 9, 24, tzinfo=UTC))]
    assert world.drafts.request("t1", source(), "pl") is None


def test_a_new_source_version_or_a_retired_draft_gets_a_new_version() -> None:
    world = World()
    first = world.drafts.request("t1", source(version=2), "pl")
    second = world.drafts.request("t1", source(version=3), "pl")
    assert first is not None and second is not None
    assert (second.version, second.translated_from) == (2, "en v3")
    world.store.templates["t1"] = [retire(t) for t in world.store.all("t1")]
    third = world.drafts.request("t1", source(version=3), "pl")
    assert third is not None and third.version == 3


def test_one_version_series_per_key_and_language_across_schools() -> None:
    """Artifacts name key, language and version only: a district draft must not reuse the
    number of a school's override in that language."""
    world = World()
    world.store.insert("t1", replace(source(version=5, language="uk"), school_id="s1"))
    uk = world.drafts.request("t1", source(school=None), "uk")
    assert uk is not None and (uk.version, uk.school_id) == (6, None)
    assert world.drafts.request("t1", source(school=None), "pl").version == 1  # type: ignore[union-attr]
    assert world.drafts.request("t2", source(), "pl") is not None  # another tenant


def test_only_an_approved_source_in_another_language() -> None:
    world = World()
    draft = LetterTemplate(key="k", version=1, body=BODY, language="en", last_edited_by="e",
                           effective_from=date(2024, 9, 1),
                           merge_fields={"name": {"type": "string"}, "days": {"type": "integer"}})
    with pytest.raises(ValidationFailed):
        world.drafts.request("t1", draft, "pl")
    with pytest.raises(ValidationFailed):
        world.drafts.request("t1", source(), "en")
    assert world.store.all("t1") == [] and world.translator.calls == []


def test_a_translator_failure_raises_and_saves_nothing() -> None:
    world = World(failing_translator())
    with pytest.raises(TranslatorError):
        world.drafts.request("t1", source(), "pl")
    assert world.store.all("t1") == [] and world.audit.records == []


def test_a_translation_that_breaks_the_jinja_is_not_saved() -> None:
    class Dropping(FakeTranslator):
        def translate_html(self, html: str, source: str, target: str) -> str:
            return html.split("<span")[0]

    world = World(Dropping())
    with pytest.raises(TranslationMangled):
        world.drafts.request("t1", source(), "pl")
    assert world.store.all("t1") == []


def test_a_concurrent_request_that_saved_first_wins() -> None:
    world = World()

    class Racing(FakeTemplateStore):
        def insert(self, tenant_id: str, template: LetterTemplate) -> LetterTemplate:
            raise AlreadyExists("the other request saved it")

    world.drafts = TranslationDrafts(world.translator, Racing(), AuditLog(
        world.audit, FixedClock(datetime(2024, 9, 23, tzinfo=UTC))))
    assert world.drafts.request("t1", source(), "pl") is None
    assert world.audit.records == []
