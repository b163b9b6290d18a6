"""HTTP to Wonde: a GET retried on throttling and failure, and a list read that follows
`meta.pagination.next` while `meta.pagination.more`.

Retried: 429, every 5xx, timeouts, connection errors and a body that is not JSON (a response cut
short). A 429's `Retry-After` (seconds or an HTTP date) is waited exactly; otherwise the wait
doubles from `base_delay` up to `max_delay`, with jitter so schools throttled together do not
retry together. A `Retry-After` longer than `max_retry_after` gives up at once: a timer
function should not sleep for minutes, the next run can. Any other status is refused unretried.

A list is read whole or not at all: a page that fails after its retries raises SisUnavailable
with the pages read so far counted, and nothing read is returned. A `next` link is followed only
on the host the read started on, so the token never goes anywhere else.

Logs carry the school id, the resource, statuses, waits and counts: never the token, never a URL.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from services.sis.ports import SisRefused, SisUnavailable

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
MAX_PAGES = 10_000  # 500k records at 50 a page: past that a `next` link is looping


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries of one request, the first included
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0


@dataclass
class RequestStats:
    """Counters for the benches: every HTTP request sent, retries among them, seconds waited."""

    requests: int = 0
    retries: int = 0
    throttled: int = 0
    pages: int = 0
    waited: float = 0.0


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds from `now`: delta-seconds or an HTTP date; None when unusable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError):
        return None


class Transport:
    def __init__(self, *, retry: RetryPolicy | None = None, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 sleep: Callable[[float], None] = time.sleep, now: Callable[[], float] = time.time,
                 jitter: Callable[[], float] = random.random, client: httpx.Client | None = None) -> None:
        self.retry = retry or RetryPolicy()
        self.stats = RequestStats()
        self._sleep, self._now, self._jitter = sleep, now, jitter
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False)

    def close(self) -> None:
        self._client.close()

    def read_all(self, url: str, params: dict[str, str], token: str, *, school_id: str,
                 what: str) -> tuple[list[Any], int]:
        """Every record of a paged list and the number of pages. Raises SisError."""
        records: list[Any] = []
        origin, seen = _origin(url), set[str]()
        next_url: str | None = url
        next_params: dict[str, str] | None = params
        while next_url is not None:
            if len(seen) >= MAX_PAGES or next_url in seen:
                raise SisUnavailable(f"Wonde {what} for school {school_id}: the pages do not end",
                                     pages_read=len(seen))
            seen.add(next_url)
            try:
                body = self.get(next_url, next_params, token, school_id=school_id, what=what)
            except SisUnavailable as exc:
                exc.pages_read = len(seen) - 1
                raise
            data = body.get("data")
            if not isinstance(data, list):
                raise SisUnavailable(f"Wonde {what} for school {school_id}: page {len(seen)} has no "
                                     f"data list", pages_read=len(seen) - 1)
            records.extend(data)
            self.stats.pages += 1
            next_url, next_params = _next_page(body, origin, school_id, what), None
        log.info("wonde %s for school %s: %d records in %d pages", what, school_id, len(records), len(seen))
        return records, len(seen)

    def get(self, url: str, params: dict[str, str] | None, token: str, *, school_id: str,
            what: str) -> dict[str, Any]:
        """One JSON object, retried as the module says. Raises SisUnavailable or SisRefused."""
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        for attempt in range(1, self.retry.attempts + 1):
            status, wait, body = self._attempt(url, params, headers, attempt, school_id, what)
            if body is not None:
                return body
            if attempt == self.retry.attempts:
                raise SisUnavailable(f"Wonde {what} for school {school_id} failed {attempt} times "
                                     f"(last: {status or 'no answer'})", status=status, retry_after=wait)
            log.warning("wonde %s for school %s: %s; retry %d of %d in %.2fs", what, school_id,
                        status or "no answer", attempt, self.retry.attempts - 1, wait)
            self.stats.retries += 1
            self.stats.waited += wait
            self._sleep(wait)
        raise AssertionError("unreachable")

    def _attempt(self, url: str, params: dict[str, str] | None, headers: dict[str, str], attempt: int,
                 school_id: str, what: str) -> tuple[int | None, float, dict[str, Any] | None]:
        """(status, wait before the next try, the body when this try succeeded)."""
        self.stats.requests += 1
        try:
            response = self._client.get(url, params=params, headers=headers)
        except httpx.TransportError as exc:  # timeouts and connection errors alike
            log.warning("wonde %s for school %s: %s", what, school_id, type(exc).__name__)
            return None, self._backoff(attempt), None
        status = response.status_code
        if status == 429 or status >= 500:
            return status, self._wait(response, attempt, school_id, what), None
        if status != 200:
            raise SisRefused(_refusal(status, school_id, what), status=status)
        try:
            body = response.json()
        except ValueError:
            return status, self._backoff(attempt), None
        if not isinstance(body, dict):
            raise SisRefused(f"Wonde {what} for school {school_id}: the answer is not a JSON object",
                             status=status)
        return status, 0.0, body

    def _wait(self, response: httpx.Response, attempt: int, school_id: str, what: str) -> float:
        if response.status_code == 429:
            self.stats.throttled += 1
        told = retry_after_seconds(response.headers.get("Retry-After"), self._now())
        if told is None:
            return self._backoff(attempt)
        if told > self.retry.max_retry_after:
            raise SisUnavailable(f"Wonde {what} for school {school_id}: asked to wait {told:.0f}s",
                                 status=response.status_code, retry_after=told)
        return told

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.retry.max_delay, self.retry.base_delay * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + self._jitter() / 2)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _next_page(body: dict[str, Any], origin: tuple[str, str], school_id: str, what: str) -> str | None:
    meta = body.get("meta")
    pagination = meta.get("pagination") if isinstance(meta, dict) else None
    if not isinstance(pagination, dict):
        return None  # Wonde leaves pagination out when everything fitted on one page
    link, more = pagination.get("next"), pagination.get("more")
    if not isinstance(link, str) or not link or more is False or str(more).lower() in ("false", "0"):
        return None
    if _origin(link) != origin:
        raise SisRefused(f"Wonde {what} for school {school_id}: the next page is on another host; "
                         f"not followed")
    return link


def _refusal(status: int, school_id: str, what: str) -> str:
    if status in (401, 403):
        return (f"Wonde refused {what} for school {school_id} ({status}): the token is wrong or "
                f"revoked, or the school has not approved this access")
    if status == 404:
        return f"Wonde has no {what} for school {school_id} (404): check the school id and region"
    return f"Wonde refused {what} for school {school_id} ({status})"
