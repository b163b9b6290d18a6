"""Integration events: the envelope of every domain event we publish, and the inbound
`sis-sync-completed` message. Pure pydantic models; transports live in adapters."""

from __future__ import annotations

import json
import uuid
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

# A fixed namespace for uuid5, so the same (type, parts) always gives the same event id.
_EVENT_NAMESPACE = uuid.UUID("6f1c2a4e-7d0b-5b8e-9a3f-2c1d4e5f6a7b")

# Dotted, lower-case: `attendance.normalized`, `intervention.escalated`.
EVENT_TYPE_PATTERN = r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$"


def event_id(type_: str, *parts: str) -> str:
    """A deterministic event id: a re-run that raises the same event for the same thing gets
    the same id, so the outbox row is rewritten rather than duplicated and Service Bus
    duplicate detection drops a second send."""
    # JSON, not a joined string, so ("a", "b|c") and ("a|b", "c") stay different ids.
    return str(uuid.uuid5(_EVENT_NAMESPACE, json.dumps([type_, *parts])))


class IntegrationEvent(BaseModel):
    """What leaves the service: camelCase JSON, versioned by `schemaVersion`.

    `data` holds the type-specific payload. It may carry personal data, so code logs only
    the envelope's ids, type and counts, never `data`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel,
                              populate_by_name=True)

    id: str
    type: str = Field(pattern=EVENT_TYPE_PATTERN)
    tenant_id: str = Field(min_length=1)
    school_id: str | None = None
    occurred_at: AwareDatetime
    correlation_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    schema_version: int = Field(default=1, ge=1)

    @field_validator("id")
    @classmethod
    def _uuid(cls, value: str) -> str:
        # Normalised so the same id written two ways is still one Service Bus message id.
        try:
            return str(uuid.UUID(value))
        except ValueError as exc:
            raise ValueError("id must be a UUID") from exc

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> IntegrationEvent:
        return cls.model_validate_json(text)


class SisSyncCompleted(BaseModel):
    """Inbound: the SIS finished syncing a school, so its attendance can be normalized.

    Unknown fields are ignored (a tolerant reader): the SIS team may add fields without
    breaking us. Missing or malformed required fields are rejected.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel,
                              populate_by_name=True)

    tenant_id: str = Field(min_length=1)
    school_id: str = Field(min_length=1)
    sync_id: str = Field(min_length=1)
    completed_at: AwareDatetime
    correlation_id: str | None = None
