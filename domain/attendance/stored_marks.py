"""Marks as stored and as normalization reads them, and the dirty flags between the two.

Plain value types shared by the services and the table adapters (docs/storage.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import NamedTuple


def instant(value: datetime) -> str:
    """A UTC timestamp that sorts as text (fixed width, microseconds): stored `receivedAt`."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Mark:
    """The stored mark of one (student, date, session). `code` is the jurisdiction code after
    the school's mapping, `sis_code` what the SIS sent; `received_at` is `instant(...)`."""

    student_id: str
    date: date
    session: str
    code: str
    sis_code: str | None = None
    comment: str | None = None
    minutes_late: int | None = None
    source: str | None = None  # the raw payload's blob path (container sis-raw)
    batch_id: str | None = None
    received_at: str | None = None
    etag: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.student_id, self.session

    def same_content(self, other: Mark) -> bool:
        """What the SIS said is the same: a re-sent mark changes nothing."""
        return (self.code, self.sis_code, self.comment, self.minutes_late) == (
            other.code, other.sis_code, other.comment, other.minutes_late)

    def stamped(self, *, source: str, batch_id: str, received_at: str) -> Mark:
        return replace(self, source=source, batch_id=batch_id, received_at=received_at)


@dataclass(frozen=True, slots=True)
class MarkChange:
    """A dirty flag: these sessions of the student's day changed in batch `batch_id`."""

    student_id: str
    date: date
    batch_id: str
    received_at: str
    sessions: tuple[str, ...]
    etag: str | None = None
    # where the repository keeps the flag: its row, and how many flags that row holds (opaque
    # to the services; a repository stores many flags a row)
    stored: tuple[str, int] | None = None


class LoadedMark(NamedTuple):
    """A mark as normalization reads it (a `domain.attendance.normalize.MarkLike`), plus when it arrived."""

    date: date
    session: str
    code: str
    received_at: str


# student id -> date -> that day's marks
MarksByStudent = dict[str, dict[date, list[LoadedMark]]]
