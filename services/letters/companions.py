"""A translated letter's school-language original, kept where the school asks for it
(`School.keep_source_letter`): the "companion" artifact.

The renderer plans it beside the letter: same instance, stage, guardian (and meeting invitation),
the approved school-language version of the letter's template, the letter's own merge snapshot
(the same facts in both languages) and an id of its own (it differs by language). It points at
its letter (`companion_of`); a letter that already went out in the school language (no approved
translation) has no companion.

The delivery sends it with its letter, never on its own: attached to the letter's e-mail and
right after the letter in the print batch (same envelope), and marks it DELIVERED with it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from domain.letters.artifacts import ArtifactStatus, Attachment, LetterArtifact, artifact_id
from domain.letters.print_batch import PrintEntry
from domain.letters.templates import LetterTemplate
from domain.roster.schools import School
from services.letters.ports import ArtifactStore
from services.letters.stored_files import StoredFiles, letter_pdf

log = logging.getLogger(__name__)
Original = tuple[LetterArtifact, bytes]  # a translated letter's kept original and its checked PDF


def wants_companion(school: School, letter: LetterArtifact) -> bool:
    """The school keeps originals and this letter is a translation (not itself a companion)."""
    return (school.keep_source_letter and letter.companion_of is None
            and letter.language != school.language)


def with_fields_of(template: LetterTemplate, source: LetterTemplate) -> LetterTemplate:
    """`template` declaring `source`'s merge fields too, so one merge build serves both letters
    (a translation normally declares the same fields; this covers one that declares fewer)."""
    return replace(template, merge_fields={**source.merge_fields, **template.merge_fields})


def companion(letter: LetterArtifact, source: LetterTemplate, at: datetime) -> LetterArtifact:
    """The PENDING companion of `letter` in `source`'s language, from the letter's snapshot."""
    return LetterArtifact(
        id=artifact_id(letter.instance_id, letter.stage_order, letter.guardian_id, source.language,
                       source.key, source.version, letter.meeting_id, letter.meeting_sequence or 0),
        tenant_id=letter.tenant_id, school_id=letter.school_id, student_id=letter.student_id,
        instance_id=letter.instance_id, stage_order=letter.stage_order, action_id=letter.action_id,
        template_key=source.key, template_version=source.version, guardian_id=letter.guardian_id,
        language=source.language, status=ArtifactStatus.PENDING, generated_at=at,
        merge_data=letter.merge_data, meeting_id=letter.meeting_id,
        meeting_sequence=letter.meeting_sequence, companion_of=letter.id)


def find_companion(artifacts: ArtifactStore, letter: LetterArtifact, school: School) -> LetterArtifact | None:
    """The letter's companion, if one was rendered. Only a translated letter can have one, so a
    letter in the school language costs no read."""
    if letter.companion_of is not None or letter.language == school.language:
        return None
    return next((a for a in artifacts.for_stage(letter.tenant_id, letter.school_id, letter.instance_id,
                                                letter.stage_order) if a.companion_of == letter.id), None)


def sendable(found: LetterArtifact) -> bool:
    """Its PDF is stored (DELIVERED too: a letter whose sender died is sent again with it)."""
    return found.status in (ArtifactStatus.RENDERED, ArtifactStatus.DELIVERED) and bool(
        found.storage_path and found.content_hash)


def checked_original(files: StoredFiles, letter: LetterArtifact,
                     kept: LetterArtifact | None) -> Original | None:
    """The kept original with its PDF, hash-checked like the letter's (IntegrityError); None when
    there is none or its render gave up (the family's letter goes regardless)."""
    if kept is None:
        return None
    if not sendable(kept):
        log.warning("letter %s goes without its kept original %s (%s)", letter.id, kept.id,
                    kept.status.value)
        return None
    return kept, files.read(letter_pdf(kept, name=f"the kept original of letter {letter.id}"))


def attachment(found: LetterArtifact, pdf: bytes) -> Attachment:
    return Attachment(f"letter-{found.language}.pdf", pdf, "application/pdf")


def print_entry_of(found: LetterArtifact, letter_entry: PrintEntry) -> PrintEntry:
    """The companion's batch row: the letter's envelope and day, ordered right after the letter."""
    assert found.storage_path and found.content_hash
    return replace(letter_entry, artifact_id=found.id, template_key=found.template_key,
                   template_version=found.template_version, content_hash=found.content_hash,
                   storage_path=found.storage_path, companion_of=letter_entry.artifact_id)
