"""Meeting routes: list and read (MEETINGS_READ), schedule and change (MEETINGS_WRITE).

School-scoped through `schoolId` (a district admin who omits it gets 422). A meeting's `ETag`
comes with it; `PUT` needs it in `If-Match` (428 without, 412 when someone changed it first).
`PUT` edits the details, cancels, records HELD with an outcome, or NO_SHOW; the outcome is
carried through to the student's intervention (services/meetings/service.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

import bootstrap
from domain.meetings.model import InterventionMeeting, MeetingStatus
from domain.platform.access import Permission
from functions.http.meetings.models import MeetingBody, MeetingPage, MeetingUpdate, MeetingView
from functions.http.platform.routes import OUT, Token
from functions.http.shell.params import IsoDate
from functions.http.shell.preconditions import if_match_required
from functions.http.shell.security import Access, require
from services.meetings.ports import MeetingFilter
from services.meetings.service import Meetings

router = APIRouter(tags=["meetings"])
Reader = Annotated[Access, Depends(require(Permission.MEETINGS_READ))]
Writer = Annotated[Access, Depends(require(Permission.MEETINGS_WRITE))]
MeetingId = Annotated[str, Path(min_length=1, max_length=64)]


def meetings_service() -> Meetings:
    return bootstrap.composition().meetings.service


MeetingsService = Annotated[Meetings, Depends(meetings_service)]


def _view(response: Response, meeting: InterventionMeeting) -> MeetingView:
    if meeting.etag:
        response.headers["ETag"] = meeting.etag
    return MeetingView.of(meeting)


@router.get("/api/meetings", response_model=MeetingPage, summary="The school's meetings",
            description="Filtered by status (PROPOSED ones wait for staff to book them), student and the "
                        "days they start on (`from`/`to`, UTC, inclusive). Paged.", **OUT)
def meetings(access: Reader, service: MeetingsService, status: MeetingStatus | None = None,
             starts_from: Annotated[IsoDate | None, Query(alias="from")] = None,
             starts_to: Annotated[IsoDate | None, Query(alias="to")] = None,
             student_id: Annotated[str | None, Query(alias="studentId", min_length=1, max_length=128)] = None,
             limit: Annotated[int, Query(ge=1, le=500)] = 100,
             continuation_token: Token = None,
             ) -> MeetingPage:
    where = MeetingFilter(status, starts_from, starts_to, student_id)
    found, token = service.list(access.tenant_id, access.one_school(), where, limit=limit,
                                continuation=continuation_token)
    return MeetingPage(items=[MeetingView.of(m) for m in found], continuation_token=token)


@router.get("/api/meetings/{meetingId}", response_model=MeetingView, summary="A meeting", **OUT)
def meeting(access: Reader, service: MeetingsService, meetingId: MeetingId,  # noqa: N803
            response: Response) -> MeetingView:
    found = service.get(access.tenant_id, access.one_school(), meetingId)
    return _view(response, found)


@router.post("/api/meetings", response_model=MeetingView, status_code=201, summary="Schedule a meeting",
             description="Booking a meeting for an intervention on its MEETING stage approves the stage's "
                         "action. 422 names the field at fault.", **OUT)
def schedule(access: Writer, service: MeetingsService, body: MeetingBody, response: Response) -> MeetingView:
    school = access.one_school()
    saved = service.schedule(
        access.principal, access.tenant_id, school, student_id=body.student_id, starts_at=body.starts_at,
        ends_at=body.ends_at, instance_id=body.instance_id, location=body.location, notes=body.notes,
        attendees=body.attendees.attendees() if body.attendees else None)
    response.headers["Location"] = f"/api/meetings/{saved.id}?schoolId={school}"
    return _view(response, saved)


@router.put("/api/meetings/{meetingId}", response_model=MeetingView, summary="Change a meeting or record it",
            description="Edit details, cancel, record HELD with an outcome, or NO_SHOW. `If-Match` must "
                        "carry the meeting's ETag: 428 without it, 412 when stale; 409 when the meeting's "
                        "status does not allow it (an outcome on a cancelled meeting, HELD before the "
                        "start).", **OUT)
def change(access: Writer, service: MeetingsService, meetingId: MeetingId,  # noqa: N803
           body: MeetingUpdate, response: Response,
           if_match: Annotated[str, Depends(if_match_required("the meeting's ETag"))]) -> MeetingView:
    saved = service.change(access.principal, access.tenant_id, access.one_school(), meetingId, if_match,
                           body.change())
    return _view(response, saved)
