"""Errors the services raise and the API maps to problem+json (no Azure types escape adapters)."""

from __future__ import annotations


class DomainError(Exception):
    """Base class; `status` is the HTTP status the API answers with."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class ValidationFailed(DomainError):
    """Input that passed the schema but breaks a rule; `field` names the culprit."""

    status = 422
    title = "Validation failed"


class NotFound(DomainError):
    """The entity does not exist, or the caller may not know that it does."""

    status = 404
    title = "Not found"


class AlreadyExists(DomainError):
    """A create met an entity with the same key."""

    status = 409
    title = "Already exists"


class ConcurrencyError(DomainError):
    """An ETag-conditional write lost a race: re-read and try again."""

    status = 412
    title = "Precondition failed"


class Unauthenticated(DomainError):
    """No valid bearer token."""

    status = 401
    title = "Unauthorized"


class Forbidden(DomainError):
    """The caller's role or scope does not allow this."""

    status = 403
    title = "Forbidden"


class IntegrityError(DomainError):
    """Stored content does not match its recorded SHA-256."""

    status = 409
    title = "Integrity check failed"
