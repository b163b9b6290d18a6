"""The app's own per-caller rate limit: 429 problem+json with `Retry-After`.

A token bucket per authenticated caller (tenant and token subject), services/platform/rate_limits.py, in
this instance's memory. In Azure many instances serve the API, so each would allow the limit on
its own: API Management's rate-limit-by-key in front of the app (infra/app/gateway.bicep) holds
one counter per caller for all of them, and this limiter is the last line behind it (and the only
one locally).

Keyed after the token is validated (security.authenticate calls `check`), so a forged token cannot
spend another caller's allowance; a caller without a valid token gets 401 before any bucket.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import bootstrap
from domain.platform.access import Principal
from domain.platform.errors import DomainError
from functions.http.shell import problems
from services.platform.rate_limits import CallerLimiter


class RateLimited(DomainError):
    status = 429
    title = "Too many requests"

    def __init__(self, retry_after: int, per_minute: int) -> None:
        super().__init__(f"this caller has used its allowance of {per_minute} requests a minute; "
                         f"retry after {retry_after} s")
        self.retry_after = retry_after


def caller_limiter() -> CallerLimiter:
    return bootstrap.composition().platform.rate_limiter


def check(limiter: CallerLimiter, principal: Principal) -> None:
    """Spend one request of the caller's allowance; RateLimited (429) when it is used up."""
    wait = limiter.acquire(f"{principal.tenant_id}|{principal.subject}")
    if wait is not None:
        raise RateLimited(wait, limiter.per_minute)


async def _rate_limited(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimited)
    return problems.problem(request, 429, exc.title, exc.detail, slug="too-many-requests",
                            headers={"Retry-After": str(exc.retry_after)})


def install(api: FastAPI) -> None:
    # more specific than the DomainError handler, so this one answers (with Retry-After)
    api.add_exception_handler(RateLimited, _rate_limited)
