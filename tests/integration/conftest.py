"""Fixtures of the integration tests (the session's Azurite is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from azure.data.tables import TableServiceClient

from adapters.storage.tables import Table, Tables


@pytest.fixture
def table(connection_string: str, unique: str) -> Iterator[Table]:
    """A new, empty table of the adapter's, dropped after the test."""
    service = TableServiceClient.from_connection_string(connection_string)
    table = Tables(service)(f"t{unique}")
    table.create_if_missing()
    yield table
    service.delete_table(table.name)
