"""adapters/storage/reads.py against Azurite: a page and a point read parsed by `json` give the
rows, property types, ETags and continuations the SDK's own reads give, and an answer other than
200 is the SDK's error, through the adapter's translation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import EdmType, EntityProperty, TableClient, TableServiceClient

from adapters.storage import reads
from adapters.storage.tables import Table, _entity
from adapters.storage.tokens import InvalidToken, encode_token
from domain.platform.errors import NotFound

pytestmark = pytest.mark.integration

EVERY_TYPE: dict[str, Any] = {
    "n": 7, "big": EntityProperty(2**40, EdmType.INT64), "neg": -(2**31), "f": 1.5, "whole": 2.0,
    "yes": True, "text": "l'école é ✓ \"quoted\"", "raw": b"\x00\x01\xff",
    "when": datetime(2025, 9, 1, 8, 30, 15, 123456, tzinfo=UTC), "id": uuid.UUID(int=42),
    "digits": "0123",
}


@pytest.fixture
def client(connection_string: str, unique: str) -> Any:
    service = TableServiceClient.from_connection_string(connection_string)
    client = service.create_table(f"r{unique}")
    for i in range(7):
        client.create_entity({"PartitionKey": f"p{i % 2}", "RowKey": f"o'brien|{i:02d}", "i": i,
                              **EVERY_TYPE})
    yield client
    service.delete_table(client.table_name)


def sdk_pages(client: TableClient, filter: str, parameters: dict[str, Any] | None,
              select: list[str] | None, top: int) -> list[tuple[list[Any], Any]]:
    pager = client.query_entities(filter, parameters=parameters, select=select,
                                  results_per_page=top).by_page()
    return [(list(page), pager.continuation_token) for page in pager]  # type: ignore[attr-defined]


def own_pages(client: TableClient, filter: str, parameters: dict[str, Any] | None,
              select: list[str] | None, top: int) -> list[tuple[list[Any], Any]]:
    pages, token = [], None
    while True:
        read = reads.query_page(client, filter, parameters, select, top, token)
        assert read is not None
        pages.append(read)
        token = read[1]
        if token is None:
            return pages


def same(ours: reads.Row, theirs: Any) -> None:
    """A row read here is the SDK's entity as the adapter kept it: plain values, its ETag."""
    expected = _entity(theirs)
    assert ours[0] == dict(expected)
    assert {k: type(v) for k, v in ours[0].items()} == {k: type(v) for k, v in expected.items()}
    assert ours[1] == expected.etag == theirs.metadata["etag"]


@pytest.mark.parametrize(("filter", "parameters", "select"), [
    ("PartitionKey eq @pk", {"pk": "p1"}, None),
    ("PartitionKey eq @pk and i ge @low", {"pk": "p0", "low": 2}, None),
    ("RowKey ge @rk", {"rk": "o'brien|03"}, ["i", "when", "big"]),
    ("i lt 100", None, None),
])
def test_pages_are_the_sdks(client: TableClient, filter: str, parameters: dict[str, Any] | None,
                            select: list[str] | None) -> None:
    ours = own_pages(client, filter, parameters, select, 2)
    theirs = sdk_pages(client, filter, parameters, select, 2)
    assert len(ours) == len(theirs) > 1
    for (our_rows, our_token), (their_rows, their_token) in zip(ours, theirs, strict=True):
        assert our_token == their_token
        assert len(our_rows) == len(their_rows)
        for mine, sdk in zip(our_rows, their_rows, strict=True):
            same(mine, sdk)


def test_a_point_read_is_the_sdks(client: TableClient) -> None:
    found = reads.get(client, "p1", "o'brien|01")
    assert found is not None
    same(found, client.get_entity("p1", "o'brien|01"))
    assert found[0]["big"] == 2**40 and found[0]["id"] == EVERY_TYPE["id"]
    assert found[0]["when"] == EVERY_TYPE["when"] and found[0]["raw"] == EVERY_TYPE["raw"]
    with pytest.raises(ResourceNotFoundError):
        reads.get(client, "p1", "nobody")


def test_a_row_without_an_etag_gets_the_sdks_made_up_one() -> None:
    raw = {"PartitionKey": "p", "RowKey": "r", "Timestamp@odata.type": "Edm.DateTime",
           "Timestamp": "2025-09-01T08:30:00.1234567Z", "n@odata.type": "Edm.Int32", "n": 5,
           "s@odata.type": "Edm.String", "s": "x", "d@odata.type": "Edm.Double", "d": "NaN"}
    properties, etag = reads.row(raw)
    assert etag == "W/\"datetime'2025-09-01T08%3A30%3A00.1234567Z'\""
    assert properties["n"] == 5 and properties["s"] == "x" and properties["d"] != properties["d"]
    assert set(properties) == {"PartitionKey", "RowKey", "n", "s", "d"}


def test_a_failed_read_is_left_to_the_sdk(client: TableClient, connection_string: str) -> None:
    missing = TableServiceClient.from_connection_string(connection_string).get_table_client("nosuchtable")
    assert reads.query_page(missing, "PartitionKey eq 'p'", None, None, 10, None) is None
    assert reads.query_page(client, "PartitionKey eq", None, None, 10, None) is None  # not a filter


def test_the_adapter_reads_through_it(client: TableClient) -> None:
    table = Table(client)
    page = table.query_page("PartitionKey eq @pk", parameters={"pk": "p0"}, page_size=3)
    assert [r["i"] for r in page.items] == [0, 2, 4] and page.continuation
    rest = table.query_page("PartitionKey eq @pk", parameters={"pk": "p0"}, page_size=3,
                            continuation=page.continuation)
    assert [r["i"] for r in rest.items] == [6] and rest.continuation is None
    row = table.get("p0", "o'brien|00")
    assert row["big"] == 2**40 and row.etag == client.get_entity("p0", "o'brien|00").metadata["etag"]
    assert "Timestamp" not in row
    assert table.counter.by_kind == {"query": 2, "get": 1}
    with pytest.raises(NotFound):
        table.get("p0", "nobody")
    assert table.find("p0", "nobody") is None


def test_refusals_keep_their_meaning(client: TableClient) -> None:
    table = Table(client)
    with pytest.raises(ValueError, match="bad query"):
        table.query_page("PartitionKey eq")
    assert table.counter.by_kind == {"query": 2}  # a refusal is asked twice: ours, then the SDK's
    with pytest.raises(InvalidToken):  # a token we did not issue never reaches the service
        table.query_page("PartitionKey eq 'p0'", continuation=encode_token({"Partition": "p"}))
    assert table.counter.by_kind == {"query": 3}
