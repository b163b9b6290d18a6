"""The per-caller token bucket: a burst, then one request per refill interval with the wait
reported; callers are independent; callers whose bucket refilled are forgotten."""

from __future__ import annotations

from services.platform.rate_limits import CallerLimiter


def test_a_burst_then_the_refill_rate_with_the_wait_to_the_next_token() -> None:
    now = [10_000]
    limiter = CallerLimiter(per_minute=30, burst=3, now_ms=lambda: now[0])  # a token every 2 s

    assert [limiter.acquire("a") for _ in range(3)] == [None, None, None]
    assert limiter.acquire("a") == 2
    assert limiter.acquire("b") is None  # another caller has its own bucket
    now[0] += 1_500
    assert limiter.acquire("a") == 1  # 0.5 s left: rounded up to a whole second
    now[0] += 500
    assert limiter.acquire("a") is None
    assert limiter.acquire("a") == 2  # a refused request spent nothing, this one neither


def test_callers_whose_bucket_refilled_are_forgotten() -> None:
    now = [10_000]
    limiter = CallerLimiter(per_minute=60, burst=10, now_ms=lambda: now[0])
    for n in range(1023):
        assert limiter.acquire(f"caller-{n}") is None
    now[0] += 60_000  # every bucket is full again
    assert limiter.acquire("one-more") is None  # the 1,024th caller triggers the sweep

    assert limiter.tracked() == 1
