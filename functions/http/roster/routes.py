"""Reference-data routes: schools, calendars, code mappings, the roster import, students.

A school is the resource of `/api/schools/{schoolId}`, so those routes take the id in the path and
check it with `ensure_school` (404 outside the caller's schools); adding a school is for district
admins only (the service decides, because it depends on whether the school exists). Every other
route is school-scoped through the `schoolId` query parameter.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Response

import bootstrap
from domain.attendance.calendar_input import calendar_from_body, check_school_year
from domain.platform.access import Permission
from domain.roster.schools import School
from functions.http.platform.routes import OUT, Token
from functions.http.roster.models import (
    CalendarBody,
    CalendarPage,
    CalendarSummary,
    CalendarView,
    CodeMappingBody,
    CodeMappingView,
    GuardianView,
    ImportView,
    SchoolBody,
    SchoolPage,
    SchoolView,
    StudentDetailView,
    StudentPage,
    StudentView,
)
from functions.http.shell.security import Access, require
from services.roster.service import RosterService

router = APIRouter(tags=["reference data"])

SchoolIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
SchoolYearPath = Annotated[str, Path(min_length=4, max_length=9)]
StudentIdPath = Annotated[str, Path(min_length=1, max_length=128)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size")]


def roster_service() -> RosterService:
    return bootstrap.composition().roster.service


Roster = Annotated[RosterService, Depends(roster_service)]


# --- schools ---------------------------------------------------------------------------------------

@router.get("/api/schools", response_model=SchoolPage, summary="The caller's schools", **OUT)
def list_schools(access: Annotated[Access, Depends(require(Permission.SCHOOL_READ, school=False))],
                 roster: Roster) -> SchoolPage:
    allowed = None if access.principal.tenant_wide else access.principal.school_ids
    schools = roster.list_schools(access.tenant_id, allowed)
    return SchoolPage(items=[SchoolView.of(s) for s in schools])


@router.get("/api/schools/{schoolId}", response_model=SchoolView, summary="One school", **OUT)
def get_school(access: Annotated[Access, Depends(require(Permission.SCHOOL_READ, school=False))],
               roster: Roster,
               schoolId: SchoolIdPath) -> SchoolView:  # noqa: N803 - API name
    access.ensure_school(schoolId)
    return SchoolView.of(roster.get_school(access.tenant_id, schoolId))


@router.put("/api/schools/{schoolId}", response_model=SchoolView, summary="Add or update a school",
            description="District admins add schools; a school admin may update their own. "
                        "201 when created, 200 when updated. The jurisdiction cannot change.",
            responses={201: {"model": SchoolView}}, **OUT)
def put_school(access: Annotated[Access, Depends(require(Permission.SCHOOL_MANAGE, school=False))],
               roster: Roster,
               schoolId: SchoolIdPath, body: SchoolBody, response: Response) -> SchoolView:  # noqa: N803
    access.ensure_school(schoolId)
    school = School(tenant_id=access.tenant_id, school_id=schoolId, **body.model_dump())
    saved, created = roster.put_school(access.principal, school)
    response.status_code = 201 if created else 200
    return SchoolView.of(saved)


# --- calendars -------------------------------------------------------------------------------------

@router.put("/api/calendars/{schoolYear}", response_model=CalendarView,
            summary="Set a school year's calendar (terms, holidays, closures)", **OUT)
def put_calendar(access: Annotated[Access, Depends(require(Permission.SCHOOL_MANAGE))],
                 roster: Roster,
                 schoolYear: SchoolYearPath, body: CalendarBody) -> CalendarView:  # noqa: N803
    calendar = calendar_from_body(schoolYear, body.model_dump(mode="json", by_alias=True))
    saved = roster.put_calendar(access.principal, access.tenant_id, access.one_school(), calendar)
    return CalendarView.of(saved)


@router.get("/api/calendars", response_model=CalendarPage, summary="The school's years", **OUT)
def list_calendars(access: Annotated[Access, Depends(require(Permission.SCHOOL_READ))],
                   roster: Roster) -> CalendarPage:
    calendars = roster.list_calendars(access.tenant_id, access.one_school())
    return CalendarPage(items=[CalendarSummary(school_year=c.school_year, start=c.start, end=c.end,
                                               school_days=len(c.school_days)) for c in calendars])


@router.get("/api/calendars/{schoolYear}", response_model=CalendarView, summary="One year's calendar",
            **OUT)
def get_calendar(access: Annotated[Access, Depends(require(Permission.SCHOOL_READ))],
                 roster: Roster,
                 schoolYear: SchoolYearPath) -> CalendarView:  # noqa: N803
    calendar = roster.get_calendar(access.tenant_id, access.one_school(), check_school_year(schoolYear))
    return CalendarView.of(calendar)


# --- code mappings ---------------------------------------------------------------------------------

@router.put("/api/code-mappings", response_model=CodeMappingView,
            summary="Map SIS-local codes onto the jurisdiction's codes (replaces the mapping)", **OUT)
def put_code_mappings(access: Annotated[Access, Depends(require(Permission.SCHOOL_MANAGE))],
                      roster: Roster,
                      body: CodeMappingBody) -> CodeMappingView:
    jurisdiction, mappings = roster.put_code_mapping(
        access.principal, access.tenant_id, access.one_school(), body.mappings)
    return CodeMappingView(jurisdiction=jurisdiction, mappings=mappings)


@router.get("/api/code-mappings", response_model=CodeMappingView, summary="The school's code mapping",
            **OUT)
def get_code_mappings(access: Annotated[Access, Depends(require(Permission.SCHOOL_READ))],
                      roster: Roster) -> CodeMappingView:
    mappings = roster.get_code_mapping(access.tenant_id, access.one_school())
    return CodeMappingView(mappings=mappings)


# --- roster ----------------------------------------------------------------------------------------

@router.post("/api/roster/import", response_model=ImportView,
             summary="Import students with contacts (Wonde shape, up to 5,000 students)",
             description="Each record is validated on its own: rejected records are listed with "
                         "their index, id and field, the rest are stored. Re-import updates in "
                         "place; students absent from an import are kept.", **OUT)
def import_roster(access: Annotated[Access, Depends(require(Permission.ROSTER_WRITE))],
                  roster: Roster,
                  payload: Annotated[dict[str, Any], Body(description="{data: [student...], meta}")],
                  ) -> ImportView:
    result = roster.import_students(access.principal, access.tenant_id, access.one_school(), payload)
    return ImportView.of(result)


@router.get("/api/students", response_model=StudentPage, summary="The school's students, paged", **OUT)
def list_students(access: Annotated[Access, Depends(require(Permission.ATTENDANCE_READ))],
                  roster: Roster,
                  yearGroup: Annotated[str | None, Query(max_length=32)] = None,  # noqa: N803
                  limit: Limit = 100, continuation: Token = None) -> StudentPage:
    students, token = roster.students(
        access.tenant_id, access.one_school(), year_group=yearGroup, limit=limit, continuation=continuation)
    return StudentPage(items=[StudentView.of(s) for s in students], continuation_token=token)


@router.get("/api/students/{studentId}", response_model=StudentDetailView,
            summary="A student with guardians and relationships", **OUT)
def get_student(access: Annotated[Access, Depends(require(Permission.ATTENDANCE_READ))],
                roster: Roster,
                studentId: StudentIdPath) -> StudentDetailView:  # noqa: N803
    detail = roster.student(access.tenant_id, access.one_school(), studentId)
    return StudentDetailView(**StudentView.of(detail.student).model_dump(),
                             guardians=[GuardianView.of(link, g) for link, g in detail.guardians])
