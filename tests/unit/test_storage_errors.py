"""adapters/storage/errors.py: every storage adapter's Azure errors become the same domain errors
(worded per adapter, never naming a path), and anything else a ConnectionError to retry."""

from __future__ import annotations

import pytest
from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
    ServiceRequestError,
)

from adapters.storage.blobs import BLOBS
from adapters.storage.errors import domain_error, translated
from adapters.storage.queues import QUEUES
from adapters.storage.tables import TABLES
from domain.platform.errors import AlreadyExists, ConcurrencyError, NotFound, ValidationFailed


def http_error(status: int, code: str | None) -> HttpResponseError:
    error = HttpResponseError(message="refused")
    error.status_code, error.error_code = status, code
    return error


@pytest.mark.parametrize(("raised", "expected"), [
    (ResourceNotFoundError("gone"), NotFound),
    (http_error(404, "ResourceNotFound"), NotFound),  # a failed table transaction says it by code
    (ResourceExistsError("there"), AlreadyExists),
    (http_error(409, "EntityAlreadyExists"), AlreadyExists),
    (ResourceModifiedError("changed"), ConcurrencyError),
    (http_error(412, "UpdateConditionNotSatisfied"), ConcurrencyError),
    (http_error(400, "PopReceiptMismatch"), ConcurrencyError),  # before the 400 below
    (http_error(400, "InvalidInput"), ValidationFailed),
    (http_error(413, "RequestBodyTooLarge"), ValidationFailed),
])
def test_each_kind_of_failure_becomes_its_domain_error(raised: AzureError, expected: type) -> None:
    assert type(domain_error(raised, TABLES, "table 'marks'")) is expected


def test_the_wording_is_the_adapters_and_names_no_path() -> None:
    assert str(domain_error(ResourceNotFoundError("x"), BLOBS, "letters/t/s/a.pdf")) == (
        "the stored file was not found")
    assert str(domain_error(http_error(400, "InvalidInput"), TABLES, "table 'marks'")) == (
        "storage refused the item (InvalidInput)")
    assert str(domain_error(http_error(400, "PopReceiptMismatch"), QUEUES, "message m1 in 'jobs'")) == (
        "message m1 in 'jobs' was received again by someone else")


@pytest.mark.parametrize("raised", [http_error(503, "ServerBusy"), ServiceRequestError("refused")])
def test_a_failing_service_is_a_connection_error_to_retry(raised: AzureError) -> None:
    with pytest.raises(ConnectionError, match="^queue 'jobs': queue storage failed") as caught:
        with translated(QUEUES, "queue 'jobs'"):
            raise raised

    assert caught.value.__cause__ is raised


def test_other_errors_pass_through_untouched() -> None:
    with pytest.raises(KeyError), translated(BLOBS, "letters"):
        raise KeyError("not azure")
