"""adapters/storage/transactions.py without a service: reading a transaction's answer."""

from __future__ import annotations

import pytest

from adapters.storage.transactions import UnreadableAnswer, applied, statuses

ANSWER = (b"--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_1\r\n\r\n"
          b"--changesetresponse_1\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\n"
          b"Content-ID: 0\r\n\r\n--changesetresponse_1\r\nContent-Type: application/http\r\n\r\n"
          b"HTTP/1.1 201 Created\r\nContent-ID: 1\r\n\r\n{\"text\": \"HTTP/1.1 500 in a value\"}\r\n"
          b"--changesetresponse_1--\r\n--batchresponse_1--\r\n")


def test_statuses_are_read_from_the_start_of_lines_only() -> None:
    assert statuses(ANSWER) == [204, 201]


def test_every_operation_answered_2xx_is_applied() -> None:
    assert applied(202, [204, 201], 2) is True


@pytest.mark.parametrize(("status", "codes"), [(202, [409]), (202, [204, 412]), (400, []), (413, [])])
def test_a_refusal_is_not_applied(status: int, codes: list[int]) -> None:
    assert applied(status, codes, 2) is False


def test_an_answer_missing_an_operation_is_unreadable_not_a_success() -> None:
    with pytest.raises(UnreadableAnswer, match="2 operations was answered with 1"):
        applied(202, [204], 2)
