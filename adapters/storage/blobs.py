"""Blob storage: artifacts stored with their SHA-256 in metadata and verified when read back.

`put` is for immutable artifacts (letters, raw SIS payloads, reports): a re-run that writes
the same bytes gets the stored blob back, different bytes under the same path are refused.
`put_mutable` is for blobs that are rebuilt (daily print batches); they are hashed too.
No azure exception leaves this module: they become domain errors, or ConnectionError when
the service itself failed (retry later), as adapters/storage/errors.py translates them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from azure.core import MatchConditions
from azure.storage.blob import BlobClient, BlobServiceClient, ContentSettings

from adapters.storage.errors import Wording, translated
from domain.platform.errors import AlreadyExists, IntegrityError, ValidationFailed
from domain.platform.hashing import sha256_hex

HASH_KEY = "sha256"
# domain errors can reach API callers: they never name the container or the blob's path
# (tenant, school and ids); the infrastructure failure (ConnectionError) is logged, not shown
BLOBS = Wording("blob storage", not_found="the stored file was not found",
                exists="the stored file exists already",
                changed="the stored file changed since it was read",
                refused="storage refused the file ({code})")


@dataclass(frozen=True)
class StoredBlob:
    container: str
    path: str
    sha256: str
    size: int
    etag: str


class BlobStore:
    """Hashed blobs on one account. Raises domain errors (see the module docstring)."""

    def __init__(self, service: BlobServiceClient) -> None:
        self._service = service

    def ensure_container(self, name: str) -> None:
        with suppress(AlreadyExists), translated(BLOBS, f"container {name!r}"):
            self._service.create_container(name)

    def put(self, container: str, path: str, data: bytes, *, content_type: str,
            metadata: dict[str, str] | None = None) -> StoredBlob:
        """Store once. The same bytes again return the stored blob (an idempotent re-run);
        other bytes raise AlreadyExists. NotFound when the container is missing."""
        digest = sha256_hex(data)
        blob = self._blob(container, path)
        try:
            with translated(BLOBS, f"{container}/{path}"):
                result = blob.upload_blob(data, overwrite=False, metadata=_metadata(metadata, digest),
                                          content_settings=ContentSettings(content_type=content_type))
        except AlreadyExists:
            existing = self._info(blob)
            if existing.sha256 != digest:
                raise AlreadyExists("the stored file exists with different content") from None
            return existing
        return StoredBlob(container, path, digest, len(data), str(result["etag"]))

    def put_mutable(self, container: str, path: str, data: bytes, *, content_type: str,
                    metadata: dict[str, str] | None = None, etag: str | None = None) -> StoredBlob:
        """Create or overwrite. With `etag`, overwrite only that version: ConcurrencyError
        when the blob changed or was deleted since."""
        digest = sha256_hex(data)
        condition: dict[str, Any] = (
            {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag else {})
        with translated(BLOBS, f"{container}/{path}"):
            result = self._blob(container, path).upload_blob(
                data, overwrite=True, metadata=_metadata(metadata, digest),
                content_settings=ContentSettings(content_type=content_type), **condition)
        return StoredBlob(container, path, digest, len(data), str(result["etag"]))

    def get(self, container: str, path: str) -> bytes:
        """The verified bytes. NotFound; IntegrityError when the hash is missing or differs."""
        with translated(BLOBS, f"{container}/{path}"):
            # content and metadata come from one response, so they describe the same version
            download = self._blob(container, path).download_blob()
            data = download.readall()
        expected = (download.properties.metadata or {}).get(HASH_KEY)
        if not expected:
            raise IntegrityError(f"the stored file has no recorded {HASH_KEY}")
        if sha256_hex(data) != expected:
            raise IntegrityError(f"the stored file does not match its recorded {HASH_KEY}")
        return data

    def get_info(self, container: str, path: str) -> StoredBlob:
        """Recorded hash, size and ETag (content not read). NotFound; IntegrityError if unhashed."""
        info = self._info(self._blob(container, path))
        if not info.sha256:
            raise IntegrityError(f"the stored file has no recorded {HASH_KEY}")
        return info

    def exists(self, container: str, path: str) -> bool:
        with translated(BLOBS, f"{container}/{path}"):
            return bool(self._blob(container, path).exists())

    def list_paths(self, container: str, prefix: str = "") -> Iterator[str]:
        """Blob names under `prefix`, in name order, fetched a page at a time. NotFound."""
        with translated(BLOBS, f"container {container!r}"):
            yield from self._service.get_container_client(container).list_blob_names(
                name_starts_with=prefix or None)

    def _blob(self, container: str, path: str) -> BlobClient:
        return self._service.get_blob_client(container, path)

    def _info(self, blob: BlobClient) -> StoredBlob:
        with translated(BLOBS, f"{blob.container_name}/{blob.blob_name}"):
            props = blob.get_blob_properties()
        return StoredBlob(blob.container_name, blob.blob_name, (props.metadata or {}).get(HASH_KEY, ""),
                          int(props.size), str(props.etag))


def _metadata(metadata: dict[str, str] | None, digest: str) -> dict[str, str]:
    """Caller metadata plus our hash. Names are HTTP header suffixes, values header values."""
    for name, value in (metadata or {}).items():
        if not (name.isidentifier() and name.isascii()) or name.lower() == HASH_KEY:
            raise ValidationFailed(f"metadata name {name!r} is not allowed", field="metadata")
        if not (value.isascii() and value.isprintable()):
            raise ValidationFailed(f"metadata {name!r} must be printable ASCII", field="metadata")
    return {**(metadata or {}), HASH_KEY: digest}
