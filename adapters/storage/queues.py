"""Storage queues in the envelope the Functions host expects, plus the poison-queue convention.

Envelope: a message body is one JSON document, UTF-8, base64-encoded on the wire (the host's
default `messageEncoding`; the SDK would send plain text without TextBase64EncodePolicy).
A message whose wire text is not base64 of UTF-8 JSON is a poison candidate: a retry will not
fix it, so a poller should move it to the poison queue at once.

Poison: after MAX_DEQUEUE_COUNT failed deliveries (host.json `maxDequeueCount`, 5) a message
moves, unchanged, to `<queue>-poison`. The host does this in Azure; `move_to_poison` is the same
step for the devhost. Handlers must be idempotent: delivery is at least once.

No azure exception leaves this module: they become domain errors, or ConnectionError when the
service itself failed, as adapters/storage/errors.py translates them.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import azure.functions.queue as func_queue
from azure.storage.queue import QueueClient, QueueMessage, QueueServiceClient, TextBase64EncodePolicy
from pydantic import BaseModel
from pydantic_core import to_json

from adapters.storage.errors import Wording, translated
from domain.platform.errors import AlreadyExists, NotFound, ValidationFailed

MAX_DEQUEUE_COUNT = 5
POISON_SUFFIX = "-poison"
# The service refuses messages over 64 KiB; put bigger payloads in a blob and send its path.
MAX_WIRE_CHARS = 64 * 1024
# Queue names are at most 63 characters, so the twin's suffix must still fit.
MAX_QUEUE_NAME = 63 - len(POISON_SUFFIX)

Body = dict[str, Any] | BaseModel
QUEUES = Wording("queue storage", not_found="{what} not found", exists="{what} exists already",
                 changed="{what} was received again by someone else",
                 refused="{what}: storage refused the request ({code})")


def poison_name(queue: str) -> str:
    if len(queue) > MAX_QUEUE_NAME:
        raise ValidationFailed(f"queue name {queue!r} leaves no room for {POISON_SUFFIX!r}", field="queue")
    return queue + POISON_SUFFIX


def to_json_text(body: Body) -> str:
    """The JSON a body is sent as (camelCase aliases for models)."""
    return body.model_dump_json(by_alias=True) if isinstance(body, BaseModel) else to_json(body).decode()


@dataclass(frozen=True)
class ReceivedMessage:
    """A message as stored. `pop_receipt` is None for a peeked message (it can't be deleted)."""

    id: str
    pop_receipt: str | None
    dequeue_count: int
    wire: str
    inserted_on: datetime | None = None
    expires_on: datetime | None = None
    next_visible_on: datetime | None = None

    @property
    def body(self) -> bytes:
        """The decoded body; ValueError (a poison candidate) when the wire text is not base64."""
        try:
            # strict, but whitespace is ignored as by .NET's Convert.FromBase64String in the host
            return base64.b64decode("".join(self.wire.split()), validate=True)
        except binascii.Error as exc:
            raise ValueError(f"message {self.id} is not base64") from exc

    def json(self) -> Any:
        """The body parsed; ValueError (a poison candidate) when it is not UTF-8 JSON."""
        body = self.body
        try:
            return json.loads(body.decode("utf-8"))
        except ValueError as exc:
            raise ValueError(f"message {self.id} is not UTF-8 JSON") from exc

    def function_message(self) -> func_queue.QueueMessage:
        """What a queue-triggered function receives for this message from the host."""
        return func_queue.QueueMessage(
            id=self.id, body=self.body, dequeue_count=self.dequeue_count, pop_receipt=self.pop_receipt,
            insertion_time=self.inserted_on, expiration_time=self.expires_on,
            time_next_visible=self.next_visible_on)


def _received(message: QueueMessage) -> ReceivedMessage:
    return ReceivedMessage(id=message.id, pop_receipt=message.pop_receipt,
                           dequeue_count=int(message.dequeue_count or 0), wire=str(message.content or ""),
                           inserted_on=message.inserted_on, expires_on=message.expires_on,
                           next_visible_on=message.next_visible_on)


class QueueSender:
    """Sends through clients with TextBase64EncodePolicy. Reads through clients without a
    decode policy and decodes per message: with TextBase64DecodePolicy one malformed message
    fails the whole receive (DecodeError) and is never moved to poison."""

    def __init__(self, service: QueueServiceClient) -> None:
        self._service = service
        self._clients: dict[tuple[str, bool], QueueClient] = {}

    def ensure(self, queue: str) -> None:
        """Create the queue and its poison twin if missing."""
        for name in (queue, poison_name(queue)):
            with suppress(AlreadyExists), translated(QUEUES, f"queue {name!r}"):
                self._client(name).create_queue()

    def send(self, queue: str, body: Body, *, visibility_timeout: int | None = None) -> str:
        """Enqueue; returns the message id. NotFound when the queue is missing; ValidationFailed
        when the body is over 64 KiB on the wire. `visibility_timeout` delays the first delivery."""
        text = to_json_text(body)
        _check_size(queue, 4 * ((len(text.encode("utf-8")) + 2) // 3))
        with translated(QUEUES, f"queue {queue!r}"):
            sent = self._client(queue, encode=True).send_message(text, visibility_timeout=visibility_timeout)
        return str(sent.id)

    def send_many(self, queue: str, bodies: Iterable[Body]) -> list[str]:
        """One round trip per message: the service has no batch send."""
        return [self.send(queue, body) for body in bodies]

    def peek(self, queue: str, n: int = 32) -> list[ReceivedMessage]:
        """Up to n (at most 32) visible messages, leaving them visible and uncounted."""
        with translated(QUEUES, f"queue {queue!r}"):
            return [_received(m) for m in self._client(queue).peek_messages(max_messages=n)]

    def receive(self, queue: str, n: int = 1, *, visibility_timeout: int = 30) -> list[ReceivedMessage]:
        """Up to n messages, hidden for `visibility_timeout` seconds; each receive counts as a
        dequeue. Delete a message once handled, or it is delivered again."""
        with translated(QUEUES, f"queue {queue!r}"):
            pages = self._client(queue).receive_messages(
                messages_per_page=min(n, 32), max_messages=n, visibility_timeout=visibility_timeout)
            return [_received(m) for m in pages]

    def delete(self, queue: str, message: ReceivedMessage) -> None:
        """Succeeds when the message is already gone; ConcurrencyError when another receive
        took it over (its pop receipt changed)."""
        receipt = self._receipt(message)
        with suppress(NotFound), translated(QUEUES, f"message {message.id} in {queue!r}"):
            self._client(queue).delete_message(message.id, receipt)

    def move_to_poison(self, queue: str, message: ReceivedMessage) -> str:
        """Copy the message, unchanged on the wire, to `<queue>-poison`, then delete it.
        Returns the copy's id. ConcurrencyError/NotFound when we no longer hold the message."""
        receipt = self._receipt(message)
        with translated(QUEUES, f"message {message.id} in {queue!r}"):
            # Renewing the lease first proves we still own it, so a stale caller copies nothing.
            held = self._client(queue).update_message(message.id, receipt, visibility_timeout=30)
        target = poison_name(queue)
        try:
            copy_id = self._send_wire(target, message.wire)
        except NotFound:
            self.ensure(queue)
            copy_id = self._send_wire(target, message.wire)
        self.delete(queue, ReceivedMessage(message.id, held.pop_receipt, message.dequeue_count, message.wire))
        return copy_id

    def _send_wire(self, queue: str, wire: str) -> str:
        _check_size(queue, len(wire))
        with translated(QUEUES, f"queue {queue!r}"):
            # the raw client: `wire` is base64 already, encoding it again would double it
            sent = self._client(queue).send_message(wire)
        return str(sent.id)

    def _client(self, queue: str, *, encode: bool = False) -> QueueClient:
        if (queue, encode) not in self._clients:
            policy = {"message_encode_policy": TextBase64EncodePolicy()} if encode else {}
            self._clients[queue, encode] = self._service.get_queue_client(queue, **policy)
        return self._clients[queue, encode]

    @staticmethod
    def _receipt(message: ReceivedMessage) -> str:
        if not message.pop_receipt:
            raise ValidationFailed(f"message {message.id} was peeked, not received", field="message")
        return message.pop_receipt


def _check_size(queue: str, wire_chars: int) -> None:
    if wire_chars > MAX_WIRE_CHARS:
        raise ValidationFailed(f"message for {queue!r} is {wire_chars} characters on the wire, "
                               f"over {MAX_WIRE_CHARS}; store the payload in a blob", field="body")
