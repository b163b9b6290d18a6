"""A school that keeps the originals gets a translated letter's school-language companion rendered
beside it (same merge snapshot, its own deterministic id, linked by `companion_of`) and sent with
it: attached to the e-mail, right after the letter in the print batch, DELIVERED together. A letter
that already went in the school language has none; with the flag off nothing changes; a
redelivered job or blob event adds nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.ladder.model import ActionState
from domain.letters import LetterTemplate, approve
from domain.letters.artifacts import ArtifactStatus, Attachment, LetterArtifact
from domain.letters.print_batch import PrintEntry, ordered
from domain.platform.paths import LETTERS
from domain.roster.schools import ContactPreference, PostalAddress
from services.letters.delivery import LetterDelivery, NotRendered
from services.letters.sweep import stranded
from services.platform.audit import AuditLog
from tests.fakes_letters import BODY, FakeTemplates, RendererWorld, link, template

POLISH = replace(template("pl"), body=BODY.replace("Dear", "Drogi"))


class FakeMailer:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, to: str, subject: str, body: str, attachment: bytes, filename: str,
             extra: tuple[Attachment, ...] = ()) -> str:
        self.sent.append({"to": to, "pdf": attachment, "filename": filename, "extra": extra})
        return f"<m{len(self.sent)}>"


class FakePrintStore:
    def __init__(self) -> None:
        self.rows: list[PrintEntry] = []

    def add(self, entry: PrintEntry) -> bool:
        if any(r.artifact_id == entry.artifact_id for r in self.rows):
            return False
        self.rows.append(entry)
        return True


class World(RendererWorld):
    """A Polish-speaking guardian, approved `en` and `pl` templates, an English school that keeps
    the originals (unless `keep` is False), and a LetterDelivery over the same fakes."""

    def __init__(self, *, keep: bool = True, language: str = "pl", preference: ContactPreference =
                 ContactPreference.EMAIL, templates: FakeTemplates | None = None) -> None:
        sg, guardian = link("g1", 1, language=language)
        guardian = guardian.model_copy(update={
            "email": "parent@example.org", "contact_preference": preference,
            "address": PostalAddress(lines=("1 Main Street",), town="Cork")})
        super().__init__(links=[(sg, guardian)],
                         templates=templates or FakeTemplates(template("en"), POLISH))
        self.roster.school_row = self.roster.school_row.model_copy(update={"keep_source_letter": keep})
        self.mailer, self.printed = FakeMailer(), FakePrintStore()
        self.delivery = LetterDelivery(self.artifacts, self.blobs, self.roster, self.store, self.mailer,
                                       AuditLog(self.audit, self.clock), self.clock,
                                       self.printed)  # type: ignore[arg-type]

    def render(self) -> tuple[LetterArtifact, LetterArtifact]:
        letter, kept = self.renderer.handle(self.job)
        return letter, kept

    def deliver(self, artifact: LetterArtifact) -> LetterArtifact:
        assert artifact.storage_path is not None
        return self.delivery.deliver(artifact.storage_path)


def test_a_translated_letter_gets_its_school_language_original_beside_it() -> None:
    world = World()
    letter, kept = world.render()

    assert (letter.language, letter.companion_of, letter.missing_translation) == ("pl", None, None)
    assert (kept.language, kept.companion_of, kept.missing_translation) == ("en", letter.id, None)
    assert kept.status is letter.status is ArtifactStatus.RENDERED and kept.id != letter.id
    assert kept.merge_data == letter.merge_data  # the same facts in both languages
    assert kept.guardian_id == letter.guardian_id and kept.stage_order == letter.stage_order
    assert b"Drogi G-g1" in world.blobs.get(LETTERS, letter.storage_path or "")
    assert b"Dear G-g1" in world.blobs.get(LETTERS, kept.storage_path or "")
    assert world.actions().count("letter.rendered") == 2


def test_a_redelivered_job_adds_nothing_and_answers_the_same_pair() -> None:
    world = World()
    first = world.render()
    puts = world.blobs.puts

    assert world.render() == tuple(world.artifacts.rows[a.id] for a in first)
    assert len(world.artifacts.rows) == 2 and world.blobs.puts == puts


@pytest.mark.parametrize(("keep", "language"), [(False, "pl"), (True, "en"), (True, "ar")])
def test_no_companion_without_the_flag_or_without_a_translation(keep: bool, language: str) -> None:
    world = World(keep=keep, language=language)  # "ar": no approved template, sent in English

    [letter] = world.renderer.handle(world.job)

    assert letter.language == ("pl" if language == "pl" else "en") and letter.companion_of is None
    assert letter.missing_translation == ("ar" if language == "ar" else None)


def test_a_crash_before_the_original_was_planned_is_made_good_with_the_same_id() -> None:
    world = World()
    letter, kept = world.render()
    del world.artifacts.rows[kept.id]
    world.artifacts.rows[letter.id] = replace(letter, status=ArtifactStatus.PENDING)

    again, kept_again = world.render()

    assert kept_again.id == kept.id and kept_again.companion_of == again.id == letter.id
    assert kept_again.content_hash == kept.content_hash


def test_a_letter_rendered_before_the_school_asked_gets_no_late_original() -> None:
    world = World(keep=False)
    [letter] = world.renderer.handle(world.job)
    world.roster.school_row = world.roster.school_row.model_copy(update={"keep_source_letter": True})

    assert world.renderer.handle(world.job) == [world.artifacts.rows[letter.id]]


def test_a_translation_declaring_fewer_fields_still_renders_beside_its_original() -> None:
    short = LetterTemplate(key="eng-letter-1", version=1, language="pl", last_edited_by="ed",
                           body="<p>Drogi {{ guardian_name }}</p>", effective_from=date(2024, 9, 1),
                           merge_fields={"guardian_name": {"type": "string"}})
    world = World(templates=FakeTemplates(template("en"), approve(short, "boss", datetime(2024, 9, 1,
                                                                                         tzinfo=UTC))))
    letter, kept = world.render()

    assert letter.status is kept.status is ArtifactStatus.RENDERED
    assert "child_name" in kept.merge_data  # built for both templates at once


def test_the_email_carries_both_pdfs_and_both_are_delivered_once() -> None:
    world = World()
    letter, kept = world.render()

    assert world.deliver(kept).status is ArtifactStatus.RENDERED  # its own event sends nothing
    assert world.mailer.sent == []
    sent = world.deliver(letter)
    world.deliver(letter)
    world.deliver(world.artifacts.rows[kept.id])

    [mail] = world.mailer.sent
    assert mail["pdf"] == world.blobs.get(LETTERS, letter.storage_path or "")
    [extra] = mail["extra"]
    assert (extra.filename, extra.content_type) == ("letter-en.pdf", "application/pdf")
    assert extra.content == world.blobs.get(LETTERS, kept.storage_path or "")
    assert sent.status is world.artifacts.rows[kept.id].status is ArtifactStatus.DELIVERED
    assert world.artifacts.rows[kept.id].channel == "EMAIL"
    # the original is not a letter of its own: the stage is done with the one letter
    assert world.store.instance(world.instance.tenant_id, "s1", world.instance.id).action is ActionState.DONE
    [record] = [r for r in world.audit.records if r.action == "letter.sent"]
    assert record.entity_id == letter.id and record.after["companionId"] == kept.id


def test_a_letter_whose_original_is_not_rendered_yet_waits_for_it() -> None:
    world = World()
    letter, kept = world.render()
    world.artifacts.rows[kept.id] = replace(kept, status=ArtifactStatus.PENDING)

    with pytest.raises(NotRendered):
        world.deliver(letter)
    assert world.mailer.sent == [] and world.artifacts.rows[letter.id].status is ArtifactStatus.RENDERED


def test_an_altered_original_stops_the_letter() -> None:
    world = World()
    letter, kept = world.render()
    world.blobs.blobs[(LETTERS, kept.storage_path or "")] = b"%PDF forged"

    after = world.deliver(letter)

    assert after.status is ArtifactStatus.FAILED and "kept original" in (after.failure_reason or "")
    assert world.mailer.sent == [] and "letter.delivery-failed" in world.actions()


def test_a_failed_original_does_not_hold_the_family_letter_back() -> None:
    world = World()
    letter, kept = world.render()
    world.artifacts.rows[kept.id] = kept.failed("gave up", 5)

    assert world.deliver(letter).status is ArtifactStatus.DELIVERED
    [mail] = world.mailer.sent
    assert mail["extra"] == ()


def test_a_posted_letter_has_its_original_next_in_the_print_batch() -> None:
    world = World(preference=ContactPreference.POST)
    letter, kept = world.render()

    world.deliver(letter)
    world.deliver(world.artifacts.rows[letter.id])

    first, second = world.printed.rows
    assert (first.artifact_id, second.artifact_id, second.companion_of) == (letter.id, kept.id, letter.id)
    assert second.content_hash == kept.content_hash and second.name == first.name
    assert world.artifacts.rows[kept.id].channel == "POST"


def entry(artifact_id: str, companion_of: str | None = None) -> PrintEntry:
    return PrintEntry(tenant_id="t", school_id="s", day=date(2025, 3, 3), artifact_id=artifact_id,
                      student_id="st", guardian_id="g", name="N", address_lines=("1 A St",),
                      template_key="k", template_version=1, content_hash="ab" * 32,
                      storage_path=f"p/{artifact_id}.pdf", added_at=datetime(2025, 3, 3, tzinfo=UTC),
                      companion_of=companion_of)


def test_the_batch_puts_each_original_straight_after_its_letter() -> None:
    rows = [entry("c"), entry("a", companion_of="m"), entry("m"), entry("b")]

    assert [e.artifact_id for e in ordered(rows)] == ["b", "c", "m", "a"]
    assert ordered(list(reversed(rows))) == ordered(rows)


def test_the_sweep_never_delivers_an_original_on_its_own() -> None:
    world = World()
    letter, kept = world.render()
    later = letter.generated_at + timedelta(days=1)

    assert stranded([letter, kept], later) == [letter]
