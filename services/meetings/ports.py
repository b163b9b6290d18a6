"""What the meetings service reads and writes (adapters/tables/meetings.py implements it; unit
tests fake it in tests/fakes_meetings.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from domain.meetings.model import InterventionMeeting, MeetingStatus


@dataclass(frozen=True)
class MeetingFilter:
    status: MeetingStatus | None = None
    starts_from: date | None = None  # scheduled on or after (UTC day)
    starts_to: date | None = None  # scheduled on or before
    student_id: str | None = None


class MeetingReader(Protocol):
    def school(self, tenant_id: str, school_id: str) -> list[InterventionMeeting]:
        """Every meeting of the school (one partition read): the nightly's facts."""
        ...


class MeetingStore(MeetingReader, Protocol):
    def meeting(self, tenant_id: str, school_id: str, meeting_id: str) -> InterventionMeeting:
        """Raises NotFound."""
        ...

    def page(self, tenant_id: str, school_id: str, where: MeetingFilter, *, limit: int,
             continuation: str | None) -> tuple[list[InterventionMeeting], str | None]:
        """One page of one filtered partition query."""
        ...

    def create(self, meeting: InterventionMeeting) -> InterventionMeeting:
        """Raises AlreadyExists; returns it with its ETag."""
        ...

    def save(self, meeting: InterventionMeeting,
             proposed: InterventionMeeting | None = None) -> InterventionMeeting:
        """ETag-conditional replace (ConcurrencyError when stale), and the meeting it proposes
        created if missing, in ONE transaction. Returns the meeting with its new ETag."""
        ...
