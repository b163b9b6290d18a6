"""What a Wonde sync remembers per school: its connection, and per resource a cursor.

The token is never held here: a connection names the setting (a Key Vault reference in Azure)
that carries it, so no table row, log line or audit record can hold the secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from domain.platform.errors import ValidationFailed

# the order a sync reads in: codes first (marks need them), students before their marks
RESOURCES = ("codes", "students", "deletions", "marks")
_WONDE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SETTING = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


def token_setting_for(wonde_school_id: str) -> str:
    """The default setting name: `WONDE_TOKEN_<WONDE SCHOOL ID>` (upper case, `-` as `_`)."""
    return "WONDE_TOKEN_" + wonde_school_id.upper().replace("-", "_")


@dataclass(frozen=True)
class Connection:
    tenant_id: str
    school_id: str
    wonde_school_id: str
    region: str = "GBR"
    token_setting: str = ""

    def __post_init__(self) -> None:
        if not _WONDE_ID.fullmatch(self.wonde_school_id):
            raise ValidationFailed("a Wonde school id is 1-64 letters, digits, '-' or '_'",
                                   field="wondeSchoolId")
        if not self.token_setting:
            object.__setattr__(self, "token_setting", token_setting_for(self.wonde_school_id))
        if not _SETTING.fullmatch(self.token_setting):
            raise ValidationFailed("a setting name is letters, digits and '_'", field="tokenSetting")


@dataclass(frozen=True)
class Cursor:
    """One resource's last sync: `watermark` moves only once that read's writes committed."""

    resource: str
    watermark: datetime | None = None
    status: str = "NEVER"  # NEVER | SUCCEEDED | FAILED
    started_at: datetime | None = None
    finished_at: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    def succeeded(self, watermark: datetime, started: datetime, finished: datetime,
                  counts: dict[str, int]) -> Cursor:
        return replace(self, watermark=watermark, status="SUCCEEDED", started_at=started,
                       finished_at=finished, counts=dict(counts), error=None)

    def failed(self, started: datetime, finished: datetime, error: str) -> Cursor:
        """The watermark stays where it was: the next sync reads this resource again from there."""
        return replace(self, status="FAILED", started_at=started, finished_at=finished, error=error[:500])

    def view(self) -> dict[str, Any]:
        return {"resource": self.resource, "status": self.status,
                "watermark": self.watermark.isoformat() if self.watermark else None,
                "startedAt": self.started_at.isoformat() if self.started_at else None,
                "finishedAt": self.finished_at.isoformat() if self.finished_at else None,
                "counts": dict(self.counts), "error": self.error}
