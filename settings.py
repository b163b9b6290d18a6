"""The one settings class: every value the app reads from its environment."""

from __future__ import annotations

import os
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def azurite_connection_string(host: str = "127.0.0.1", blob: int = 10000, queue: int = 10001,
                              table: int = 10002) -> str:
    """Connection string for an Azurite on the given ports (the well-known dev account)."""
    base = f"http://{host}:%d/devstoreaccount1"
    return (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        f"AccountKey={AZURITE_KEY};BlobEndpoint={base % blob};"
        f"QueueEndpoint={base % queue};TableEndpoint={base % table};"
    )


class _Connection(BaseModel):
    """A Functions-style connection: a plain connection string locally, or the `__`
    identity keys in Azure (`<Name>__credential`, `<Name>__clientId`, endpoints)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    connection_string: str | None = None
    credential: str | None = None
    client_id: str | None = Field(default=None, alias="clientId")

    @model_validator(mode="before")
    @classmethod
    def _plain_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"connection_string": value}
        if isinstance(value, dict):
            # env vars arrive lower-cased when the settings are case-insensitive
            return {_camel(k): v for k, v in value.items()}
        return value


def _camel(key: str) -> str:
    known = {"clientid": "clientId", "blobserviceuri": "blobServiceUri",
             "queueserviceuri": "queueServiceUri", "tableserviceuri": "tableServiceUri",
             "accountname": "accountName", "fullyqualifiednamespace": "fullyQualifiedNamespace"}
    return known.get(key.lower(), key)


class StorageConnection(_Connection):
    account_name: str | None = Field(default=None, alias="accountName")
    blob_service_uri: str | None = Field(default=None, alias="blobServiceUri")
    queue_service_uri: str | None = Field(default=None, alias="queueServiceUri")
    table_service_uri: str | None = Field(default=None, alias="tableServiceUri")

    def endpoint(self, service: Literal["blob", "queue", "table"]) -> str:
        explicit = {"blob": self.blob_service_uri, "queue": self.queue_service_uri,
                    "table": self.table_service_uri}[service]
        if explicit:
            return explicit
        if not self.account_name:
            raise ValueError(f"AzureWebJobsStorage needs __{service}ServiceUri or __accountName")
        return f"https://{self.account_name}.{service}.core.windows.net"


class ServiceBusConnection(_Connection):
    fully_qualified_namespace: str | None = Field(default=None, alias="fullyQualifiedNamespace")

    @property
    def configured(self) -> bool:
        return bool(self.connection_string or self.fully_qualified_namespace)


def setting(name: str, default: Any) -> Any:
    """A field read from the app setting `name` (tests pass the field name instead)."""
    return Field(default=default, validation_alias=name)


class Settings(BaseSettings):
    """Built once in bootstrap; tests build it explicitly instead of patching the environment."""

    model_config = SettingsConfigDict(
        env_nested_delimiter="__", case_sensitive=False, extra="ignore",
        populate_by_name=True, frozen=True, env_ignore_empty=True,
    )

    environment: Literal["development", "test", "production"] = setting("APP_ENVIRONMENT",
                                                                         "development")
    storage: Annotated[StorageConnection, NoDecode] = Field(
        default_factory=lambda: StorageConnection(connection_string=azurite_connection_string()),
        validation_alias="AzureWebJobsStorage")
    service_bus: Annotated[ServiceBusConnection, NoDecode] = Field(
        default_factory=ServiceBusConnection,
        validation_alias="ServiceBusConnection")

    domain_events_topic: str = setting("DOMAIN_EVENTS_TOPIC", "domain-events")
    sis_sync_queue: str = setting("SIS_SYNC_QUEUE", "sis-sync-completed")
    nightly_schedule: str = setting("NIGHTLY_SCHEDULE", "0 0 2 * * *")
    outbox_relay_schedule: str = setting("OUTBOX_RELAY_SCHEDULE", "0 */5 * * * *")
    # hourly: each school's print batch is built at 05:00 its local time
    # (services/letters/printing/schedule.py)
    print_batch_schedule: str = setting("PRINT_BATCH_SCHEDULE", "0 5 * * * *")
    # Wonde syncs (services/sis/jobs.py): nightly before normalization (NIGHTLY_SCHEDULE), and at a
    # few times in the school day, so the morning register is in before the office works on it.
    wonde_sync_schedule: str = setting("WONDE_SYNC_SCHEDULE", "0 0 1 * * *")
    wonde_intraday_schedule: str = setting("WONDE_INTRADAY_SCHEDULE", "0 30 10,14 * * 1-5")
    # A Wonde-compatible server instead of Wonde's regional domains: the local Wonde server only.
    wonde_base_url: str | None = setting("WONDE_BASE_URL", None)
    # Tokens by setting name, as JSON ({"WONDE_TOKEN_A1930499544": "..."}) for a local run; in Azure
    # each connection's setting (WONDE_TOKEN_<WONDE ID>) is its own Key Vault reference.
    wonde_tokens: dict[str, SecretStr] = setting("WONDE_TOKENS", {})

    auth_issuer: str = setting("AUTH_ISSUER", "https://dev.attendance.local/")
    auth_audience: str = setting("AUTH_AUDIENCE", "api://attendance-orchestrator")
    auth_jwks_uri: str | None = setting("AUTH_JWKS_URI", None)
    auth_dev_key_dir: str = setting("AUTH_DEV_KEY_DIR", ".devkeys")
    auth_tenant_claim: str = setting("AUTH_TENANT_CLAIM", "tenant")
    auth_schools_claim: str = setting("AUTH_SCHOOLS_CLAIM", "schools")

    log_level: str = setting("LOG_LEVEL", "INFO")

    # Request bodies (functions/http/shell/body_limit.py): every request is capped, a larger body is a
    # 413 before it is read. Two routes take large bodies; `python -m bench.body_sizes` measured
    # 3.6 MB for 10,000 marks pretty-printed and 4.9 MB for a 2,000-student school with contacts
    # (12.3 MB at the route's 5,000 students), so their caps leave about 2x or more of headroom
    # for the Wonde fields the demo payload does not carry.
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024, validation_alias="MAX_BODY_BYTES")
    max_marks_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024,
                                      validation_alias="MAX_MARKS_BODY_BYTES")
    max_roster_body_bytes: int = Field(default=24 * 1024 * 1024, ge=1024,
                                       validation_alias="MAX_ROSTER_BODY_BYTES")
    # Requests per authenticated caller (tenant and token subject), a token bucket on each instance
    # (functions/http/shell/rate_limit.py); in Azure, API Management's rate-limit-by-key holds the same
    # limit across instances (infra/app/gateway.bicep). Tests raise it (tests/conftest.py).
    rate_limit_per_minute: int = Field(default=600, ge=1, validation_alias="RATE_LIMIT_PER_MINUTE")
    rate_limit_burst: int = Field(default=300, ge=1, validation_alias="RATE_LIMIT_BURST")

    # Letter e-mail (Azure Communication Services' SMTP endpoint in Azure; a local server in dev)
    smtp_host: str = setting("SMTP_HOST", "localhost")
    smtp_port: int = setting("SMTP_PORT", 587)
    smtp_sender: str = setting("SMTP_SENDER", "letters@attendance.local")
    smtp_use_tls: bool = setting("SMTP_USE_TLS", True)  # STARTTLS before any credentials
    smtp_username: str | None = setting("SMTP_USERNAME", None)
    smtp_password: SecretStr | None = setting("SMTP_PASSWORD", None)

    # Machine translation of letter templates (adapters/translator.py); no endpoint = off.
    # The endpoint is the global one or `https://<name>.cognitiveservices.azure.com/translator/
    # text/v3.0`; a key in development, else the app's managed identity (Entra ID), which on the
    # global endpoint also needs the resource's ARM id and region.
    translator_endpoint: str | None = setting("TRANSLATOR_ENDPOINT", None)
    translator_region: str | None = setting("TRANSLATOR_REGION", None)
    translator_key: SecretStr | None = setting("TRANSLATOR_KEY", None)
    translator_resource_id: str | None = setting("TRANSLATOR_RESOURCE_ID", None)

    def wonde_token(self, name: str) -> str | None:
        """A Wonde token by its setting's name: from WONDE_TOKENS, else the app setting itself
        (read when a sync starts, so a rotated Key Vault secret is picked up)."""
        found = self.wonde_tokens.get(name)
        return found.get_secret_value() if found is not None else os.environ.get(name)

    @model_validator(mode="after")
    def _no_dev_keys_in_production(self) -> Settings:
        if self.environment == "production" and not self.auth_jwks_uri:
            raise ValueError("AUTH_JWKS_URI is required in production (development keys are refused)")
        return self

    @cached_property
    def app_settings(self) -> dict[str, str]:
        """Values that binding expressions like %NIGHTLY_SCHEDULE% resolve to (used by devhost)."""
        return {"NIGHTLY_SCHEDULE": self.nightly_schedule,
                "OUTBOX_RELAY_SCHEDULE": self.outbox_relay_schedule,
                "PRINT_BATCH_SCHEDULE": self.print_batch_schedule,
                "WONDE_SYNC_SCHEDULE": self.wonde_sync_schedule,
                "WONDE_INTRADAY_SCHEDULE": self.wonde_intraday_schedule,
                "SIS_SYNC_QUEUE": self.sis_sync_queue,
                "DOMAIN_EVENTS_TOPIC": self.domain_events_topic}
