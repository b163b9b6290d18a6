"""Reading a stored file whose SHA-256 a table row recorded (a letter's PDF, a print batch's files)
for a download, a delivery or a print run.

Two checks: the blob against the hash in its own metadata (BlobStore.get), and the bytes against
the row's hash (so a blob replaced together with its metadata is caught too). A blob that is gone
while its row remains is the same failure as altered bytes: the row promises content that storage
no longer has, so the answer is IntegrityError (409, audited by the caller), never a plain 404
that would read as "this letter was never made". Messages name the file, never its storage path.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from domain.platform.errors import IntegrityError, NotFound


class Readable(Protocol):
    def get(self, container: str, path: str) -> bytes:
        """The verified bytes: NotFound, IntegrityError when they differ from their hash."""
        ...


def verified(blobs: Readable, container: str, path: str, expected: str, what: str) -> bytes:
    """The bytes of `what` (e.g. "letter a-1") if they are still there and match `expected`."""
    try:
        data = blobs.get(container, path)
    except NotFound:
        raise IntegrityError(f"{what} is missing from storage") from None
    except IntegrityError:
        raise IntegrityError(f"{what} does not match its recorded SHA-256") from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise IntegrityError(f"{what} does not match the SHA-256 recorded when it was stored")
    return data
