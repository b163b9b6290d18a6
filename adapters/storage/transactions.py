"""Entity-group transactions, encoded and read without azure-core's MIME machinery.

azure-core builds a transaction's multipart body with the `email` package, runs a pipeline per
operation on a thread pool, and parses the answer back with `email` again: about 50 ms of
Python per 100-row transaction, most of a bulk load's time (docs/benchmarks.md, "First run").
Here the SDK still builds each operation's request (its URLs, ETag conditions and property
types, unchanged), the body is joined from strings, and the answer is read for its status lines
only. The request goes through the table client's own pipeline, so authentication, retries and
the service version are the SDK's.

A transaction is all or nothing: when the service refuses one, nothing was written, and the
same operations go again through the SDK's `submit_transaction`, whose exception (and its
translation in adapters/storage/errors.py) says why, or does it if the data changed in
between. A refusal is rare, so it costs one more round trip only then.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from email.utils import formatdate
from typing import Any

from azure.core.rest import HttpRequest
from azure.data.tables import TableClient
from azure.data.tables._table_batch import TableBatchOperations

_STATUS = re.compile(rb"^HTTP/1\.1 (\d{3})", re.MULTILINE)


class UnreadableAnswer(ConnectionError):
    """The service accepted the transaction but its answer does not say what became of each
    operation."""


def encode(requests: Sequence[HttpRequest], date: str, batch: str, changeset: str) -> bytes:
    """The `multipart/mixed` body of one changeset holding `requests`, as the service reads it."""
    out = [f"--{batch}\r\nContent-Type: multipart/mixed; boundary={changeset}\r\n\r\n"]
    for index, request in enumerate(requests):
        body = request.content if isinstance(request.content, (bytes, str)) else None
        text = body.decode() if isinstance(body, bytes) else (body or "")
        headers = dict(request.headers)
        if text:
            headers["Content-Length"] = str(len(text.encode()))
        headers["x-ms-date"] = headers["Date"] = date
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        out.append(f"--{changeset}\r\nContent-Type: application/http\r\n"
                   f"Content-Transfer-Encoding: binary\r\nContent-ID: {index}\r\n\r\n"
                   f"{request.method} {request.url} HTTP/1.1\r\n{lines}\r\n{text}\r\n")
    out.append(f"--{changeset}--\r\n\r\n--{batch}--\r\n")
    return "".join(out).encode()


def statuses(answer: bytes) -> list[int]:
    """The status code of each operation's answer, in order."""
    return [int(code) for code in _STATUS.findall(answer)]


def applied(status: int, codes: Sequence[int], operations: int) -> bool:
    """True when the service applied every operation; False when it refused the transaction
    (it then applied none). Raises UnreadableAnswer when the answer says neither."""
    refused = status != 202 or any(not 200 <= code < 300 for code in codes)
    if refused:
        return False
    if len(codes) != operations:
        raise UnreadableAnswer(f"a transaction of {operations} operations was answered with "
                               f"{len(codes)} statuses")
    return True


def send(client: TableClient, operations: Sequence[tuple[Any, ...]]) -> bool:
    """Send `operations` (the SDK's `(kind, entity[, options])` tuples, one partition) as one
    transaction. True when the service applied them; False when it refused them (it wrote
    nothing): the caller resends them with the SDK's `submit_transaction` to learn why."""
    endpoint = f"{client.scheme}://{client._primary_hostname}"
    operations_batch = TableBatchOperations(config=client._client._config, endpoint=endpoint,
                                            table_name=client.table_name,
                                            is_cosmos_endpoint=client._cosmos_endpoint)
    for operation in operations:
        operations_batch.add_operation(operation)
    batch, changeset = f"batch_{uuid.uuid4()}", f"changeset_{uuid.uuid4()}"
    body = encode(operations_batch.requests, formatdate(usegmt=True), batch, changeset)
    request = HttpRequest("POST", f"{endpoint}/$batch", content=body, headers={
        "x-ms-version": client._client._config.version, "DataServiceVersion": "3.0",
        "MaxDataServiceVersion": "3.0;NetFx", "Accept": "application/json",
        "Content-Type": f"multipart/mixed; boundary={batch}"})
    response = client._client.send_request(request, stream=True)
    codes = statuses(response.read()) if response.status_code == 202 else []
    return applied(response.status_code, codes, len(operations))
