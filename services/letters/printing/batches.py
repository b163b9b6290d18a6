"""A school's print batch for a day: every letter posted that day (one `printbatches` row each,
written by the delivery) merged into one PDF, with a CSV manifest for the envelopes, in the
`print-batches` container at `print_batch_path(tenant, school, day, 'pdf'|'csv')`.

Built once per school and day by the morning timer (for the school-local day before) and on
demand through the API. A rebuild of the same rows gives the same bytes (rows in artifact-id
order, deterministic merge), so running it twice is harmless; rows added since are included.
Each letter's PDF is checked against the hash recorded when it was posted (services/letters/
stored_files.py): an altered or missing letter stops the build (IntegrityError) and is audited.
Downloads are checked the same way against the hashes in the `~batch` row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Protocol

from domain.letters.print_batch import PrintBatch, PrintEntry, manifest_csv, ordered
from domain.platform.access import Principal
from domain.platform.errors import NotFound
from domain.platform.hashing import sha256_hex
from domain.platform.paths import LETTERS, PRINT_BATCHES, print_batch_path
from services.letters.ports import LetterBlobs
from services.letters.stored_files import RecordedFile, StoredFiles
from services.platform.audit import AuditLog
from services.platform.ports import Clock

log = logging.getLogger(__name__)


class PrintBatchStore(Protocol):
    def add(self, entry: PrintEntry) -> bool:
        """True when the letter joined the batch now, False when it already had."""
        ...

    def entries(self, tenant_id: str, school_id: str, day: date) -> list[PrintEntry]: ...

    def save_batch(self, batch: PrintBatch) -> None: ...

    def batch(self, tenant_id: str, school_id: str, day: date) -> PrintBatch | None: ...


class MutableBlobs(LetterBlobs, Protocol):
    def put_mutable(self, container: str, path: str, data: bytes, *, content_type: str,
                    metadata: dict[str, str] | None = None) -> object: ...


Merge = Callable[[list[bytes]], tuple[bytes, list[int]]]


class PrintBatches:
    def __init__(self, store: PrintBatchStore, blobs: MutableBlobs, merge: Merge, audit: AuditLog,
                 clock: Clock) -> None:
        self._store, self._blobs, self._merge, self._audit, self._clock = store, blobs, merge, audit, clock
        self._files = StoredFiles(blobs, audit)

    def build(self, tenant_id: str, school_id: str, day: date, actor: Principal | None = None) -> PrintBatch:
        """Build (or rebuild) the day's batch. NotFound when nothing was posted that day."""
        entries = ordered(self._store.entries(tenant_id, school_id, day))
        if not entries:
            raise NotFound(f"no letters were posted by school {school_id} on {day.isoformat()}")
        pdfs = [self._files.read_audited(posted_pdf(e), actor) for e in entries]
        merged, pages = self._merge(pdfs)
        manifest = manifest_csv(entries, pages)
        pdf_path = print_batch_path(tenant_id, school_id, day, "pdf")
        csv_path = print_batch_path(tenant_id, school_id, day, "csv")
        self._blobs.put_mutable(PRINT_BATCHES, pdf_path, merged, content_type="application/pdf")
        self._blobs.put_mutable(PRINT_BATCHES, csv_path, manifest, content_type="text/csv; charset=utf-8")
        batch = PrintBatch(tenant_id=tenant_id, school_id=school_id, day=day, letters=len(entries),
                           pages=sum(pages), pdf_path=pdf_path, pdf_sha256=sha256_hex(merged),
                           csv_path=csv_path, csv_sha256=sha256_hex(manifest), built_at=self._clock.now())
        self._store.save_batch(batch)
        self._audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id,
                           action="letter.print-batch-built", entity_type="printBatch",
                           entity_id=day.isoformat(),
                           after={"letters": batch.letters, "pages": batch.pages,
                                  "pdfSha256": batch.pdf_sha256, "csvSha256": batch.csv_sha256})
        log.info("print batch built: school %s day %s, %s letters", school_id, day, batch.letters)
        return batch

    def batch(self, tenant_id: str, school_id: str, day: date) -> PrintBatch:
        """The built batch's metadata. NotFound when it was not built."""
        found = self._store.batch(tenant_id, school_id, day)
        if found is None:
            raise NotFound(f"no print batch was built for school {school_id} on {day.isoformat()}")
        return found

    def file(self, actor: Principal, tenant_id: str, school_id: str, day: date,
             kind: str) -> tuple[PrintBatch, bytes]:
        """The batch's `pdf` or `csv`, verified against the hashes recorded when it was built."""
        found = self.batch(tenant_id, school_id, day)
        path, expected = ((found.pdf_path, found.pdf_sha256) if kind == "pdf"
                          else (found.csv_path, found.csv_sha256))
        file = RecordedFile(PRINT_BATCHES, path, expected, f"the print batch's {kind}", tenant_id,
                            school_id, "printBatch", day.isoformat(), {"file": kind})
        return found, self._files.read_audited(file, actor)


def posted_pdf(entry: PrintEntry) -> RecordedFile:
    """A posted letter's PDF, with the hash its batch row recorded."""
    return RecordedFile(LETTERS, entry.storage_path, entry.content_hash, f"letter {entry.artifact_id}",
                        entry.tenant_id, entry.school_id, "letterArtifact", entry.artifact_id)
