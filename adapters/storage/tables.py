"""Azure Table Storage: batched upserts, ETag-conditional writes, paged queries (continuation
tokens: adapters/storage/tokens.py). No azure exception leaves this module: they become domain
errors, or ConnectionError when the service itself failed, as adapters/storage/errors.py
translates them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import Any, Literal

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError
from azure.data.tables import EdmType, EntityProperty, TableClient, TableServiceClient, UpdateMode

from adapters.storage import reads, transactions
from adapters.storage.errors import Wording, translated
from adapters.storage.tokens import InvalidToken, decode_token, encode_token
from domain.platform.errors import AlreadyExists, NotFound

BATCH_LIMIT = 100
# Stay well under the 4 MiB transaction payload limit (the SDK checks neither limit).
BATCH_BYTES = 3 * 1024 * 1024

Op = Literal["create", "upsert", "update", "delete"]
# Domain errors raised here reach API callers as problem details: they say what happened to "the
# item" and never name the table or its keys (services name the entity and field where they can).
TABLES = Wording("table storage", not_found="no such item", exists="the item exists already",
                 changed="the item changed since it was read; reload it and try again",
                 refused="storage refused the item ({code})")
_UPDATE = replace(TABLES, not_found="the item is gone")
_BATCH = replace(TABLES, exists="an item exists already")


class Entity(dict[str, Any]):
    """A stored row: its properties, plus the ETag it was read with."""

    etag: str | None = None


@dataclass
class Page:
    items: list[Entity]
    continuation: str | None


@dataclass
class Counter:
    """Round trips to the service, for benchmarks and batching tests."""

    round_trips: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.round_trips += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1


def _entity(raw: Any) -> Entity:
    row = Entity({k: (v.value if isinstance(v, EntityProperty) else v) for k, v in raw.items()})
    row.etag = getattr(raw, "metadata", {}).get("etag")
    return row


def _row(found: reads.Row) -> Entity:
    row = Entity(found[0])
    row.etag = found[1]
    return row


class Table:
    """One table. Methods raise domain errors, never azure.core exceptions."""

    def __init__(self, client: TableClient, counter: Counter | None = None) -> None:
        self._client = client
        self.counter = counter or Counter()

    @property
    def name(self) -> str:
        return self._client.table_name

    @property
    def _what(self) -> str:
        return f"table {self.name!r}"

    def create_if_missing(self) -> None:
        with suppress(AlreadyExists), translated(TABLES, self._what):
            self._client.create_table()

    def get(self, partition_key: str, row_key: str) -> Entity:
        """Raises NotFound."""
        self.counter.add("get")
        with translated(TABLES, self._what):
            found = reads.get(self._client, partition_key, row_key)
            if found is not None:
                return _row(found)
            return _entity(self._client.get_entity(partition_key, row_key))

    def find(self, partition_key: str, row_key: str) -> Entity | None:
        try:
            return self.get(partition_key, row_key)
        except NotFound:
            return None

    def insert(self, entity: dict[str, Any]) -> str:
        """Create; raises AlreadyExists. Returns the new ETag."""
        self.counter.add("insert")
        with translated(TABLES, self._what):
            meta = self._client.create_entity(_plain(entity))
        return str(meta.get("etag"))

    def upsert(self, entity: dict[str, Any], *, merge: bool = False) -> str:
        self.counter.add("upsert")
        mode = UpdateMode.MERGE if merge else UpdateMode.REPLACE
        with translated(TABLES, self._what):
            meta = self._client.upsert_entity(_plain(entity), mode=mode)
        return str(meta.get("etag"))

    def update(self, entity: dict[str, Any], *, etag: str, merge: bool = False) -> str:
        """Replace (or merge) only if the row still has `etag`; raises ConcurrencyError."""
        self.counter.add("update")
        mode = UpdateMode.MERGE if merge else UpdateMode.REPLACE
        with translated(_UPDATE, self._what):
            meta = self._client.update_entity(
                _plain(entity), mode=mode, etag=etag, match_condition=MatchConditions.IfNotModified)
        return str(meta.get("etag"))

    def delete(self, partition_key: str, row_key: str) -> None:
        """Succeeds when the row is already gone."""
        self.counter.add("delete")
        with translated(TABLES, self._what):
            self._client.delete_entity(partition_key, row_key)

    def upsert_many(self, entities: Iterable[dict[str, Any]], *, merge: bool = False) -> int:
        """Upsert in transactions of at most 100 rows of one partition. Returns round trips."""
        op: Op = "upsert"
        options = {"mode": UpdateMode.MERGE if merge else UpdateMode.REPLACE}
        return self.submit([(op, e, options) for e in entities])

    def submit(self, operations: Sequence[tuple[Any, ...]]) -> int:
        """Run operations as entity-group transactions, grouped by partition and chunked.
        Returns the transactions sent."""
        trips = 0
        ordered = sorted(operations, key=lambda o: o[1]["PartitionKey"])
        for _, group in groupby(ordered, key=lambda o: o[1]["PartitionKey"]):
            for chunk in _chunks(list(group)):
                self._transact(chunk)
                trips += 1
        return trips

    def _transact(self, chunk: list[tuple[Any, ...]]) -> None:
        ops = [(o[0], _plain(o[1]), *o[2:]) for o in chunk]
        with translated(_BATCH, self._what):
            self.counter.add("transaction")
            if not transactions.send(self._client, ops):
                self.counter.add("transaction")  # refused, nothing written: the SDK's resend says why
                self._client.submit_transaction(ops)

    def query(self, filter: str, *, parameters: dict[str, Any] | None = None,
              select: list[str] | None = None, page_size: int = 1000) -> Iterator[Entity]:
        """Every matching row, fetched a page (a round trip) at a time."""
        token = None
        while True:
            page = self.query_page(filter, parameters=parameters, select=select,
                                   page_size=page_size, continuation=token)
            yield from page.items
            token = page.continuation
            if not token:
                return

    def query_page(self, filter: str, *, parameters: dict[str, Any] | None = None,
                   select: list[str] | None = None, page_size: int = 100,
                   continuation: str | None = None) -> Page:
        """One page; `continuation` is the opaque token of the previous page (InvalidToken when
        it is not one)."""
        self.counter.add("query")
        sdk_token = decode_token(continuation)
        with translated(TABLES, self._what):
            read = reads.query_page(self._client, filter, parameters, select, page_size, sdk_token)
        if read is not None:
            return Page(items=[_row(r) for r in read[0]], continuation=encode_token(read[1]))
        self.counter.add("query")  # not answered 200: the SDK asks again and says why
        pager = self._client.query_entities(
            filter, parameters=parameters, select=select, results_per_page=page_size
        ).by_page(continuation_token=sdk_token)
        with translated(TABLES, self._what):
            try:
                items = [_entity(e) for e in next(pager, ())]
            except HttpResponseError as exc:
                if exc.status_code != 400:
                    raise
                if sdk_token is not None:  # well-formed, but keys the service cannot resume from
                    raise InvalidToken() from None
                raise ValueError(f"{self.name}: bad query") from exc
        # by_page is annotated Iterator[Iterator[T]]; it returns azure.core's PageIterator, which
        # carries the continuation_token its documentation describes
        return Page(items=items, continuation=encode_token(pager.continuation_token))  # type: ignore[attr-defined]

    def partition(self, partition_key: str, *, select: list[str] | None = None) -> Iterator[Entity]:
        return self.query("PartitionKey eq @pk", parameters={"pk": partition_key}, select=select)


_INT32 = range(-(2**31), 2**31)


def _plain(entity: dict[str, Any]) -> dict[str, Any]:
    """Drop None (Table Storage has no null) and widen ints beyond int32 to Int64."""
    return {k: (EntityProperty(v, EdmType.INT64)
                if isinstance(v, int) and not isinstance(v, bool) and v not in _INT32 else v)
            for k, v in entity.items() if v is not None}


def _chunks(ops: list[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    size = 0
    for op in ops:
        op_size = len(json.dumps(op[1], default=str))
        if chunk and (len(chunk) >= BATCH_LIMIT or size + op_size > BATCH_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(op)
        size += op_size
    if chunk:
        yield chunk


class Tables:
    """Factory for Table objects on one account, sharing one round-trip counter."""

    def __init__(self, service: TableServiceClient, *, prefix: str = "") -> None:
        self._service = service
        self._prefix = prefix
        self.counter = Counter()
        self._cache: dict[str, Table] = {}

    def __call__(self, name: str) -> Table:
        if name not in self._cache:
            client = self._service.get_table_client(self._prefix + name)
            self._cache[name] = Table(client, self.counter)
        return self._cache[name]
