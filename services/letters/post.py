"""How a letter goes out: the channels a guardian's preference and contact details allow, and
the print-batch entry (the envelope) of a posted letter."""

from __future__ import annotations

from datetime import datetime

from domain.letters.artifacts import LetterArtifact
from domain.letters.print_batch import PrintEntry, envelope
from domain.roster.schools import ContactPreference, Guardian, School


def channels(guardian: Guardian | None) -> tuple[bool, bool]:
    """(e-mail it, post it). EMAIL_AND_POST is both, as far as the details on file allow; an
    EMAIL guardian with no e-mail address but a postal address is posted to rather than lost."""
    if guardian is None:
        return False, False
    has_email, has_address = bool(guardian.email), guardian.address is not None
    if guardian.contact_preference is ContactPreference.EMAIL_AND_POST:
        return has_email, has_address
    if guardian.contact_preference is ContactPreference.EMAIL:
        return has_email, not has_email and has_address
    return False, has_address


def print_entry(claimed: LetterArtifact, school: School, guardian: Guardian, now: datetime) -> PrintEntry:
    """The batch row: the day is the school-local date of the claim, so a retry of the same
    claim writes the same row (the row key is the artifact id)."""
    assert claimed.sending_since is not None and claimed.storage_path and claimed.content_hash
    name, lines = envelope(guardian)
    return PrintEntry(
        tenant_id=claimed.tenant_id, school_id=claimed.school_id,
        day=school.local_date(claimed.sending_since), artifact_id=claimed.id,
        student_id=claimed.student_id, guardian_id=claimed.guardian_id, name=name, address_lines=lines,
        template_key=claimed.template_key, template_version=claimed.template_version,
        content_hash=claimed.content_hash, storage_path=claimed.storage_path, added_at=now)
