"""Azure SDK errors as domain errors: the one translation the storage adapters (tables, blobs,
queues) share, so no azure exception leaves adapters/.

    with translated(BLOBS, f"{container}/{path}"):
        blob.upload_blob(...)

Not found, exists already, changed since read (an ETag or pop receipt that no longer matches) and
refused as input (400, 413) become NotFound, AlreadyExists, ConcurrencyError, ValidationFailed.
Domain errors can reach API callers as problem details, so their wording (one `Wording` per
adapter) says what happened to "the item" or "the stored file" and never names a table,
container, path or key. Anything else (5xx, network, auth) is not the caller's input: a
ConnectionError naming what failed, for the log, so the trigger fails and is retried.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)

from domain.platform.errors import AlreadyExists, ConcurrencyError, DomainError, NotFound, ValidationFailed

# codes that arrive without their exception class: a failed table transaction is one
# TableTransactionError whatever went wrong, and a queue's lost pop receipt is a plain 400
_NOT_FOUND = frozenset({"ResourceNotFound", "EntityNotFound", "TableNotFound"})
_EXISTS = frozenset({"EntityAlreadyExists", "TableAlreadyExists"})
_CHANGED = frozenset({"UpdateConditionNotSatisfied", "ConditionNotMet", "PopReceiptMismatch"})


@dataclass(frozen=True)
class Wording:
    """An adapter's messages. `{what}` is replaced by what the call names (e.g. "queue 'jobs'"),
    `{code}` by the service's error code."""

    service: str  # "blob storage": named in the ConnectionError
    not_found: str
    exists: str
    changed: str
    refused: str


def domain_error(exc: AzureError, wording: Wording, what: str) -> DomainError | ConnectionError:
    """The error `exc` stands for (see the module docstring)."""
    code = _code(exc)
    if isinstance(exc, ResourceNotFoundError) or code in _NOT_FOUND:
        return NotFound(wording.not_found.format(what=what))
    if isinstance(exc, ResourceExistsError) or code in _EXISTS:
        return AlreadyExists(wording.exists.format(what=what))
    if isinstance(exc, ResourceModifiedError) or code in _CHANGED:
        return ConcurrencyError(wording.changed.format(what=what))
    if isinstance(exc, HttpResponseError) and exc.status_code in (400, 413):
        return ValidationFailed(wording.refused.format(what=what, code=code))
    status = getattr(exc, "status_code", None) or type(exc).__name__
    return ConnectionError(f"{what}: {wording.service} failed ({status})")


@contextmanager
def translated(wording: Wording, what: str) -> Iterator[None]:
    """Raise the domain error (or ConnectionError) for any azure error inside the block."""
    try:
        yield
    except AzureError as exc:
        raise domain_error(exc, wording, what) from exc


def _code(exc: AzureError) -> str | None:
    code = getattr(exc, "error_code", None)
    return None if code is None else str(getattr(code, "value", code))
