"""Table reads (a query page, a point read) with the answer parsed by `json`, not by the SDK's
generated deserializer.

The SDK reads every entity of an answer through its msrest-style `Deserializer`, property by
property, before its own `_convert_to_entity` turns the result into a `TableEntity`: a third of
the main thread's time in `make run`'s replay went there (docs/benchmarks.md, "First run").
Here the request is the SDK's own (its request builder, the client's pipeline: authentication,
retries and service version unchanged), the body is `json.loads`-ed and each entity goes through
the same `_convert_to_entity`, so the rows, their types and their ETags are what the SDK gives.

An answer other than 200 is left to the SDK: these functions return None and the caller asks
again through the SDK, whose exception (translated in adapters/storage/errors.py) says why.
A point read's 404 is the exception the SDK raises for it, since `find` meets it often.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from azure.core.exceptions import ResourceNotFoundError, map_error
from azure.data.tables import TableClient
from azure.data.tables._deserialize import _convert_to_entity
from azure.data.tables._generated.operations._operations import (
    build_table_query_entities_request,
    build_table_query_entity_with_partition_and_row_key_request,
)
from azure.data.tables._serialize import _parameter_filter_substitution, _prepare_key

NEXT_PARTITION_KEY = "x-ms-continuation-NextPartitionKey"
NEXT_ROW_KEY = "x-ms-continuation-NextRowKey"

Continuation = dict[str, str | None]


def query_page(client: TableClient, filter: str, parameters: dict[str, Any] | None,
               select: Sequence[str] | None, top: int, continuation: Continuation | None,
               ) -> tuple[list[Any], Continuation | None] | None:
    """One page of a query: its entities and the SDK-shaped continuation ({"PartitionKey",
    "RowKey"}, None after the last page); None when the service did not answer 200."""
    next_keys = continuation or {}
    request = build_table_query_entities_request(
        table=client.table_name, top=top, select=",".join(select) if select else None,
        filter=_parameter_filter_substitution(parameters, filter),
        next_partition_key=next_keys.get("PartitionKey"), next_row_key=next_keys.get("RowKey"),
        version=client._client._config.version)
    response = client._client.send_request(request)
    if response.status_code != 200:
        return None
    entities = [_convert_to_entity(e) for e in json.loads(response.content)["value"]]
    partition, row = response.headers.get(NEXT_PARTITION_KEY), response.headers.get(NEXT_ROW_KEY)
    return entities, ({"PartitionKey": partition, "RowKey": row} if partition or row else None)


def get(client: TableClient, partition_key: str, row_key: str) -> Any | None:
    """One row; raises the SDK's ResourceNotFoundError when there is none, and returns None on
    any other answer but 200."""
    request = build_table_query_entity_with_partition_and_row_key_request(
        table=client.table_name, partition_key=_prepare_key(partition_key),
        row_key=_prepare_key(row_key), version=client._client._config.version)
    response = client._client.send_request(request)
    if response.status_code == 404:
        map_error(status_code=404, response=response, error_map={404: ResourceNotFoundError})
    if response.status_code != 200:
        return None
    return _convert_to_entity(json.loads(response.content))
