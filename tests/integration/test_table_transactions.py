"""adapters/storage/transactions.py against Azurite: the body it sends is the SDK's own, byte for
byte (boundaries and dates aside), what it writes is what the SDK writes, and a refused
transaction raises the SDK's error through the adapter's translation, having written nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from azure.core import MatchConditions
from azure.core.pipeline.transport import HttpRequest, HttpResponse, RequestsTransport
from azure.data.tables import EdmType, EntityProperty, TableClient, TableServiceClient, UpdateMode

from adapters.storage import transactions
from adapters.storage.tables import Table
from domain.platform.errors import AlreadyExists, ConcurrencyError

pytestmark = pytest.mark.integration


class Recording(RequestsTransport):
    """The real HTTP transport, keeping each transaction's request body."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[bytes] = []

    def send(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if request.url.endswith("/$batch"):
            self.bodies.append(bytes(request.body))
        return super().send(request, **kwargs)


@pytest.fixture
def service(connection_string: str) -> tuple[TableServiceClient, Recording]:
    transport = Recording()
    return TableServiceClient.from_connection_string(connection_string, transport=transport), transport


def seeded(service: TableServiceClient, name: str) -> tuple[TableClient, list[tuple[Any, ...]]]:
    """A table with two rows, and one transaction of every kind of operation on it."""
    client = service.create_table(name)
    etag = client.create_entity({"PartitionKey": "p", "RowKey": "kept"})["etag"]
    client.create_entity({"PartitionKey": "p", "RowKey": "gone"})
    operations: list[tuple[Any, ...]] = [
        ("create", {"PartitionKey": "p", "RowKey": "new", "n": 1, "big": EntityProperty(2**40, EdmType.INT64),
                    "f": 1.5, "yes": True, "text": "l'école é ✓", "raw": b"\x00\x01",
                    "when": datetime(2025, 9, 1, 8, 30, tzinfo=UTC)}),
        ("upsert", {"PartitionKey": "p", "RowKey": "merged", "a": "x"}, {"mode": UpdateMode.MERGE}),
        ("upsert", {"PartitionKey": "p", "RowKey": "o'brien|AM", "a": "y"}, {"mode": UpdateMode.REPLACE}),
        ("update", {"PartitionKey": "p", "RowKey": "kept", "x": 2},
         {"mode": UpdateMode.REPLACE, "etag": etag, "match_condition": MatchConditions.IfNotModified}),
        ("delete", {"PartitionKey": "p", "RowKey": "gone"}),
    ]
    return client, operations


def normalised(body: bytes, table: str) -> bytes:
    body = re.sub(rb"(batch|changeset)_[0-9a-f-]{36}", b"BOUNDARY", body.replace(b"\r\n", b"\n"))
    body = re.sub(rb"(x-ms-date|Date): [^\n]+", rb"\1: DATE", body)
    body = re.sub(rb"If-Match: [^\n]+", b"If-Match: ETAG", body)
    return body.replace(f"/{table}".encode(), b"/TABLE")


def rows(client: TableClient) -> list[dict[str, Any]]:
    return sorted(({k: v for k, v in e.items()} for e in client.list_entities()), key=lambda e: e["RowKey"])


def test_the_body_and_the_writes_are_the_sdks(service: tuple[TableServiceClient, Recording],
                                              unique: str) -> None:
    sdk_service, transport = service
    sdk, operations = seeded(sdk_service, f"sdk{unique}")
    sdk.submit_transaction(operations)
    ours, same_operations = seeded(sdk_service, f"ours{unique}")

    assert transactions.send(ours, same_operations) is True
    assert len(transport.bodies) == 2
    assert normalised(transport.bodies[1], ours.table_name) == normalised(transport.bodies[0], sdk.table_name)
    assert rows(ours) == rows(sdk)
    assert [r["RowKey"] for r in rows(ours)] == ["kept", "merged", "new", "o'brien|AM"]


def test_a_refused_transaction_writes_nothing_and_raises_the_sdks_error_translated(
        service: tuple[TableServiceClient, Recording], unique: str) -> None:
    sdk_service, transport = service
    client, _ = seeded(sdk_service, f"refused{unique}")
    table = Table(client)
    before = rows(client)

    with pytest.raises(AlreadyExists):
        table.submit([("upsert", {"PartitionKey": "p", "RowKey": "a"}),
                      ("create", {"PartitionKey": "p", "RowKey": "kept"})])

    assert rows(client) == before
    # ours, refused; then the SDK's, which raised the reason
    assert len(transport.bodies) == 2
    assert table.counter.by_kind["transaction"] == 2


def test_a_stale_etag_in_a_transaction_is_a_concurrency_error(service: tuple[TableServiceClient, Recording],
                                                               unique: str) -> None:
    client, _ = seeded(service[0], f"stale{unique}")
    table = Table(client)
    row = table.get("p", "kept")
    table.upsert({"PartitionKey": "p", "RowKey": "kept", "by": "someone else"})

    with pytest.raises(ConcurrencyError):
        table.submit([("update", {"PartitionKey": "p", "RowKey": "kept", "by": "me"},
                       {"mode": UpdateMode.REPLACE, "etag": row.etag,
                        "match_condition": MatchConditions.IfNotModified})])

    assert table.get("p", "kept")["by"] == "someone else"
