"""services/letters/stored_files.py: the one integrity check of downloads, deliveries and print
runs. Gone, altered behind the blob's own hash, or altered with it: all IntegrityError naming the
file, never its path; `read_audited` records `letter.integrity_failed`, `read` records nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.platform.errors import IntegrityError, NotFound
from domain.platform.hashing import sha256_hex
from services.letters.stored_files import RecordedFile, StoredFiles
from services.platform.audit import AuditLog
from services.platform.ports import FixedClock
from tests.fakes_attendance import FakeAuditRepository

PATH = "t1/s1/letters/a-1.pdf"
PDF = b"%PDF letter"


class Blobs:
    """Like BlobStore.get: NotFound when gone, IntegrityError when the blob's own hash differs."""

    def __init__(self, data: bytes | None, *, own_hash_matches: bool = True) -> None:
        self.data, self.own_hash_matches = data, own_hash_matches

    def put(self, container: str, path: str, data: bytes, *, content_type: str,
            metadata: dict[str, str] | None = None) -> object:
        raise AssertionError("a read never writes")

    def get(self, container: str, path: str) -> bytes:
        if self.data is None:
            raise NotFound("the stored file was not found")
        if not self.own_hash_matches:
            raise IntegrityError("the stored file does not match its recorded sha256")
        return self.data


def recorded(sha256: str = sha256_hex(PDF)) -> RecordedFile:
    return RecordedFile("letters", PATH, sha256, "letter a-1", "t1", "s1", "letterArtifact", "a-1")


def files(blobs: Blobs) -> tuple[StoredFiles, FakeAuditRepository]:
    audit = FakeAuditRepository()
    return StoredFiles(blobs, AuditLog(audit, FixedClock(datetime(2024, 9, 23, tzinfo=UTC)))), audit


def test_matching_bytes_are_handed_out_and_nothing_is_audited() -> None:
    stored, audit = files(Blobs(PDF))

    assert stored.read_audited(recorded(), None) == PDF and audit.records == []


@pytest.mark.parametrize(("blobs", "sha256", "says"), [
    (Blobs(None), sha256_hex(PDF), "letter a-1 is missing from storage"),
    (Blobs(PDF, own_hash_matches=False), sha256_hex(PDF), "letter a-1 does not match its recorded SHA-256"),
    (Blobs(b"%PDF forged"), sha256_hex(PDF),
     "letter a-1 does not match the SHA-256 recorded when it was stored"),
])
def test_a_gone_or_altered_file_is_refused_and_audited(blobs: Blobs, sha256: str, says: str) -> None:
    stored, audit = files(blobs)

    with pytest.raises(IntegrityError) as refused:
        stored.read_audited(recorded(sha256), None)

    assert refused.value.detail == says and PATH not in says
    [record] = audit.records
    assert (record.action, record.entity_type, record.entity_id) == (
        "letter.integrity_failed", "letterArtifact", "a-1")
    assert record.after == {"expected": sha256, "detail": says}


def test_a_plain_read_leaves_the_audit_to_its_caller() -> None:
    stored, audit = files(Blobs(None))

    with pytest.raises(IntegrityError):
        stored.read(recorded())

    assert audit.records == []
