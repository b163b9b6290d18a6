"""Request and response bodies of the reference-data routes (camelCase on the wire)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ConfigDict, Field

from domain.attendance.calendar import SchoolCalendar
from domain.roster.schools import Guardian, Jurisdiction, School, Student, StudentGuardian
from domain.sis.wonde import Issue
from functions.http.platform.routes import ApiModel, Page
from functions.http.shell.params import IsoDate
from services.roster.imports import ImportResult


class SchoolBody(ApiModel):
    model_config = ConfigDict(extra="forbid")  # merged with ApiModel's camelCase config

    name: str = Field(min_length=1, max_length=200)
    jurisdiction: Jurisdiction
    time_zone: str = Field(default="Europe/London", min_length=1, max_length=64)
    language: str = Field(default="en", min_length=2, max_length=35)
    sis_school_id: str | None = Field(default=None, max_length=128)
    keep_source_letter: bool = Field(
        default=False, description="Store a translated letter's school-language original beside "
        "it (linked as `companionOf`) and send both: attached to the e-mail, next in the print batch.")


class SchoolView(ApiModel):
    school_id: str
    name: str
    jurisdiction: Jurisdiction
    time_zone: str
    language: str
    sis_school_id: str | None
    keep_source_letter: bool

    @classmethod
    def of(cls, school: School) -> SchoolView:
        return cls.model_validate(school.model_dump(exclude={"tenant_id"}))


class SchoolPage(Page):
    items: list[SchoolView]


class DateRangeBody(ApiModel):
    name: str = Field(min_length=1, max_length=100)
    start: IsoDate
    end: IsoDate


class CalendarBody(ApiModel):
    model_config = ConfigDict(extra="forbid")  # merged with ApiModel's camelCase config

    start: IsoDate
    end: IsoDate
    terms: list[DateRangeBody] = Field(default_factory=list, max_length=12)
    holidays: list[DateRangeBody] = Field(default_factory=list, max_length=100)
    closures: list[IsoDate] = Field(default_factory=list, max_length=366)
    weekend_days: list[int] | None = Field(default=None, max_length=7)


class CalendarView(ApiModel):
    school_year: str
    start: IsoDate
    end: IsoDate
    terms: list[DateRangeBody]
    holidays: list[DateRangeBody]
    closures: list[date]
    weekend_days: list[int]
    school_days: int

    @classmethod
    def of(cls, calendar: SchoolCalendar) -> CalendarView:
        return cls.model_validate({**calendar.to_dict(), "schoolDays": len(calendar.school_days)})


class CalendarSummary(ApiModel):
    school_year: str
    start: date
    end: date
    school_days: int


class CalendarPage(Page):
    items: list[CalendarSummary]


class CodeMappingBody(ApiModel):
    mappings: dict[str, str] = Field(max_length=1000)


class CodeMappingView(ApiModel):
    jurisdiction: Jurisdiction | None = None
    mappings: dict[str, str]


class IssueView(ApiModel):
    index: int
    id: str | None
    field: str
    reason: str

    @classmethod
    def of(cls, issue: Issue) -> IssueView:
        return cls(index=issue.index, id=issue.id, field=issue.field, reason=issue.reason)


class ImportView(ApiModel):
    accepted: int
    created: int
    updated: int
    unchanged: int
    rejected: list[IssueView]
    warnings: list[IssueView]

    @classmethod
    def of(cls, result: ImportResult) -> ImportView:
        return cls(accepted=result.accepted, created=result.created, updated=result.updated,
                   unchanged=result.unchanged, rejected=[IssueView.of(i) for i in result.rejected],
                   warnings=[IssueView.of(i) for i in result.warnings])


class StudentView(ApiModel):
    student_id: str
    sis_id: str
    upi: str | None
    forename: str
    surname: str
    date_of_birth: date | None
    year_group: str | None
    registration_class: str | None
    enrolment_start: date
    enrolment_end: date | None

    @classmethod
    def of(cls, student: Student) -> StudentView:
        return cls.model_validate(student.model_dump(exclude={"tenant_id", "school_id"}))


class StudentPage(Page):
    items: list[StudentView]


class GuardianView(ApiModel):
    guardian_id: str
    title: str | None
    forename: str
    surname: str
    email: str | None
    mobile: str | None
    telephone: str | None
    address: dict[str, Any] | None
    preferred_language: str
    contact_preference: str
    relationship: str | None
    parental_responsibility: bool
    priority: int
    lives_with_pupil: bool

    @classmethod
    def of(cls, link: StudentGuardian, guardian: Guardian) -> GuardianView:
        data = guardian.model_dump(mode="json", exclude={"tenant_id", "school_id", "sis_id"})
        data.update(link.model_dump(include={"relationship", "parental_responsibility", "priority",
                                             "lives_with_pupil"}))
        return cls.model_validate(data)


class StudentDetailView(StudentView):
    guardians: list[GuardianView]
