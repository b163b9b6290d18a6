"""devhost/blob_listing.py against Azurite: the blobs, ETags, metadata and content types it reads
from the List Blobs XML are the SDK's own listing's, over several pages and awkward names."""

from __future__ import annotations

from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient, ContentSettings

from devhost import blob_listing
from devhost.blob_listing import Listed

pytestmark = pytest.mark.integration

NAMES = ["t/s/letters/a.pdf", "t/s/letters/b é ✓.pdf", "t/s/letters/o'brien & co <x>.pdf",
         "t/s/letters/%41.pdf", "t/other/c.pdf", "z.pdf"]


@pytest.fixture
def container(connection_string: str, unique: str) -> Any:
    service = BlobServiceClient.from_connection_string(connection_string)
    container = service.create_container(f"l{unique}")
    for i, name in enumerate(NAMES):
        metadata = {"artifactId": f"a{i}", "correlationId": "c"} if i % 2 else None
        container.upload_blob(name, b"%PDF", metadata=metadata,
                              content_settings=ContentSettings(content_type="application/pdf") if i else None)
    yield container
    container.delete_container()


def sdk(container: Any, prefix: str | None) -> list[Listed]:
    return [Listed(b.name, b.etag, b.content_settings.content_type, dict(b.metadata or {}))
            for b in container.list_blobs(name_starts_with=prefix, include=["metadata"])]


@pytest.mark.parametrize("prefix", [None, "t/s/letters/", "t/", "nothing/"])
def test_the_listing_is_the_sdks(container: Any, prefix: str | None) -> None:
    ours = list(blob_listing.listed(container, prefix))
    assert ours == sdk(container, prefix)
    assert len(ours) == sum(1 for n in NAMES if n.startswith(prefix or ""))


def test_every_page_is_read(container: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    build = blob_listing.build_list_blob_flat_segment_request
    monkeypatch.setattr(blob_listing, "build_list_blob_flat_segment_request",
                        lambda **kw: build(**kw, maxresults=2))
    assert [b.name for b in blob_listing.listed(container)] == sorted(NAMES)


def test_a_refused_listing_is_the_sdks_error(connection_string: str) -> None:
    gone = BlobServiceClient.from_connection_string(connection_string).get_container_client("nosuchcontainer")
    with pytest.raises(Exception, match="ContainerNotFound|does not exist"):
        list(blob_listing.listed(gone))
