"""Table reads (a query page, a point read) with the answer parsed by `json`, not by the SDK's
generated deserializer nor its per-entity conversion.

The SDK reads every entity of an answer through its msrest-style `Deserializer`, property by
property, before its own `_convert_to_entity` turns the result into a `TableEntity`: a third of
the main thread's time in `make run`'s replay went there (docs/benchmarks.md, "First run").
Here the request is the SDK's own (its request builder, the client's pipeline: authentication,
retries and service version unchanged), the body is `json.loads`-ed, and a row is its properties
as plain values (the SDK's own conversions for the typed ones) and its ETag: what the adapter
made of the SDK's `TableEntity` before, without the service's Timestamp, which it never kept.

An answer other than 200 is left to the SDK: these functions return None and the caller asks
again through the SDK, whose exception (translated in adapters/storage/errors.py) says why.
A point read's 404 is the exception the SDK raises for it, since `find` meets it often.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from azure.core.exceptions import ResourceNotFoundError, map_error
from azure.data.tables import EdmType, EntityProperty, TableClient
from azure.data.tables._deserialize import _ENTITY_TO_PYTHON_CONVERSIONS, url_quote
from azure.data.tables._generated.operations._operations import (
    build_table_query_entities_request,
    build_table_query_entity_with_partition_and_row_key_request,
)
from azure.data.tables._serialize import _parameter_filter_substitution, _prepare_key

NEXT_PARTITION_KEY = "x-ms-continuation-NextPartitionKey"
NEXT_ROW_KEY = "x-ms-continuation-NextRowKey"

Continuation = dict[str, str | None]
Row = tuple[dict[str, Any], str | None]  # the properties, plain values; the ETag
_TYPED = "@odata.type"
# the SDK converts these; a String or Int32 annotation it leaves as JSON gave it
_EDM = frozenset(t.value for t in EdmType) - {EdmType.STRING.value, EdmType.INT32.value}


def query_page(client: TableClient, filter: str, parameters: dict[str, Any] | None,
               select: Sequence[str] | None, top: int, continuation: Continuation | None,
               ) -> tuple[list[Row], Continuation | None] | None:
    """One page of a query: its rows and the SDK-shaped continuation ({"PartitionKey",
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
    entities = [row(e) for e in json.loads(response.content)["value"]]
    next_partition, next_row = response.headers.get(NEXT_PARTITION_KEY), response.headers.get(NEXT_ROW_KEY)
    more = next_partition or next_row
    return entities, ({"PartitionKey": next_partition, "RowKey": next_row} if more else None)


def get(client: TableClient, partition_key: str, row_key: str) -> Row | None:
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
    return row(json.loads(response.content))


def row(raw: dict[str, Any]) -> Row:
    """One entity of an answer (minimal metadata) as the SDK's `_convert_to_entity` and the
    adapter's unwrapping of its EntityProperty values made it: an annotated property converted
    as the SDK converts its type, the others as JSON gave them."""
    properties = {name: value for name, value in raw.items()
                  if "@" not in name and not name.startswith("odata.")}
    timestamp = properties.pop("Timestamp", None)
    for name, value in raw.items():
        if name.endswith(_TYPED) and (field := name[:-len(_TYPED)]) in properties:
            convert: Any = _ENTITY_TO_PYTHON_CONVERSIONS.get(EdmType(value)) if value in _EDM else None
            if convert is not None:
                converted = convert(properties[field])
                properties[field] = converted.value if isinstance(converted, EntityProperty) else converted
    etag = raw.get("odata.etag")
    if not etag and timestamp:  # as the SDK makes one up
        etag = "W/\"datetime'" + url_quote(timestamp) + "'\""
    return properties, etag

