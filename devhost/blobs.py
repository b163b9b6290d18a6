"""Blob triggers: poll the container named by the binding path and fire once per blob version.

In Azure the Event Grid source pushes BlobCreated events; locally there is no Event Grid, so
this polls. Receipts (one row per function and blob, holding the ETag that ran) live in an
Azurite table, so a restart does not fire again and a changed blob (new ETag) fires again,
as the host's blob receipts behave. A blob that keeps failing gets a message on
`webjobs-blobtrigger-poison` after five attempts, as in the host.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, TableServiceClient
from azure.functions.blob import InputStream
from azure.storage.blob import BlobProperties, BlobServiceClient, ContainerClient

from devhost.discovery import HostFunction
from devhost.invoke import Delivery, Invoker
from devhost.timers import utc_now

log = logging.getLogger("devhost")

RECEIPTS_TABLE = "devhostblobreceipts"
POISON_QUEUE = "webjobs-blobtrigger-poison"

DONE, RETRY, POISONED = "done", "retry", "poisoned"


@dataclass(frozen=True)
class BlobOptions:
    max_attempts: int = 5
    retry_delay: float = 0.0
    """Seconds before a failed blob is tried again."""
    receipts_table: str = RECEIPTS_TABLE


class BlobPath:
    """A trigger path `container/pattern`, where the pattern may hold `{name}`-style parameters
    (which, as in the host, may span virtual folders)."""

    def __init__(self, path: str) -> None:
        self.container, _, self.pattern = path.strip("/").partition("/")
        self.prefix = self.pattern.split("{", 1)[0]
        parts = re.split(r"\{([^}]+)\}", self.pattern)
        # split() alternates literal text and parameter names
        self._regex = re.compile("".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+)" for i, part in enumerate(parts)))

    def matches(self, blob_name: str) -> bool:
        return self._regex.fullmatch(blob_name) is not None


def receipt_key(container: str, blob_name: str) -> str:
    # Blob names may hold characters Table keys forbid (/ \ # ?) and be up to 1 KiB long.
    return hashlib.sha256(f"{container}/{blob_name}".encode()).hexdigest()


class BlobPoller:
    def __init__(self, blob_service: BlobServiceClient, table_service: TableServiceClient,
                 queue_sender: Callable[[str, str], None], functions: list[HostFunction],
                 invoker: Invoker, options: BlobOptions, now: Callable[[], datetime] = utc_now) -> None:
        self._blobs = blob_service
        self._tables = table_service
        self._send = queue_sender
        self._functions = functions
        self._invoker = invoker
        self.options = options
        self._now = now
        self._receipts: TableClient | None = None
        self._waiting = 0
        self._created: set[str] = set()
        # what the last `run_once` invoked, by function name (counted here: no storage read)
        self.last_handled: Counter[str] = Counter()

    def run_once(self) -> int:
        """Fire every function once for each blob version it has no receipt for (and retry
        failures that are due); the number of invocations."""
        invoked, waiting = 0, 0
        self.last_handled = Counter()
        for fn in self._functions:
            path = BlobPath(fn.setting("path"))
            container = self._container(path.container)
            receipts = {r["RowKey"]: r for r in self._receipt_table().query_entities(
                "PartitionKey eq @fn", parameters={"fn": fn.name})}
            for blob in container.list_blobs(name_starts_with=path.prefix or None, include=["metadata"]):
                if not path.matches(blob.name):
                    continue
                receipt = receipts.get(receipt_key(path.container, blob.name))
                if receipt and receipt.get("ETag") == blob.etag:
                    if receipt.get("Status") != RETRY:
                        continue  # this version already ran (or gave up)
                    if receipt["RetryAt"] > self._now():
                        waiting += 1
                        continue
                    attempt = int(receipt["Attempts"]) + 1
                else:
                    attempt = 1  # new blob, or a new version of it
                outcome = self._fire(fn, container, blob, attempt)
                if outcome is not None:
                    invoked += 1
                    self.last_handled[fn.name] += 1
                waiting += outcome == RETRY
        self._waiting = waiting
        return invoked

    def pending(self) -> int:
        """Blobs seen in the last poll that failed and wait for another attempt."""
        return self._waiting

    def _fire(self, fn: HostFunction, container: ContainerClient, blob: BlobProperties,
              attempt: int) -> str | None:
        client = container.get_blob_client(blob.name)
        try:
            unchanged = MatchConditions.IfNotModified
            data = client.download_blob(etag=blob.etag, match_condition=unchanged).readall()
        except (ResourceModifiedError, ResourceNotFoundError):
            return None  # changed or deleted since listed: the next poll sees its new state
        stream = InputStream(data=data, name=f"{container.container_name}/{blob.name}", uri=client.url,
                             length=len(data), metadata=dict(blob.metadata or {}),
                             blob_properties={"ETag": blob.etag, "ContentLength": len(data),
                                              "ContentType": blob.content_settings.content_type})
        delivery = Delivery(correlation_id=_metadata(blob, "correlationId"), attempt=attempt,
                            max_attempts=self.options.max_attempts)
        try:
            self._invoker.call(fn, stream, delivery)
            status = DONE
        except Exception:
            status = RETRY if attempt < self.options.max_attempts else POISONED
        if status == POISONED:
            self._poison(fn, container.container_name, blob)
        self._receipt_table().upsert_entity({
            "PartitionKey": fn.name, "RowKey": receipt_key(container.container_name, blob.name),
            "Blob": f"{container.container_name}/{blob.name}", "ETag": blob.etag, "Status": status,
            "Attempts": attempt, "RetryAt": self._now() + timedelta(seconds=self.options.retry_delay)})
        return status

    def _poison(self, fn: HostFunction, container: str, blob: BlobProperties) -> None:
        # The message the host writes, so tooling that reads the poison queue sees the same shape.
        message = {"Type": "BlobTrigger", "FunctionId": f"Host.Functions.{fn.name}", "BlobType": "BlockBlob",
                   "ContainerName": container, "BlobName": blob.name, "ETag": blob.etag}
        self._send(POISON_QUEUE, base64.b64encode(json.dumps(message).encode()).decode())
        log.warning("blob %s/%s gave up after %d attempts of %s: message on %s", container, blob.name,
                    self.options.max_attempts, fn.name, POISON_QUEUE)

    def _container(self, name: str) -> ContainerClient:
        container = self._blobs.get_container_client(name)
        if name not in self._created:
            try:
                container.create_container()  # a fresh Azurite: poll an empty container, not an error
            except ResourceExistsError:
                pass
            self._created.add(name)
        return container

    def _receipt_table(self) -> TableClient:
        if self._receipts is None:
            self._receipts = self._tables.create_table_if_not_exists(self.options.receipts_table)
        return self._receipts


def _metadata(blob: BlobProperties, key: str) -> str | None:
    # Metadata names are case-insensitive in Azure; the SDK hands back what the service stored.
    return next((str(v) for k, v in (blob.metadata or {}).items() if k.lower() == key.lower()), None)
