"""The Wonde transport's guards, on httpx's in-memory transport: answers the local server never gives."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from adapters.wonde.transport import Transport, retry_after_seconds
from services.sis.ports import SisRefused, SisUnavailable

URL = "https://api.wonde.com/v1.0/schools/A1/students"


def _transport(answer: Callable[[httpx.Request], httpx.Response], sleeps: list[float]) -> Transport:
    return Transport(client=httpx.Client(transport=httpx.MockTransport(answer)), sleep=sleeps.append,
                     jitter=lambda: 1.0)


def _read(transport: Transport) -> list[object]:
    records, _ = transport.read_all(URL, {}, "secret-token", school_id="A1", what="students")
    return records


def test_a_next_page_on_another_host_is_not_followed_so_the_token_stays_home() -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json={"data": [{"id": "S1"}], "meta": {"pagination": {
            "next": "https://collector.example.org/page2", "more": True}}})

    with pytest.raises(SisRefused, match="another host"):
        _read(_transport(answer, []))
    assert asked == [URL]


def test_a_body_cut_short_is_retried_and_a_loop_of_next_links_is_stopped() -> None:
    sleeps: list[float] = []
    answers = iter([httpx.Response(200, content=b'{"data": [{"id"'),
                    httpx.Response(200, json={"data": [{"id": "S1"}], "meta": {"pagination": {
                        "next": URL, "more": "true", "per_page": "50"}}})])

    with pytest.raises(SisUnavailable, match="do not end") as raised:
        _read(_transport(lambda request: next(answers), sleeps))
    assert sleeps == [0.5] and raised.value.pages_read == 1  # jitter at its top: the full step


def test_no_pagination_or_more_false_ends_the_read() -> None:
    pages = iter([{"data": [1], "meta": {"pagination": {"next": URL + "?page=2", "more": True}}},
                  {"data": [2], "meta": {"pagination": {"next": URL + "?page=3", "more": False}}}])

    assert _read(_transport(lambda request: httpx.Response(200, json=next(pages)), [])) == [1, 2]
    assert _read(_transport(lambda request: httpx.Response(200, json={"data": [3]}), [])) == [3]


@pytest.mark.parametrize(("value", "seconds"), [
    ("7", 7.0), ("0.5", 0.5), ("-3", 0.0), ("Mon, 08 Sep 2025 07:00:10 GMT", 10.0),
    ("soon", None), ("", None), (None, None),
])
def test_retry_after_is_read_as_seconds_or_as_a_date(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=1757314800.0) == seconds  # 2025-09-08 07:00:00 UTC
