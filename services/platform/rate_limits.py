"""Requests per caller: a token bucket per key, `burst` requests at once, refilled at `per_minute`.

The arithmetic is pyrate-limiter's TokenBucket (GCRA: one number per caller, the wait in closed
form, a refused request spends nothing); this class only keeps those numbers per key and forgets
callers whose bucket has refilled, so memory follows the active callers, not every caller seen.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from math import ceil

from pyrate_limiter import Duration, Rate, TokenBucket


def _monotonic_ms() -> int:
    return time.monotonic_ns() // 1_000_000


class CallerLimiter:
    """Thread-safe: sync routes run in a thread pool."""

    def __init__(self, per_minute: int, burst: int, now_ms: Callable[[], int] = _monotonic_ms) -> None:
        self.per_minute, self.burst = per_minute, burst
        self._rates = [Rate(per_minute, Duration.MINUTE, burst=burst)]
        self._algorithm = TokenBucket()
        self._now_ms = now_ms
        self._states: dict[str, tuple[float, ...]] = {}
        self._lock = threading.Lock()
        self._sweep_at = 1024

    def acquire(self, key: str) -> int | None:
        """None when the request may go ahead; else the whole seconds to wait (at least 1)."""
        now = self._now_ms()
        with self._lock:
            state = self._states.get(key) or self._algorithm.initial(self._rates)
            after, decision = self._algorithm.step(self._rates, state, now, 1)
            if not decision.allowed:
                return max(1, ceil((decision.retry_after_ms or 1000) / 1000))
            self._states[key] = after
            if len(self._states) >= self._sweep_at:
                self._forget_refilled(now)
        return None

    def tracked(self) -> int:
        return len(self._states)

    def _forget_refilled(self, now: int) -> None:
        self._states = {k: s for k, s in self._states.items()
                        if self._algorithm.consumed(self._rates, s, now) > 0}
        self._sweep_at = max(1024, 2 * len(self._states))
