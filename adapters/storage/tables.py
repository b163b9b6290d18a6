"""Azure Table Storage: batched upserts, ETag-conditional writes, paged queries."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Literal

from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.data.tables import (
    EdmType,
    EntityProperty,
    TableClient,
    TableServiceClient,
    TableTransactionError,
    UpdateMode,
)

from domain.platform.errors import AlreadyExists, ConcurrencyError, NotFound, ValidationFailed

BATCH_LIMIT = 100
# Stay well under the 4 MiB transaction payload limit (the SDK checks neither limit).
BATCH_BYTES = 3 * 1024 * 1024

Op = Literal["create", "upsert", "update", "delete"]
# Domain errors raised here reach API callers as problem details: they say what happened to "the
# item" and never name the table or its keys (services name the entity and field where they can).
_CHANGED = "the item changed since it was read; reload it and try again"


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


def encode_token(token: Any) -> str | None:
    if not token:
        return None
    return base64.urlsafe_b64encode(json.dumps(token, sort_keys=True).encode()).decode()


class InvalidToken(ValidationFailed):
    """A continuation token this service did not issue: 422 naming the query parameter, on every
    paged route alike (each pages through `Table.query_page`)."""

    def __init__(self) -> None:
        super().__init__("is not a continuation token of this list; pass back the one the "
                         "previous page returned, unchanged", field="continuationToken")


def decode_token(token: str | None) -> Any:
    """The SDK token inside an opaque one; InvalidToken for anything else."""
    if not token:
        return None
    try:
        # validate=True: the lenient decoder skips stray characters, so a tampered token decoded
        value = json.loads(base64.b64decode(token.encode(), altchars=b"-_", validate=True))
    except (ValueError, TypeError, RecursionError):
        raise InvalidToken() from None
    # Anything but the SDK's {"PartitionKey", "RowKey"} shape would restart the query silently.
    if (not isinstance(value, dict) or set(value) != {"PartitionKey", "RowKey"}
            or not all(v is None or isinstance(v, str) for v in value.values())
            or not any(value.values())):
        raise InvalidToken()
    return value


class Table:
    """One table. Methods raise domain errors, never azure.core exceptions."""

    def __init__(self, client: TableClient, counter: Counter | None = None) -> None:
        self._client = client
        self.counter = counter or Counter()

    @property
    def name(self) -> str:
        return self._client.table_name

    def create_if_missing(self) -> None:
        try:
            self._client.create_table()
        except ResourceExistsError:
            pass

    def get(self, partition_key: str, row_key: str) -> Entity:
        """Raises NotFound."""
        self.counter.add("get")
        try:
            return _entity(self._client.get_entity(partition_key, row_key))
        except ResourceNotFoundError as exc:
            raise NotFound("no such item") from exc

    def find(self, partition_key: str, row_key: str) -> Entity | None:
        try:
            return self.get(partition_key, row_key)
        except NotFound:
            return None

    def insert(self, entity: dict[str, Any]) -> str:
        """Create; raises AlreadyExists. Returns the new ETag."""
        self.counter.add("insert")
        try:
            meta = self._client.create_entity(_plain(entity))
        except ResourceExistsError as exc:
            raise AlreadyExists("the item exists already") from exc
        return str(meta.get("etag"))

    def upsert(self, entity: dict[str, Any], *, merge: bool = False) -> str:
        self.counter.add("upsert")
        mode = UpdateMode.MERGE if merge else UpdateMode.REPLACE
        meta = self._client.upsert_entity(_plain(entity), mode=mode)
        return str(meta.get("etag"))

    def update(self, entity: dict[str, Any], *, etag: str, merge: bool = False) -> str:
        """Replace (or merge) only if the row still has `etag`; raises ConcurrencyError."""
        self.counter.add("update")
        mode = UpdateMode.MERGE if merge else UpdateMode.REPLACE
        try:
            meta = self._client.update_entity(
                _plain(entity), mode=mode, etag=etag, match_condition=MatchConditions.IfNotModified)
        except ResourceModifiedError as exc:
            raise ConcurrencyError(_CHANGED) from exc
        except ResourceNotFoundError as exc:
            raise NotFound("the item is gone") from exc
        return str(meta.get("etag"))

    def delete(self, partition_key: str, row_key: str) -> None:
        """Succeeds when the row is already gone."""
        self.counter.add("delete")
        self._client.delete_entity(partition_key, row_key)

    def upsert_many(self, entities: Iterable[dict[str, Any]], *, merge: bool = False) -> int:
        """Upsert in transactions of at most 100 rows of one partition. Returns round trips."""
        op: Op = "upsert"
        options = {"mode": UpdateMode.MERGE if merge else UpdateMode.REPLACE}
        return self.submit([(op, e, options) for e in entities])

    def submit(self, operations: Sequence[tuple[Any, ...]]) -> int:
        """Run operations as entity-group transactions, grouped by partition and chunked."""
        trips = 0
        ordered = sorted(operations, key=lambda o: o[1]["PartitionKey"])
        for _, group in groupby(ordered, key=lambda o: o[1]["PartitionKey"]):
            for chunk in _chunks(list(group)):
                self._transact(chunk)
                trips += 1
        return trips

    def _transact(self, chunk: list[tuple[Any, ...]]) -> None:
        self.counter.add("transaction")
        ops = [(o[0], _plain(o[1]), *o[2:]) for o in chunk]
        try:
            self._client.submit_transaction(ops)
        except TableTransactionError as exc:
            # the SDK documents and sets error_code; its type annotations do not declare it
            if exc.error_code in ("EntityAlreadyExists",):  # type: ignore[attr-defined]
                raise AlreadyExists("an item exists already") from exc
            if exc.error_code in ("UpdateConditionNotSatisfied", "ConditionNotMet"):  # type: ignore[attr-defined]
                raise ConcurrencyError(_CHANGED) from exc
            raise

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
        pager = self._client.query_entities(
            filter, parameters=parameters, select=select, results_per_page=page_size
        ).by_page(continuation_token=sdk_token)
        try:
            items = [_entity(e) for e in next(pager)]
        except StopIteration:
            items = []
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
