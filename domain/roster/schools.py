"""Reference data: schools, students, guardians and the links between them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field


class Jurisdiction(StrEnum):
    ENGLAND = "ENG"
    IRELAND = "IE"
    CALIFORNIA = "US-CA"

    @property
    def day_based(self) -> bool:
        """Ireland and California record a day; England records AM and PM sessions."""
        return self is not Jurisdiction.ENGLAND

    @property
    def sessions(self) -> tuple[str, ...]:
        """The register marks a school of this jurisdiction can send (docs/attendance.md, Sessions):
        England AM and PM; Ireland the day, as Tusla counts days; California the day, or its
        morning and afternoon apart (a part day unexcused is a truancy occasion, EC 48260)."""
        if self is Jurisdiction.ENGLAND:
            return "AM", "PM"
        return ("DAY",) if self is Jurisdiction.IRELAND else ("DAY", "AM", "PM")


class ContactPreference(StrEnum):
    EMAIL = "EMAIL"
    POST = "POST"
    EMAIL_AND_POST = "EMAIL_AND_POST"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class School(_Model):
    tenant_id: str
    school_id: str
    name: str
    jurisdiction: Jurisdiction
    time_zone: str = "Europe/London"
    language: str = "en"
    sis_school_id: str | None = None
    # a translated letter is stored with its school-language original beside it (linked by
    # `LetterArtifact.companion_of`) and sent together with it
    keep_source_letter: bool = False

    @property
    def zone_known(self) -> bool:
        """Whether `time_zone` is an IANA zone (the roster refuses others; `zone` is then UTC)."""
        return _zone(self.time_zone) is not None

    @property
    def zone(self) -> ZoneInfo:
        """The school's time zone. A zone on file that is no IANA zone is UTC, so that it stops
        neither a night nor a letter."""
        return _zone(self.time_zone) or _UTC

    def local_date(self, at: datetime) -> date:
        """The school-local date at the instant `at` (an aware datetime)."""
        return at.astimezone(self.zone).date()


_UTC = ZoneInfo("UTC")


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder of zones
        return None


class Student(_Model):
    tenant_id: str
    school_id: str
    student_id: str
    sis_id: str
    upi: str | None = None
    forename: str
    surname: str
    date_of_birth: date | None = None
    year_group: str | None = None
    registration_class: str | None = None
    enrolment_start: date
    enrolment_end: date | None = None

    def enrolled_on(self, day: date) -> bool:
        return self.enrolment_start <= day and (self.enrolment_end is None or day <= self.enrolment_end)


class PostalAddress(_Model):
    lines: tuple[str, ...] = ()
    town: str | None = None
    postcode: str | None = None
    country: str | None = None


class Guardian(_Model):
    tenant_id: str
    school_id: str
    guardian_id: str
    sis_id: str | None = None
    title: str | None = None
    forename: str
    surname: str
    email: str | None = None
    mobile: str | None = None
    telephone: str | None = None
    address: PostalAddress | None = None
    preferred_language: str = "en"
    contact_preference: ContactPreference = ContactPreference.POST


class StudentGuardian(_Model):
    """A guardian's relationship to one student (Wonde's contact `relationship` object)."""

    tenant_id: str
    school_id: str
    student_id: str
    guardian_id: str
    relationship: str | None = None
    parental_responsibility: bool = False
    priority: int = Field(default=99, ge=0)
    lives_with_pupil: bool = False
