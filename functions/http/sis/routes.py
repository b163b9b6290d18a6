"""Wonde connector routes: connect a school, sync it now, its status, its codes under review.

All school-scoped through `schoolId`. Connecting and answering codes need SCHOOL_MANAGE, a sync
now JOBS_RUN (admins); the status is JOBS_READ. No answer ever carries a token: a connection
names the setting that holds it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

import bootstrap
from domain.platform.access import Permission
from domain.sis.sync_state import RESOURCES, Connection, Cursor
from functions.http.platform.routes import OUT
from functions.http.shell.security import Access, require
from functions.http.sis.models import (
    CodeDecision,
    CodeDecisionView,
    CodeList,
    CodeView,
    ConnectionBody,
    ConnectionView,
    CursorView,
    StatusView,
    SyncView,
)
from services.sis.codes import CodeReviews
from services.sis.connections import Connections
from services.sis.sync import SisSync

router = APIRouter(tags=["sis"])
Manager = Annotated[Access, Depends(require(Permission.SCHOOL_MANAGE))]
Runner = Annotated[Access, Depends(require(Permission.JOBS_RUN))]
Reader = Annotated[Access, Depends(require(Permission.JOBS_READ))]
CodeId = Annotated[str, Path(min_length=1, max_length=200)]


def connections() -> Connections:
    return bootstrap.composition().sis.connections


def sync_service() -> SisSync:
    return bootstrap.composition().sis.sync


def code_reviews() -> CodeReviews:
    return bootstrap.composition().sis.codes


Links = Annotated[Connections, Depends(connections)]


@router.put("/api/sis/connection", response_model=ConnectionView, summary="Connect a school to Wonde",
            description="The school's Wonde id and region, and the name of the setting holding its "
                        "token (never the token). Audited.", **OUT)
def connect(access: Manager, links: Links, body: ConnectionBody) -> ConnectionView:
    connection = Connection(access.tenant_id, access.one_school(), body.wonde_school_id, body.region,
                            body.token_setting or "")
    return ConnectionView.of(links.connect(access.principal, connection))


@router.post("/api/sis/sync", response_model=SyncView, summary="Sync a school from Wonde now",
             description="Codes, students, deletions and marks, each from its watermark; then "
                         "normalization. A failed read answers 200 with `status: FAILED` and the "
                         "resource it stopped at (the next sync resumes there). 404 when the school "
                         "is not connected, 409 while another sync runs. Audited.", **OUT)
def sync_now(access: Runner, sync: Annotated[SisSync, Depends(sync_service)]) -> SyncView:
    return SyncView.of(sync.run(access.principal, access.tenant_id, access.one_school()))


@router.get("/api/sis/status", response_model=StatusView, summary="A school's last Wonde sync",
            description="Per resource: its status, watermark, counts and error. 404 when not connected.",
            **OUT)
def status(access: Reader, links: Links) -> StatusView:
    school = access.one_school()
    connection = links.get(access.tenant_id, school)
    cursors = links.cursors(access.tenant_id, school)
    return StatusView(connection=ConnectionView.of(connection),
                      resources=[CursorView.of(cursors.get(r) or Cursor(r)) for r in RESOURCES])


@router.get("/api/sis/codes", response_model=CodeList, summary="The school's Wonde codes",
            description="Unreviewed codes first, with a suggested meaning and the marks held for each.",
            **OUT)
def codes(access: Manager, reviews: Annotated[CodeReviews, Depends(code_reviews)]) -> CodeList:
    return CodeList(items=[CodeView.of(c) for c in reviews.list(access.tenant_id, access.one_school())])


@router.put("/api/sis/codes/{codeId}", response_model=CodeDecisionView, summary="Map a Wonde code",
            description="The code of the school's table this Wonde code means. Marks held for it are "
                        "stored and normalized. Audited.", **OUT)
def decide(access: Manager, reviews: Annotated[CodeReviews, Depends(code_reviews)], codeId: CodeId,  # noqa: N803
           body: CodeDecision) -> CodeDecisionView:
    found, marks = reviews.decide(access.principal, access.tenant_id, access.one_school(), codeId,
                                       body.code)
    return CodeDecisionView(code=CodeView.of(found), marks=marks)
