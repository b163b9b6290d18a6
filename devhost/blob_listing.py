"""A container's blobs as the blob-trigger poller needs them (name, ETag, metadata, content type),
read from the List Blobs XML with ElementTree.

The poller lists its container on every poll, and by the end of `make run`'s term the letters
container holds about 1,500 PDFs: through the SDK's generated XML deserializer that listing was
a quarter of the replay's main thread (docs/benchmarks.md, "First run"). The request is the
SDK's own (its request builder and the container client's pipeline); only the answer is read
here. An answer other than 200 is left to the SDK's own listing, which raises its error.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote

from azure.storage.blob import ContainerClient
from azure.storage.blob._generated.operations._container_operations import (
    build_list_blob_flat_segment_request,
)


@dataclass(frozen=True)
class Listed:
    name: str
    etag: str
    content_type: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


def listed(container: ContainerClient, prefix: str | None = None) -> Iterator[Listed]:
    """Every blob under `prefix`, in name order, a page (up to 5,000) per round trip."""
    marker: str | None = None
    while True:
        request = build_list_blob_flat_segment_request(
            url=container.url, prefix=prefix, marker=marker, include=["metadata"],
            version=container._client._config.version)
        response = container._client._send_request(request)
        if response.status_code != 200:
            yield from _sdk(container, prefix, marker)
            return
        root = ET.fromstring(response.content)
        for blob in root.iterfind("Blobs/Blob"):
            yield _blob(blob)
        marker = root.findtext("NextMarker") or None
        if marker is None:
            return


def _blob(element: ET.Element) -> Listed:
    name = element.find("Name")
    assert name is not None and name.text is not None
    # a name with characters XML cannot carry comes percent-encoded, flagged Encoded="true"
    text = unquote(name.text) if name.get("Encoded") == "true" else name.text
    properties = element.find("Properties")
    metadata = element.find("Metadata")
    return Listed(name=text, etag=properties.findtext("Etag", "") if properties is not None else "",
                  content_type=properties.findtext("Content-Type") if properties is not None else None,
                  metadata={m.tag: m.text or "" for m in metadata} if metadata is not None else {})


def _sdk(container: ContainerClient, prefix: str | None, marker: str | None) -> Iterator[Listed]:
    blobs = container.list_blobs(name_starts_with=prefix, include=["metadata"])
    pages = blobs.by_page(continuation_token=marker)
    for page in pages:
        for blob in page:
            yield Listed(name=blob.name, etag=blob.etag, content_type=blob.content_settings.content_type,
                         metadata=dict(blob.metadata or {}))
