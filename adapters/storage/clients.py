"""Build Azure SDK clients from Settings: connection strings locally, identity in Azure."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from azure.core.credentials import TokenCredential
from azure.data.tables import TableServiceClient
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import QueueServiceClient

from settings import ServiceBusConnection, StorageConnection, azurite_connection_string

if TYPE_CHECKING:  # imported where used: azure.servicebus is slow to import
    from azure.servicebus import ServiceBusClient


@cache
def _credential(client_id: str | None) -> TokenCredential:
    from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

    return ManagedIdentityCredential(client_id=client_id) if client_id else DefaultAzureCredential()


def _connection_string(conn: StorageConnection) -> str | None:
    if conn.connection_string == "UseDevelopmentStorage=true":
        return azurite_connection_string()
    return conn.connection_string


def table_service(conn: StorageConnection) -> TableServiceClient:
    cs = _connection_string(conn)
    if cs:
        return TableServiceClient.from_connection_string(cs)
    return TableServiceClient(endpoint=conn.endpoint("table"), credential=_credential(conn.client_id))


def blob_service(conn: StorageConnection) -> BlobServiceClient:
    cs = _connection_string(conn)
    if cs:
        return BlobServiceClient.from_connection_string(cs)
    return BlobServiceClient(account_url=conn.endpoint("blob"), credential=_credential(conn.client_id))


def queue_service(conn: StorageConnection) -> QueueServiceClient:
    cs = _connection_string(conn)
    if cs:
        return QueueServiceClient.from_connection_string(cs)
    return QueueServiceClient(account_url=conn.endpoint("queue"), credential=_credential(conn.client_id))


def service_bus_client(conn: ServiceBusConnection) -> ServiceBusClient:
    from azure.servicebus import ServiceBusClient

    if conn.connection_string:
        return ServiceBusClient.from_connection_string(conn.connection_string)
    return ServiceBusClient(fully_qualified_namespace=conn.fully_qualified_namespace or "",
                            credential=_credential(conn.client_id))
