"""Queue triggers: poll Storage queues, decode base64 bodies, retry failures, and move a message
to `<queue>-poison` after `maxDequeueCount` attempts, as the host's queue listener does.

The poison convention (twin queue, message copied unchanged) is adapters.storage.queues.QueueSender's,
shared with the app; receiving and releasing stay here because they follow host.json.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from azure.core.exceptions import AzureError
from azure.functions.queue import QueueMessage as TriggerMessage
from azure.storage.queue import QueueClient, QueueMessage, QueueServiceClient

from adapters.storage.queues import QueueSender, ReceivedMessage
from devhost.discovery import HostFunction
from devhost.invoke import Delivery, Invoker, correlation_id_in
from domain.platform.errors import DomainError

log = logging.getLogger("devhost")


@dataclass(frozen=True)
class QueueOptions:
    max_dequeue_count: int = 5
    batch_size: int = 16
    retry_delay: int = 0
    """Seconds a failed message stays hidden before its next attempt (host.json visibilityTimeout)."""
    lease: int = 600
    """Seconds a received message stays hidden while its function runs; longer runs than this
    would see the message delivered twice, so it defaults to host.json functionTimeout."""
    encoding: Literal["base64", "none"] = "base64"


class NotBase64(ValueError):
    pass


def decode_body(raw: str, encoding: Literal["base64", "none"]) -> bytes:
    if encoding == "none":
        return raw.encode("utf-8")
    try:
        # Like .NET's Convert.FromBase64String, which the host uses: whitespace is ignored.
        return base64.b64decode("".join(raw.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NotBase64("queue message body is not valid base64") from exc


class QueuePoller:
    def __init__(self, service: QueueServiceClient, functions: list[HostFunction], invoker: Invoker,
                 options: QueueOptions) -> None:
        self._service = service
        self._sender = QueueSender(service)
        self._functions = functions
        self._invoker = invoker
        self.options = options
        self._ensured = False
        # what the last `run_once` handled, by function name (counted here: no storage read)
        self.last_handled: Counter[str] = Counter()

    def queue_names(self) -> list[str]:
        return sorted({fn.setting("queueName") for fn in self._functions})

    def ensure_queues(self) -> None:
        """Create every trigger queue and its poison queue if missing (the host does too)."""
        for name in self.queue_names():
            self._sender.ensure(name)

    def run_once(self) -> int:
        """Receive one batch per queue function and handle it; the number of messages handled."""
        if not self._ensured:
            self.ensure_queues()
            self._ensured = True
        handled = 0
        self.last_handled = Counter()
        for fn in self._functions:
            queue = self._service.get_queue_client(fn.setting("queueName"))
            messages = list(queue.receive_messages(messages_per_page=self.options.batch_size,
                                                   max_messages=self.options.batch_size,
                                                   visibility_timeout=self.options.lease))
            if len(messages) > 1:
                # The host runs a batch concurrently: handlers must not rely on order or on running alone.
                with ThreadPoolExecutor(max_workers=len(messages), thread_name_prefix=fn.name) as pool:
                    list(pool.map(lambda m, f=fn, q=queue: self._handle(f, q, m), messages))
            elif messages:
                self._handle(fn, queue, messages[0])
            handled += len(messages)
            if messages:
                self.last_handled[fn.name] += len(messages)
        return handled

    def pending(self) -> int:
        """Messages waiting in the trigger queues, including ones hidden until a retry."""
        return sum(self._service.get_queue_client(name).get_queue_properties().approximate_message_count or 0
                   for name in self.queue_names())

    def _handle(self, fn: HostFunction, queue: QueueClient, message: QueueMessage) -> None:
        limit = self.options.max_dequeue_count
        count = int(message.dequeue_count or 1)
        if count > limit:
            # Received more often than allowed without an outcome: a run died mid-way (host#3022).
            self._poison(queue, message, f"dequeued {count} times")
            return
        try:
            body = decode_body(message.content or "", self.options.encoding)
        except NotBase64:
            # The host cannot bind such a message on any attempt, so there is no point retrying.
            self._poison(queue, message, "body is not valid base64 (send with TextBase64EncodePolicy)")
            return
        trigger = TriggerMessage(id=message.id, body=body, dequeue_count=count,
                                 insertion_time=message.inserted_on, expiration_time=message.expires_on,
                                 time_next_visible=message.next_visible_on, pop_receipt=message.pop_receipt)
        delivery = Delivery(correlation_id=correlation_id_in(body), attempt=count, max_attempts=limit)
        try:
            self._invoker.call(fn, trigger, delivery)
        except Exception:
            if count >= limit:
                self._poison(queue, message, f"failed {count} times")
            else:
                self._release(queue, message)
            return
        queue.delete_message(message.id, message.pop_receipt)

    def _release(self, queue: QueueClient, message: QueueMessage) -> None:
        try:
            queue.update_message(message.id, message.pop_receipt, visibility_timeout=self.options.retry_delay)
        except AzureError as exc:
            # Lease already lost (the run outlasted it): the message reappears by itself.
            log.warning("could not release message %s on %s: %s", message.id, queue.queue_name, exc)

    def _poison(self, queue: QueueClient, message: QueueMessage, reason: str) -> None:
        held = ReceivedMessage(id=message.id, pop_receipt=message.pop_receipt,
                               dequeue_count=int(message.dequeue_count or 0), wire=str(message.content or ""))
        try:
            # Copied unchanged: a base64 body stays base64, a bad body stays as it was sent.
            self._sender.move_to_poison(queue.queue_name, held)
        except (DomainError, ConnectionError) as exc:
            # We no longer hold the message (its lease ran out): it comes back and is judged again.
            log.warning("could not move message %s from %s to poison: %s", message.id, queue.queue_name, exc)
            return
        log.warning("message %s moved from %s to %s-poison: %s", message.id, queue.queue_name,
                    queue.queue_name, reason)
