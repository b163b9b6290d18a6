"""Reading a stored file whose SHA-256 a table row recorded (a letter's PDF, a print batch's files)
for a download, a delivery or a print run: the one integrity check they all go through.

Two checks: the blob against the hash in its own metadata (LetterBlobs.get), and the bytes against
the row's hash (so a blob replaced together with its metadata is caught too). A blob that is gone
while its row remains is the same failure as altered bytes: the row promises content that storage
no longer has, so the answer is IntegrityError (409), never a plain 404 that would read as "this
letter was never made". Messages name the file, never its storage path.

A download or a print run refused this way is audited as `letter.integrity_failed` against the row
that recorded the hash (`read_audited`); a delivery records its own failure instead (the artifact
FAILED, `letter.delivery-failed`), so it reads with `read`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.letters.artifacts import LetterArtifact
from domain.platform.access import Principal
from domain.platform.errors import IntegrityError, NotFound
from domain.platform.hashing import sha256_hex
from domain.platform.paths import LETTERS
from services.letters.ports import LetterBlobs
from services.platform.audit import AuditLog

log = logging.getLogger(__name__)
INTEGRITY_FAILED = "letter.integrity_failed"


@dataclass(frozen=True)
class RecordedFile:
    """A stored file, the SHA-256 a row recorded for it, and that row: what the audit record of
    a failed check is about (`detail` goes first in its `after`, e.g. which of a batch's files)."""

    container: str
    path: str
    sha256: str
    name: str  # what messages call it, e.g. "letter a-1"
    tenant_id: str
    school_id: str
    entity_type: str
    entity_id: str
    detail: Mapping[str, object] = field(default_factory=dict)


def letter_pdf(artifact: LetterArtifact, *, path: str | None = None, name: str | None = None) -> RecordedFile:
    """An artifact's PDF, at `path` when the caller was given it (a blob event). One with no
    recorded hash fails the check: no bytes hash to ""."""
    return RecordedFile(LETTERS, path or artifact.storage_path or "", artifact.content_hash or "",
                        name or f"letter {artifact.id}", artifact.tenant_id, artifact.school_id,
                        "letterArtifact", artifact.id)


class StoredFiles:
    def __init__(self, blobs: LetterBlobs, audit: AuditLog) -> None:
        self._blobs, self._audit = blobs, audit

    def read(self, file: RecordedFile) -> bytes:
        """The bytes if they are still there and match `file.sha256`; IntegrityError (not audited
        here) when they are gone or differ."""
        try:
            data = self._blobs.get(file.container, file.path)
        except NotFound:
            raise IntegrityError(f"{file.name} is missing from storage") from None
        except IntegrityError:
            raise IntegrityError(f"{file.name} does not match its recorded SHA-256") from None
        if sha256_hex(data) != file.sha256:
            raise IntegrityError(f"{file.name} does not match the SHA-256 recorded when it was stored")
        return data

    def read_audited(self, file: RecordedFile, actor: Principal | None) -> bytes:
        """`read`, with a failure audited against the file's row before IntegrityError is raised."""
        try:
            return self.read(file)
        except IntegrityError as exc:
            log.warning("%s failed its integrity check (%s %s, school %s)", file.name, file.entity_type,
                        file.entity_id, file.school_id)
            self._audit.record(actor=actor, tenant_id=file.tenant_id, school_id=file.school_id,
                               action=INTEGRITY_FAILED, entity_type=file.entity_type,
                               entity_id=file.entity_id,
                               after={**file.detail, "expected": file.sha256, "detail": exc.detail})
            raise
