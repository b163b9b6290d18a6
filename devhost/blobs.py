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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, TableServiceClient
from azure.functions.blob import InputStream
from azure.storage.blob import BlobServiceClient, ContainerClient

from devhost.blob_listing import Listed, listed
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
    batch_size: int = 16
    """Blobs fired at once, as the queue poller's batch."""
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
        # each function's receipts by RowKey: read once, then kept as this poller writes them
        self._known: dict[str, dict[str, dict[str, Any]]] = {}
        self._waiting = 0
        self._created: set[str] = set()
        # what the last `run_once` invoked, by function name (counted here: no storage read)
        self.last_handled: Counter[str] = Counter()

    def run_once(self) -> int:
        """Fire every function once for each blob version it has no receipt for (and retry
        failures that are due), up to `batch_size` at a time; the number of invocations."""
        invoked, waiting = 0, 0
        self.last_handled = Counter()
        for fn in self._functions:
            path = BlobPath(fn.setting("path"))
            container = self._container(path.container)
            due, held = self._due(fn, path, container)
            waiting += held
            if not due:
                continue
            # The host runs blob-triggered functions concurrently as their events arrive:
            # handlers must not rely on order or on running alone.
            with ThreadPoolExecutor(max_workers=self.options.batch_size, thread_name_prefix=fn.name) as pool:
                outcomes = list(pool.map(lambda d, f=fn, c=container: self._fire(f, c, *d), due))
            for outcome in outcomes:
                if outcome is not None:
                    invoked += 1
                    self.last_handled[fn.name] += 1
                waiting += outcome == RETRY
        self._waiting = waiting
        return invoked

    def _due(self, fn: HostFunction, path: BlobPath, container: ContainerClient,
             ) -> tuple[list[tuple[Listed, int]], int]:
        """The blobs to fire now, each with its attempt, and how many wait for a later retry."""
        receipts, due, waiting = self._receipts_of(fn), [], 0
        for blob in listed(container, path.prefix or None):
            if not path.matches(blob.name):
                continue
            receipt = receipts.get(receipt_key(path.container, blob.name))
            if receipt and receipt.get("ETag") == blob.etag:
                if receipt.get("Status") != RETRY:
                    continue  # this version already ran (or gave up)
                if receipt["RetryAt"] > self._now():
                    waiting += 1
                    continue
                due.append((blob, int(receipt["Attempts"]) + 1))
            else:
                due.append((blob, 1))  # new blob, or a new version of it
        return due, waiting

    def pending(self) -> int:
        """Blobs seen in the last poll that failed and wait for another attempt."""
        return self._waiting

    def _receipts_of(self, fn: HostFunction) -> dict[str, dict[str, Any]]:
        """The function's receipts. Only this poller writes them, so after one read they are
        kept in memory (a poll re-reading them all cost as much as the listing)."""
        if fn.name not in self._known:
            self._known[fn.name] = {r["RowKey"]: dict(r) for r in self._receipt_table().query_entities(
                "PartitionKey eq @fn", parameters={"fn": fn.name})}
        return self._known[fn.name]

    def _fire(self, fn: HostFunction, container: ContainerClient, blob: Listed,
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
                                              "ContentType": blob.content_type})
        delivery = Delivery(correlation_id=_metadata(blob, "correlationId"), attempt=attempt,
                            max_attempts=self.options.max_attempts)
        try:
            self._invoker.call(fn, stream, delivery)
            status = DONE
        except Exception:
            status = RETRY if attempt < self.options.max_attempts else POISONED
        if status == POISONED:
            self._poison(fn, container.container_name, blob)
        receipt: dict[str, Any] = {
            "PartitionKey": fn.name, "RowKey": receipt_key(container.container_name, blob.name),
            "Blob": f"{container.container_name}/{blob.name}", "ETag": blob.etag, "Status": status,
            "Attempts": attempt, "RetryAt": self._now() + timedelta(seconds=self.options.retry_delay)}
        self._receipt_table().upsert_entity(receipt)
        self._receipts_of(fn)[str(receipt["RowKey"])] = receipt
        return status

    def _poison(self, fn: HostFunction, container: str, blob: Listed) -> None:
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


def _metadata(blob: Listed, key: str) -> str | None:
    # Metadata names are case-insensitive in Azure; the SDK hands back what the service stored.
    return next((str(v) for k, v in (blob.metadata or {}).items() if k.lower() == key.lower()), None)
