"""The day's print batch of a school: one entry per posted letter, and the CSV manifest the post
room works from (envelope name and address lines, which pages of the merged PDF are whose).

Entries are ordered by artifact id (a letter's school-language companion right after its letter,
in the same envelope), so the same entries always give the same merged PDF and the
same manifest bytes (a rebuild changes nothing). The manifest holds names and addresses: it is
written to Blob only, never logged.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from domain.roster.schools import Guardian

ADDRESS_COLUMNS = 6  # envelope lines after the name; longer addresses keep their last lines joined
MANIFEST_HEADER = ("artifact_id", "student_id", "guardian_id", "name",
                   *(f"address_line_{n}" for n in range(1, ADDRESS_COLUMNS + 1)),
                   "template_key", "template_version", "content_hash", "companion_of", "first_page",
                   "last_page")


@dataclass(frozen=True)
class PrintEntry:
    """One posted letter in a day's batch (the envelope is taken when the letter is posted)."""

    tenant_id: str
    school_id: str
    day: date  # the school-local date the letter was posted on
    artifact_id: str
    student_id: str
    guardian_id: str
    name: str
    address_lines: tuple[str, ...]
    template_key: str
    template_version: int
    content_hash: str
    storage_path: str
    added_at: datetime
    # a translated letter's school-language original: the letter's id (it goes in its envelope)
    companion_of: str | None = None


@dataclass(frozen=True)
class PrintBatch:
    """A built batch: where its two blobs are and their hashes (checked again on download)."""

    tenant_id: str
    school_id: str
    day: date
    letters: int
    pages: int
    pdf_path: str
    pdf_sha256: str
    csv_path: str
    csv_sha256: str
    built_at: datetime


def envelope(guardian: Guardian) -> tuple[str, tuple[str, ...]]:
    """(name, address lines) for the envelope; the guardian must have an address."""
    assert guardian.address is not None
    name = " ".join(p for p in (guardian.title, guardian.forename, guardian.surname) if p)
    a = guardian.address
    lines = tuple(line for line in (*a.lines, a.town, a.postcode, a.country) if line and line.strip())
    return name, lines


def ordered(entries: list[PrintEntry]) -> list[PrintEntry]:
    """By artifact id, a companion straight after its letter (by the letter's id, then 1)."""
    return sorted(entries, key=lambda e: (e.companion_of or e.artifact_id, e.companion_of is not None,
                                          e.artifact_id))


def manifest_csv(entries: list[PrintEntry], page_counts: list[int]) -> bytes:
    """The manifest for `entries` (already `ordered`) whose PDFs have `page_counts` pages."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(MANIFEST_HEADER)
    first = 1
    for entry, pages in zip(entries, page_counts, strict=True):
        lines = list(entry.address_lines)
        if len(lines) > ADDRESS_COLUMNS:  # keep every word on the envelope
            lines = [*lines[:ADDRESS_COLUMNS - 1], ", ".join(lines[ADDRESS_COLUMNS - 1:])]
        lines += [""] * (ADDRESS_COLUMNS - len(lines))
        writer.writerow((entry.artifact_id, entry.student_id, entry.guardian_id, entry.name, *lines,
                         entry.template_key, entry.template_version, entry.content_hash,
                         entry.companion_of or "", first, first + pages - 1))
        first += pages
    return out.getvalue().encode("utf-8")
