"""What a sync stores about each school (implemented by adapters/tables/sis.py), and where the
token comes from (the settings, so a Key Vault reference in Azure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

from domain.sis.code_mapping import CodeReview
from domain.sis.sync_state import Connection, Cursor


class TokenSource(Protocol):
    def token(self, setting: str) -> str | None:
        """The value of the named setting; None when it is not set."""
        ...


class SisStateStore(Protocol):
    def connection(self, tenant_id: str, school_id: str) -> Connection | None: ...

    def connections(self) -> list[Connection]:
        """Every connected school of every tenant (the timer's fan-out): one small table."""
        ...

    def save_connection(self, connection: Connection) -> None: ...

    def cursors(self, tenant_id: str, school_id: str) -> dict[str, Cursor]: ...

    def save_cursor(self, tenant_id: str, school_id: str, cursor: Cursor) -> None: ...

    def acquire(self, tenant_id: str, school_id: str, owner: str, now: datetime, until: datetime) -> bool:
        """Take the school's sync lease unless another owner holds one that has not expired."""
        ...

    def release(self, tenant_id: str, school_id: str, owner: str) -> None: ...

    def aliases(self, tenant_id: str, school_id: str) -> dict[str, str]:
        """Wonde student id -> stored student id, for re-enrolled pupils."""
        ...

    def save_aliases(self, tenant_id: str, school_id: str, aliases: dict[str, str]) -> None: ...

    def reviews(self, tenant_id: str, school_id: str) -> list[CodeReview]: ...

    def save_reviews(self, tenant_id: str, school_id: str, reviews: Sequence[CodeReview]) -> None: ...

    def pending(self, tenant_id: str, school_id: str) -> list[dict[str, Any]]:
        """Marks held back because their code is under review, as mark records."""
        ...

    def hold(self, tenant_id: str, school_id: str, records: Sequence[dict[str, Any]]) -> None: ...

    def release_pending(self, tenant_id: str, school_id: str, records: Sequence[dict[str, Any]]) -> None: ...

    def ended(self, tenant_id: str, school_id: str) -> dict[str, date | None]:
        """Student id -> the enrolment end it had before a deletion ended it."""
        ...

    def save_ended(self, tenant_id: str, school_id: str, student_id: str, before: date | None) -> None: ...

    def forget_ended(self, tenant_id: str, school_id: str, student_id: str) -> None: ...
