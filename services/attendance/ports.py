"""What the ingestion and normalization services read and write: marks, their history, the
dirty flags the nightly increment consumes, and the daily summaries.

Implemented by adapters/tables/marks.py and adapters/tables/summaries.py; unit tests fake them
(tests/fakes_attendance.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Protocol

from domain.attendance.stored_marks import Mark, MarkChange, MarksByStudent
from domain.attendance.summaries import DailySummary
from domain.platform.events import IntegrationEvent


class MarkRepository(Protocol):
    def existing(self, tenant_id: str, school_id: str, day: date,
                 student_ids: Collection[str]) -> dict[tuple[str, str], Mark]:
        """Stored marks of these students on `day`, by (student, session), with ETags."""
        ...

    def save(self, tenant_id: str, school_id: str, creates: Sequence[Mark],
             updates: Sequence[Mark]) -> None:
        """Create new marks and replace read ones (ETag-conditional), batched per day.
        Raises AlreadyExists/ConcurrencyError when another writer got there first."""
        ...

    def load(self, tenant_id: str, school_id: str, days: Iterable[date]) -> MarksByStudent:
        """Every mark of the school on these days: one partition read per day."""
        ...


class MarkHistoryRepository(Protocol):
    def add(self, tenant_id: str, school_id: str, replaced: Sequence[tuple[Mark, Mark]]) -> None:
        """Keep each (old, new) pair's old mark; idempotent (keyed by the old mark)."""
        ...


class MarkChangeRepository(Protocol):
    def add(self, tenant_id: str, school_id: str, changes: Sequence[MarkChange]) -> None: ...

    def pending(self, tenant_id: str, school_id: str) -> list[MarkChange]:
        """Every dirty flag of the school (one partition read), with ETags."""
        ...

    def remove(self, tenant_id: str, school_id: str, changes: Sequence[MarkChange]) -> None:
        """Delete exactly these rows; a row rewritten since it was read stays."""
        ...


class SummaryRepository(Protocol):
    def latest(self, tenant_id: str, school_id: str) -> dict[str, DailySummary]:
        """Each student's newest row (one partition read)."""
        ...

    def row(self, tenant_id: str, school_id: str, student_id: str, day: date) -> DailySummary | None:
        ...

    def write(self, tenant_id: str, school_id: str, rows: Sequence[DailySummary]) -> None:
        """Upsert rows, batched per month partition."""
        ...

    def write_latest(self, tenant_id: str, school_id: str, rows: Sequence[DailySummary],
                     events: Sequence[IntegrationEvent]) -> None:
        """Upsert the students' newest rows; the events commit with the last batch (outbox)."""
        ...

    def for_student(self, tenant_id: str, school_id: str, student_id: str, first: date,
                    last: date) -> list[DailySummary]: ...

    def on_date(self, tenant_id: str, school_id: str, day: date) -> list[DailySummary]: ...


class LeaseRepository(Protocol):
    def acquire(self, tenant_id: str, school_id: str, owner: str, now: datetime,
                until: datetime) -> str | None:
        """A token when the school's normalization lease was free, expired or already `owner`'s
        (a redelivered message whose first run died holding it), else None."""
        ...

    def release(self, tenant_id: str, school_id: str, token: str) -> None: ...


class RawStore(Protocol):
    """BlobStore.put: immutable, the same bytes again are a no-op."""

    def put(self, container: str, path: str, data: bytes, *, content_type: str,
            metadata: dict[str, str] | None = None) -> object: ...
