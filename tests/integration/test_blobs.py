"""adapters/storage/blobs.py against Azurite: hashed put/get, immutability, tamper detection, errors."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date

import pytest
from azure.storage.blob import BlobServiceClient

from adapters.storage.blobs import BlobStore, StoredBlob
from devhost.azurite import free_port
from domain.platform import paths
from domain.platform.errors import AlreadyExists, ConcurrencyError, IntegrityError, NotFound, ValidationFailed
from settings import azurite_connection_string

pytestmark = pytest.mark.integration

LETTER = b"%PDF-1.7 Dear guardian of Zo\xc3\xab ... %%EOF"
PATH = paths.letter_path("trust-1", "school-9", "art-5")


@pytest.fixture
def service(connection_string: str) -> BlobServiceClient:
    return BlobServiceClient.from_connection_string(connection_string)


@pytest.fixture
def container(service: BlobServiceClient, unique: str) -> Iterator[str]:
    name = f"{paths.LETTERS}-{unique}"
    BlobStore(service).ensure_container(name)
    yield name
    service.delete_container(name)


@pytest.fixture
def store(service: BlobServiceClient) -> BlobStore:
    return BlobStore(service)


def test_put_then_get_round_trips_and_records_the_hash_in_metadata(
        store: BlobStore, service: BlobServiceClient, container: str) -> None:
    stored = store.put(container, PATH, LETTER, content_type="application/pdf",
                       metadata={"artifactId": "art-5"})

    props = service.get_blob_client(container, PATH).get_blob_properties()
    assert store.get(container, PATH) == LETTER
    assert stored == StoredBlob(container, PATH, hashlib.sha256(LETTER).hexdigest(), len(LETTER),
                                props.etag)
    assert props.metadata == {"artifactId": "art-5", "sha256": stored.sha256}
    assert props.content_settings.content_type == "application/pdf"


def test_get_info_reports_what_put_returned(store: BlobStore, container: str) -> None:
    stored = store.put(container, PATH, LETTER, content_type="application/pdf")

    assert store.get_info(container, PATH) == stored


def test_an_empty_blob_round_trips(store: BlobStore, container: str) -> None:
    store.put(container, "empty.bin", b"", content_type="application/octet-stream")

    assert store.get(container, "empty.bin") == b""


def test_putting_the_same_bytes_again_returns_the_stored_blob(store: BlobStore, container: str) -> None:
    first = store.put(container, PATH, LETTER, content_type="application/pdf")

    again = store.put(container, PATH, LETTER, content_type="application/pdf")

    assert again == first


def test_putting_different_bytes_at_the_same_path_raises_already_exists(
        store: BlobStore, container: str) -> None:
    store.put(container, PATH, LETTER, content_type="application/pdf")

    with pytest.raises(AlreadyExists):
        store.put(container, PATH, LETTER + b" changed", content_type="application/pdf")

    assert store.get(container, PATH) == LETTER


def test_a_blob_overwritten_behind_our_back_fails_the_integrity_check(
        store: BlobStore, service: BlobServiceClient, container: str) -> None:
    store.put(container, PATH, LETTER, content_type="application/pdf")
    blob = service.get_blob_client(container, PATH)
    kept = blob.get_blob_properties().metadata
    blob.upload_blob(b"%PDF-1.7 forged", overwrite=True, metadata=kept)

    with pytest.raises(IntegrityError, match="does not match"):
        store.get(container, PATH)


def test_a_blob_without_a_recorded_hash_fails_the_integrity_check(
        store: BlobStore, service: BlobServiceClient, container: str) -> None:
    service.get_blob_client(container, PATH).upload_blob(LETTER)

    with pytest.raises(IntegrityError, match="no recorded sha256"):
        store.get(container, PATH)
    with pytest.raises(IntegrityError, match="no recorded sha256"):
        store.get_info(container, PATH)
    with pytest.raises(AlreadyExists):
        store.put(container, PATH, LETTER, content_type="application/pdf")


def test_missing_blobs_and_containers_raise_not_found(store: BlobStore, container: str) -> None:
    with pytest.raises(NotFound):
        store.get(container, "nothing.pdf")
    with pytest.raises(NotFound):
        store.get_info(container, "nothing.pdf")
    with pytest.raises(NotFound):
        store.get("no-such-container", "nothing.pdf")
    with pytest.raises(NotFound):
        store.put("no-such-container", PATH, LETTER, content_type="application/pdf")
    with pytest.raises(NotFound):
        list(store.list_paths("no-such-container"))


def test_exists(store: BlobStore, container: str) -> None:
    store.put(container, PATH, LETTER, content_type="application/pdf")

    assert store.exists(container, PATH)
    assert not store.exists(container, PATH + ".old")
    assert not store.exists("no-such-container", PATH)


def test_list_paths_returns_the_names_under_a_prefix(store: BlobStore, container: str) -> None:
    names = [paths.letter_path("trust-1", "school-9", "a"), paths.letter_path("trust-1", "school-9", "b"),
             paths.letter_path("trust-1", "school-10", "c"), paths.letter_path("trust-2", "school-9", "d")]
    for name in names:
        store.put(container, name, name.encode(), content_type="application/pdf")

    assert list(store.list_paths(container, paths.school_prefix("trust-1", "school-9"))) == names[:2]
    assert sorted(store.list_paths(container)) == sorted(names)


def test_put_mutable_overwrites_and_stays_verifiable(store: BlobStore, container: str) -> None:
    path = paths.print_batch_path("trust-1", "school-9", date(2025, 3, 7), "pdf")
    first = store.put_mutable(container, path, b"batch v1", content_type="application/pdf")

    second = store.put_mutable(container, path, b"batch v1 + letter 2", content_type="application/pdf")

    assert store.get(container, path) == b"batch v1 + letter 2"
    assert second.sha256 != first.sha256
    assert store.get_info(container, path) == second


def test_put_mutable_with_a_stale_etag_raises_concurrency_error(store: BlobStore, container: str) -> None:
    first = store.put_mutable(container, "batch.pdf", b"v1", content_type="application/pdf")
    store.put_mutable(container, "batch.pdf", b"v2", content_type="application/pdf", etag=first.etag)

    with pytest.raises(ConcurrencyError):
        store.put_mutable(container, "batch.pdf", b"v3", content_type="application/pdf", etag=first.etag)

    assert store.get(container, "batch.pdf") == b"v2"


@pytest.mark.parametrize("metadata", [{"sha256": "0" * 64}, {"SHA256": "x"}, {"bad-name": "x"},
                                      {"note": "naïve"}, {"note": "line\nbreak"}])
def test_metadata_that_would_forge_the_hash_or_break_headers_is_refused(
        store: BlobStore, container: str, metadata: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed):
        store.put(container, PATH, LETTER, content_type="application/pdf", metadata=metadata)

    assert not store.exists(container, PATH)


def test_ensure_container_is_idempotent(store: BlobStore, service: BlobServiceClient, unique: str) -> None:
    name = f"reports-{unique}"

    store.ensure_container(name)
    store.ensure_container(name)

    assert service.get_container_client(name).exists()
    service.delete_container(name)


def test_a_request_the_service_refuses_raises_validation_failed(store: BlobStore) -> None:
    with pytest.raises(ValidationFailed):
        store.ensure_container("ab")  # container names need 3 to 63 characters


def test_an_unreachable_service_raises_connection_error() -> None:
    port = free_port()
    nobody = BlobServiceClient.from_connection_string(
        azurite_connection_string(blob=port, queue=port, table=port), retry_total=0)

    with pytest.raises(ConnectionError):
        BlobStore(nobody).get("letters", PATH)
