"""Authentication and the access check every route declares (role + tenant + school scope)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from fastapi import Depends, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

import bootstrap
from domain.platform.access import Permission, Principal, authorize
from domain.platform.errors import NotFound, Unauthenticated, ValidationFailed
from functions.http.shell import rate_limit
from services.platform.rate_limits import CallerLimiter

_bearer = HTTPBearer(auto_error=False, description="A JWT from Entra ID (or `make token` locally)")


class TokenValidator(Protocol):
    """adapters.identity.TokenValidator: raises Unauthenticated for a token it does not accept."""

    def validate(self, token: str) -> Principal: ...


def token_validator() -> TokenValidator:
    return bootstrap.composition().platform.token_validator


def authenticate(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    tokens: Annotated[TokenValidator, Depends(token_validator)],
    limiter: Annotated[CallerLimiter, Depends(rate_limit.caller_limiter)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("a bearer token is required")
    principal = tokens.validate(credentials.credentials)
    rate_limit.check(limiter, principal)  # 429 once the caller's allowance is spent
    return principal


@dataclass(frozen=True)
class Access:
    """What a route may touch: the caller's tenant and, where named, one school."""

    principal: Principal
    permission: Permission
    school_id: str | None = None

    @property
    def tenant_id(self) -> str:
        return self.principal.tenant_id

    def school_filter(self) -> frozenset[str] | None:
        """Schools a list may include; None means every school of the tenant."""
        if self.school_id is not None:
            return frozenset({self.school_id})
        return None if self.principal.tenant_wide else self.principal.school_ids

    def one_school(self) -> str:
        """The one school a route reads or writes: a tenant-wide caller who omitted `schoolId`
        (allowed by `require`) gets 422 here."""
        if self.school_id is None:
            raise ValidationFailed("schoolId is required here", field="schoolId")
        return self.school_id

    def ensure_school(self, school_id: str | None) -> None:
        """For entities loaded by id: outside the caller's scope looks like absence (404), so
        ids of other schools' records are not confirmed to exist."""
        if school_id is not None and not self.principal.covers(school_id):
            raise NotFound("no such item")


def require(permission: Permission, *, school: bool = True) -> Callable[..., Access]:
    """The dependency a route declares. With `school=True` the route reads one school's data
    named by the `schoolId` query parameter (optional for tenant-wide callers)."""
    if school:
        def dependency(principal: Annotated[Principal, Depends(authenticate)],
                       schoolId: Annotated[str | None, Query(  # noqa: N803 - API name
                           min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$",
                           description="The school; tenant-wide callers may omit it")] = None,
                       ) -> Access:
            authorize(principal, permission, schoolId, school_required=True)
            return Access(principal, permission, schoolId)
    else:
        def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Access:  # type: ignore[misc]
            authorize(principal, permission, None, school_required=False)
            return Access(principal, permission)
    marked: Any = dependency
    marked.permission = permission
    marked.school_scoped = school
    return dependency
