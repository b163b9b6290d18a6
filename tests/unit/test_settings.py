"""Settings follow the Functions conventions: a connection string locally, `__` keys in Azure."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from settings import Settings


def test_defaults_point_at_local_azurite(monkeypatch):
    monkeypatch.delenv("AzureWebJobsStorage", raising=False)
    s = Settings()
    assert "127.0.0.1:10002" in (s.storage.connection_string or "")
    assert not s.service_bus.configured


def test_identity_based_connections_use_the_double_underscore_keys(monkeypatch):
    monkeypatch.delenv("AzureWebJobsStorage", raising=False)
    monkeypatch.setenv("AzureWebJobsStorage__credential", "managedidentity")
    monkeypatch.setenv("AzureWebJobsStorage__clientId", "client-1")
    monkeypatch.setenv("AzureWebJobsStorage__tableServiceUri", "https://acct.table.core.windows.net")
    monkeypatch.setenv("AzureWebJobsStorage__accountName", "acct")
    monkeypatch.setenv("ServiceBusConnection__fullyQualifiedNamespace", "ns.servicebus.windows.net")
    monkeypatch.setenv("NIGHTLY_SCHEDULE", "0 30 1 * * *")
    s = Settings()
    assert s.storage.connection_string is None
    assert s.storage.client_id == "client-1"
    assert s.storage.endpoint("table") == "https://acct.table.core.windows.net"
    assert s.storage.endpoint("blob") == "https://acct.blob.core.windows.net"
    assert s.service_bus.fully_qualified_namespace == "ns.servicebus.windows.net"
    assert s.service_bus.configured
    assert s.app_settings["NIGHTLY_SCHEDULE"] == "0 30 1 * * *"


def test_a_plain_connection_string_is_accepted(monkeypatch):
    monkeypatch.setenv("AzureWebJobsStorage", "UseDevelopmentStorage=true")
    assert Settings().storage.connection_string == "UseDevelopmentStorage=true"


def test_production_refuses_development_keys():
    with pytest.raises(ValidationError, match="AUTH_JWKS_URI"):
        Settings(environment="production")
    Settings(environment="production", auth_jwks_uri="https://login.example/keys")
