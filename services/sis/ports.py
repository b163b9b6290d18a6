"""What a sync reads from a school's SIS through Wonde (implemented by adapters/wonde/).

A read is all or nothing: every page of a list arrives, or `SisUnavailable` is raised and nothing
of that read is returned, so a failed sync never looks like a school whose pupils all left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar

from domain.sis.code_mapping import WondeCode
from domain.sis.records import Deletion, Employee, SchoolClass, SessionMark
from domain.sis.wonde import Issue

T = TypeVar("T")


class SisError(RuntimeError):
    """The SIS could not be read; nothing of the read is returned."""


class SisUnavailable(SisError):
    """Throttled (429), failing (5xx) or unreachable after every retry: try the sync again later,
    not before `retry_after` seconds when the SIS said so."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None,
                 pages_read: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.pages_read = pages_read


class SisRefused(SisError):
    """The SIS refused the request (a bad or revoked token, a school not approved, a bad
    parameter): retrying will not help until someone changes the connection."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class SisConnection:
    """One school's connection: the Wonde school id, its token and its Wonde region (a region
    code such as `GBR` or the region object's `domain`). The token is never shown or logged."""

    school_id: str
    token: str = field(repr=False)
    region: str = "GBR"


@dataclass(frozen=True)
class Fetched(Generic[T]):
    """Every record of a list read, typed; `issues` are the records that could not be read."""

    items: Sequence[T]
    issues: Sequence[Issue] = ()
    pages: int = 0


class SisSource(Protocol):
    def students(self, school: SisConnection, *, updated_after: datetime | None = None,
                 ) -> Fetched[dict[str, Any]]:
        """Wonde student records with their includes, as `domain.sis.wonde.parse_roster` reads
        them (`{"data": fetched.items}`). Raises SisError."""
        ...

    def contacts(self, school: SisConnection, *, updated_after: datetime | None = None,
                 ) -> Fetched[dict[str, Any]]: ...

    def session_attendance(self, school: SisConnection, start: date, end: date, *,
                           updated_after: datetime | None = None) -> Fetched[SessionMark]:
        """Session marks dated `start`..`end` inclusive. Raises SisError."""
        ...

    def attendance_codes(self, school: SisConnection) -> Fetched[WondeCode]: ...

    def deletions(self, school: SisConnection, *, updated_after: datetime | None = None,
                  type: str | None = None) -> Fetched[Deletion]: ...

    def employees(self, school: SisConnection, *, updated_after: datetime | None = None,
                  ) -> Fetched[Employee]: ...

    def classes(self, school: SisConnection, *, updated_after: datetime | None = None,
                ) -> Fetched[SchoolClass]: ...
