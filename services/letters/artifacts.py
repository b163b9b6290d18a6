"""Reading letter artifacts for staff: a student's letters (metadata) and one letter's PDF,
handed out only when its bytes still match the SHA-256 recorded when it was rendered
(services/letters/stored_files.py). A mismatch, or a PDF gone from storage, is refused
(IntegrityError, 409) and written to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.letters.artifacts import ArtifactStatus, LetterArtifact
from domain.platform.access import Principal
from domain.platform.errors import NotFound
from services.letters.ports import ArtifactStore, LetterBlobs
from services.letters.stored_files import StoredFiles, letter_pdf
from services.platform.audit import AuditLog


class LetterArtifacts:
    def __init__(self, store: ArtifactStore, blobs: LetterBlobs, audit: AuditLog) -> None:
        self._store, self._files = store, StoredFiles(blobs, audit)

    def for_student(self, tenant_id: str, school_id: str, student_id: str) -> list[LetterArtifact]:
        return self._store.for_student(tenant_id, school_id, student_id)

    def page(self, tenant_id: str, school_id: str, *, student_id: str | None = None,
             status: ArtifactStatus | None = None, limit: int = 100,
             continuation: str | None = None) -> tuple[list[LetterArtifact], str | None]:
        """The school's artifacts (a student's, and/or those in one status) by artifact id, a page
        at a time; the token is opaque. ValidationFailed (continuationToken) for a bad token."""
        return self._store.page(tenant_id, school_id, student_id=student_id, status=status, limit=limit,
                                continuation=continuation)

    def pdf(self, actor: Principal, tenant_id: str, school_id: str, artifact_id: str,
            ensure_school: Callable[[str], None]) -> tuple[LetterArtifact, bytes]:
        """The artifact and its verified PDF. NotFound when it has no PDF yet; IntegrityError when
        the stored bytes were altered or are gone (audited)."""
        artifact = self._store.get(tenant_id, school_id, artifact_id)
        ensure_school(artifact.school_id)
        if not artifact.storage_path or not artifact.content_hash:
            raise NotFound(f"letter {artifact_id} has no PDF (status {artifact.status.value})")
        return artifact, self._files.read_audited(letter_pdf(artifact), actor)
