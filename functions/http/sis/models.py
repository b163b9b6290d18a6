"""Request and response shapes of the Wonde sync routes (camelCase JSON)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from domain.sis.sync_state import Connection, Cursor
from functions.http.platform.routes import ApiModel, JobRunView
from services.sis.codes import ReviewedCode
from services.sis.sync import SyncReport


class ConnectionBody(ApiModel):
    wonde_school_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                 description="The school's Wonde id, e.g. A1930499544")
    region: str = Field(default="GBR", min_length=2, max_length=64,
                        description="The region object's `domain`, or a region code such as GBR")
    token_setting: str | None = Field(default=None, max_length=128, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                                      description="The app setting (a Key Vault reference in Azure) "
                                                  "holding the token; default WONDE_TOKEN_<WONDE ID>")


class ConnectionView(ApiModel):
    school_id: str
    wonde_school_id: str
    region: str
    token_setting: str

    @classmethod
    def of(cls, c: Connection) -> ConnectionView:
        return cls(school_id=c.school_id, wonde_school_id=c.wonde_school_id, region=c.region,
                   token_setting=c.token_setting)


class CursorView(ApiModel):
    resource: str
    status: str = Field(description="NEVER, SUCCEEDED or FAILED")
    watermark: datetime | None = Field(description="The next sync reads what changed after this")
    started_at: datetime | None
    finished_at: datetime | None
    counts: dict[str, int]
    error: str | None

    @classmethod
    def of(cls, c: Cursor) -> CursorView:
        return cls(resource=c.resource, status=c.status, watermark=c.watermark, started_at=c.started_at,
                   finished_at=c.finished_at, counts=c.counts, error=c.error)


class StatusView(ApiModel):
    connection: ConnectionView
    resources: list[CursorView]


class SyncView(ApiModel):
    status: str
    failed: str | None = Field(description="The resource the sync stopped at, if it failed")
    error: str | None
    changed: bool
    counts: dict[str, dict[str, int]]
    run: JobRunView | None

    @classmethod
    def of(cls, r: SyncReport) -> SyncView:
        return cls(status="FAILED" if r.failed else "SUCCEEDED", failed=r.failed, error=r.error,
                   changed=r.changed, counts=r.counts, run=JobRunView.of(r.run) if r.run else None)


class CodeView(ApiModel):
    code_id: str = Field(description="Wonde's attendance-code id")
    code: str = Field(description="The MIS letter")
    description: str
    status: str = Field(description="UNREVIEWED or MAPPED")
    mapped_to: str | None
    suggested: str | None
    suggested_meaning: str | None
    reason: str
    held_marks: int = Field(description="Marks kept pending until this code is mapped")

    @classmethod
    def of(cls, found: ReviewedCode) -> CodeView:
        r = found.review
        return cls(code_id=r.wonde_id, code=r.code, description=r.description, status=r.status.value,
                   mapped_to=r.mapped_to, suggested=r.suggested, suggested_meaning=r.suggested_meaning,
                   reason=r.reason, held_marks=found.held)


class CodeList(ApiModel):
    items: list[CodeView]


class CodeDecision(ApiModel):
    code: str = Field(min_length=1, max_length=8, description="A code of the school's jurisdiction table")


class CodeDecisionView(ApiModel):
    code: CodeView
    marks: dict[str, int] = Field(description="The held marks released and how they were stored")
