"""Platform routes: who am I, the audit log, job runs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypedDict

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

import bootstrap
from domain.platform.access import Permission
from domain.platform.audit import AuditRecord
from domain.platform.jobs import JobRun
from functions.http.shell.params import IsoDateTime
from functions.http.shell.security import Access, require
from services.platform.audit import AuditLog
from services.platform.jobs import JobRuns

router = APIRouter(tags=["platform"])


class Out(TypedDict):
    response_model_by_alias: bool


# every route answers in camelCase (the models' aliases), whatever it returns
OUT: Out = {"response_model_by_alias": True}


def audit_log() -> AuditLog:
    return bootstrap.composition().platform.audit


def job_runs() -> JobRuns:
    return bootstrap.composition().platform.jobs


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Me(ApiModel):
    subject: str
    tenant_id: str
    roles: list[str]
    school_ids: list[str]
    permissions: list[str]


class Page(ApiModel):
    items: list[Any]
    continuation_token: str | None = None


class AuditView(ApiModel):
    id: str
    school_id: str | None
    actor: str
    actor_roles: list[str]
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    correlation_id: str | None
    at: datetime

    @classmethod
    def of(cls, record: AuditRecord) -> AuditView:
        return cls.model_validate(record.model_dump(exclude={"tenant_id"}))


class AuditPage(Page):
    items: list[AuditView]


class JobRunView(ApiModel):
    kind: str
    scope: str
    status: str
    attempts: int
    started_at: datetime
    finished_at: datetime | None
    counters: dict[str, int]
    error: str | None
    correlation_id: str | None

    @classmethod
    def of(cls, run: JobRun) -> JobRunView:
        return cls.model_validate(run.model_dump())


class JobPage(Page):
    items: list[JobRunView]


Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
# every paged route takes its token through this one parameter; a token that is not one answers
# 422 naming it (adapters.storage.tokens.decode_token)
Token = Annotated[str | None, Query(alias="continuationToken", max_length=4096,
                                    description="The previous page's `continuationToken`, unchanged")]


@router.get("/api/me", response_model=Me, response_model_by_alias=True, summary="The caller")
def me(access: Annotated[Access, Depends(require(Permission.PROFILE_READ, school=False))]) -> Me:
    p = access.principal
    return Me(subject=p.subject, tenant_id=p.tenant_id, roles=sorted(r.value for r in p.roles),
              school_ids=sorted(p.school_ids),
              permissions=sorted(x.value for x in p.permissions()))


@router.get("/api/audit", response_model=AuditPage, response_model_by_alias=True,
            summary="Audit log, newest first")
def audit(access: Annotated[Access, Depends(require(Permission.AUDIT_READ))],
          log: Annotated[AuditLog, Depends(audit_log)],
          since: IsoDateTime | None = None, until: IsoDateTime | None = None,
          entityId: Annotated[str | None, Query(max_length=128)] = None,  # noqa: N803
          limit: Limit = 50, continuation: Token = None) -> AuditPage:
    items, token = log.list(
        access.tenant_id, school_ids=access.school_filter(), since=since, until=until,
        entity_id=entityId, limit=limit, continuation=continuation)
    return AuditPage(items=[AuditView.of(r) for r in items], continuation_token=token)


@router.get("/api/jobs", response_model=JobPage, response_model_by_alias=True,
            summary="Job runs (nightly normalization, rule evaluation, relays)")
def jobs(access: Annotated[Access, Depends(require(Permission.JOBS_READ))],
         recorder: Annotated[JobRuns, Depends(job_runs)],
         kind: Annotated[str | None, Query(max_length=64)] = None,
         limit: Limit = 50, continuation: Token = None) -> JobPage:
    # job scopes start with the school id: the query keeps a caller to the schools it covers
    runs, token = recorder.list(
        access.tenant_id, kind=kind, school_ids=access.school_filter(), limit=limit,
        continuation=continuation)
    return JobPage(items=[JobRunView.of(r) for r in runs], continuation_token=token)
