"""adapters/storage/queues.py against Azurite: base64 JSON on the wire, host-style decoding, poison moves."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date

import pytest
from azure.functions.queue import QueueMessage as FunctionQueueMessage
from azure.storage.queue import QueueClient, QueueServiceClient, TextBase64DecodePolicy
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from adapters.storage.queues import MAX_WIRE_CHARS, QueueSender, ReceivedMessage, poison_name
from devhost.azurite import free_port
from domain.platform.errors import ConcurrencyError, NotFound, ValidationFailed
from settings import azurite_connection_string

pytestmark = pytest.mark.integration

BODY = {"type": "RenderLetter", "letterId": "L-17", "guardian": "Zoë O'Brien", "stage": 2}


class RenderLetter(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    letter_id: str
    school_id: str
    due_on: date


@pytest.fixture
def service(connection_string: str) -> QueueServiceClient:
    return QueueServiceClient.from_connection_string(connection_string)


@pytest.fixture
def sender(service: QueueServiceClient) -> QueueSender:
    return QueueSender(service)


@pytest.fixture
def queue(service: QueueServiceClient, sender: QueueSender, unique: str) -> Iterator[str]:
    name = f"letters-{unique}"
    sender.ensure(name)
    yield name
    for each in (name, poison_name(name)):
        service.delete_queue(each)


def raw_client(connection_string: str, queue: str) -> QueueClient:
    """A plain SDK client with no encode or decode policy: it shows the wire text as stored."""
    return QueueClient.from_connection_string(connection_string, queue)


# --- the wire ----------------------------------------------------------------------------------

def test_the_wire_text_is_base64_of_the_json_body(
        sender: QueueSender, queue: str, connection_string: str) -> None:
    sender.send(queue, BODY)

    wire = raw_client(connection_string, queue).receive_message().content

    with pytest.raises(ValueError, match="Expecting value"):
        json.loads(wire)
    assert json.loads(base64.b64decode(wire, validate=True).decode("utf-8")) == BODY


def test_a_function_gets_the_json_back_as_the_host_would_hand_it_over(
        sender: QueueSender, queue: str, connection_string: str) -> None:
    message_id = sender.send(queue, BODY)
    raw = raw_client(connection_string, queue).receive_message()

    # the host base64-decodes the wire text and hands the bytes to the function
    by_hand = FunctionQueueMessage(id=raw.id, body=base64.b64decode(raw.content), dequeue_count=1)

    assert raw.id == message_id
    assert by_hand.get_json() == BODY


def test_function_message_matches_what_the_host_builds(sender: QueueSender, queue: str) -> None:
    message_id = sender.send(queue, BODY)

    [received] = sender.receive(queue)
    handed_over = received.function_message()

    assert handed_over.get_json() == BODY
    assert handed_over.id == message_id
    assert handed_over.dequeue_count == 1
    assert handed_over.pop_receipt == received.pop_receipt
    assert handed_over.insertion_time is not None


def test_an_sdk_client_with_the_base64_decode_policy_reads_our_messages(
        sender: QueueSender, queue: str, connection_string: str) -> None:
    sender.send(queue, BODY)
    client = QueueClient.from_connection_string(connection_string, queue,
                                                message_decode_policy=TextBase64DecodePolicy())

    assert json.loads(client.receive_message().content) == BODY


def test_a_pydantic_body_is_sent_by_alias(sender: QueueSender, queue: str) -> None:
    sender.send(queue, RenderLetter(letter_id="L-1", school_id="S-9", due_on=date(2025, 3, 7)))

    [peeked] = sender.peek(queue)

    assert peeked.json() == {"letterId": "L-1", "schoolId": "S-9", "dueOn": "2025-03-07"}


def test_send_many_keeps_the_order(sender: QueueSender, queue: str) -> None:
    ids = sender.send_many(queue, [{"n": i} for i in range(5)])

    peeked = sender.peek(queue)

    assert [m.id for m in peeked] == ids
    assert [m.json() for m in peeked] == [{"n": i} for i in range(5)]


def test_a_visibility_timeout_delays_the_first_delivery(
        sender: QueueSender, queue: str, service: QueueServiceClient) -> None:
    sender.send(queue, BODY, visibility_timeout=60)

    assert sender.peek(queue) == []
    assert sender.receive(queue) == []
    assert service.get_queue_client(queue).get_queue_properties().approximate_message_count == 1


def test_a_body_up_to_64_kib_on_the_wire_is_sent_and_a_bigger_one_refused(
        sender: QueueSender, queue: str) -> None:
    # '{"x":"' + n characters + '"}' is n + 8 bytes of JSON, 4/3 of that in base64
    largest = {"x": "a" * (MAX_WIRE_CHARS * 3 // 4 - 8)}
    sender.send(queue, largest)

    with pytest.raises(ValidationFailed, match="store the payload in a blob"):
        sender.send(queue, {"x": "a" * (MAX_WIRE_CHARS * 3 // 4 - 7)})

    [peeked] = sender.peek(queue)
    assert len(peeked.wire) == MAX_WIRE_CHARS
    assert peeked.json() == largest


def test_each_receive_counts_a_dequeue(sender: QueueSender, queue: str, connection_string: str) -> None:
    sender.send(queue, BODY)
    [first] = sender.receive(queue)
    raw_client(connection_string, queue).update_message(first.id, first.pop_receipt, visibility_timeout=0)

    [second] = sender.receive(queue)

    assert (first.dequeue_count, second.dequeue_count) == (1, 2)
    assert second.id == first.id


def test_one_malformed_message_does_not_fail_the_whole_receive(
        sender: QueueSender, queue: str, connection_string: str) -> None:
    raw_client(connection_string, queue).send_message("not base64 {json}")
    raw_client(connection_string, queue).send_message(base64.b64encode(b"\xff\xfe not utf-8").decode())
    raw_client(connection_string, queue).send_message(base64.b64encode(b"{'no': json}").decode())
    sender.send(queue, BODY)

    bad_text, bad_bytes, bad_json, good = sender.receive(queue, 4)

    assert good.json() == BODY
    with pytest.raises(ValueError, match="not UTF-8 JSON"):
        bad_json.json()
    with pytest.raises(ValueError, match="not base64"):
        bad_text.json()
    with pytest.raises(ValueError, match="not UTF-8 JSON"):
        bad_bytes.json()


def test_missing_queues_raise_not_found(sender: QueueSender, unique: str) -> None:
    with pytest.raises(NotFound):
        sender.send(f"nowhere-{unique}", BODY)
    with pytest.raises(NotFound):
        sender.receive(f"nowhere-{unique}")


def test_a_request_the_service_refuses_raises_validation_failed(sender: QueueSender) -> None:
    with pytest.raises(ValidationFailed):
        sender.ensure("Not_A_Queue")


def test_an_unreachable_service_raises_connection_error() -> None:
    port = free_port()
    nobody = QueueServiceClient.from_connection_string(
        azurite_connection_string(blob=port, queue=port, table=port), retry_total=0)

    with pytest.raises(ConnectionError):
        QueueSender(nobody).send("letters", BODY)


# --- poison ------------------------------------------------------------------------------------

def test_poison_name_is_the_queue_with_a_suffix_that_still_fits() -> None:
    assert poison_name("render-letters") == "render-letters-poison"
    assert len(poison_name("q" * 56)) == 63
    with pytest.raises(ValidationFailed):
        poison_name("q" * 57)


def test_ensure_creates_the_queue_and_its_poison_twin_once(
        sender: QueueSender, service: QueueServiceClient, unique: str) -> None:
    name = f"reports-{unique}"

    sender.ensure(name)
    sender.ensure(name)

    assert sorted(q.name for q in service.list_queues(name_starts_with=name)) == [name, f"{name}-poison"]
    for each in (name, f"{name}-poison"):
        service.delete_queue(each)


def test_move_to_poison_moves_the_message_unchanged(
        sender: QueueSender, queue: str, service: QueueServiceClient) -> None:
    sender.send(queue, BODY)
    [message] = sender.receive(queue)

    sender.move_to_poison(queue, message)

    [poisoned] = sender.peek(poison_name(queue))
    assert poisoned.wire == message.wire
    assert poisoned.json() == BODY
    # the count includes invisible messages, so this proves the original was deleted
    assert service.get_queue_client(queue).get_queue_properties().approximate_message_count == 0


def test_move_to_poison_keeps_a_malformed_message_byte_for_byte(
        sender: QueueSender, queue: str, connection_string: str) -> None:
    raw_client(connection_string, queue).send_message("{not base64}")
    [message] = sender.receive(queue)

    sender.move_to_poison(queue, message)

    assert [m.wire for m in sender.peek(poison_name(queue))] == ["{not base64}"]


def test_move_to_poison_creates_a_missing_poison_queue(
        sender: QueueSender, queue: str, service: QueueServiceClient) -> None:
    service.delete_queue(poison_name(queue))
    sender.send(queue, BODY)
    [message] = sender.receive(queue)

    sender.move_to_poison(queue, message)

    assert [m.json() for m in sender.peek(poison_name(queue))] == [BODY]


def test_a_stale_receiver_can_not_move_a_message_it_lost(
        sender: QueueSender, queue: str, connection_string: str) -> None:
    sender.send(queue, BODY)
    [stale] = sender.receive(queue)
    # the lease runs out and another poller receives the message
    raw_client(connection_string, queue).update_message(stale.id, stale.pop_receipt, visibility_timeout=0)
    [current] = sender.receive(queue)

    with pytest.raises(ConcurrencyError):
        sender.move_to_poison(queue, stale)

    assert sender.peek(poison_name(queue)) == []
    sender.delete(queue, current)


def test_delete_is_idempotent_and_a_peeked_message_can_not_be_deleted(
        sender: QueueSender, queue: str) -> None:
    sender.send(queue, BODY)
    [peeked] = sender.peek(queue)
    with pytest.raises(ValidationFailed):
        sender.delete(queue, peeked)
    [message] = sender.receive(queue)

    sender.delete(queue, message)
    sender.delete(queue, message)

    assert sender.receive(queue, visibility_timeout=1) == []


def test_received_message_body_refuses_text_that_is_not_base64() -> None:
    # a lenient decoder would skip the '!' and read '{}'
    message = ReceivedMessage(id="m1", pop_receipt=None, dequeue_count=5, wire="e3!0=")

    with pytest.raises(ValueError, match="not base64"):
        message.body  # noqa: B018


def test_received_message_body_ignores_whitespace_as_the_host_does() -> None:
    message = ReceivedMessage(id="m1", pop_receipt=None, dequeue_count=1, wire="e3\r\n0= ")

    assert message.json() == {}
