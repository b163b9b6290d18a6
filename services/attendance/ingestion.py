"""Ingesting Wonde session-attendance marks for one school.

The raw payload goes to Blob storage first (`sis-raw`), so every stored mark can point at the
request it came from. Records are validated one by one; the accepted ones are stored idempotently
on (student, date, session): an identical mark changes nothing, a different one replaces the
stored mark, which moves to `markhistory`. A mark whose code is new or changed leaves a dirty
flag in `markchanges` for the nightly increment.

Write order, per day: dirty flags, history, then the marks. The flags go first so a crash
after them only costs a recompute, never a lost change. Normalization consumes a flag only once
the marks it announces are visible (their `receivedAt` is not older than the flag's), so a
normalization running between the two writes keeps the flag for its next run.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import partial
from typing import Any

from domain.attendance.stored_marks import Mark, MarkChange, instant
from domain.platform.access import Principal
from domain.platform.errors import AlreadyExists, ConcurrencyError, ValidationFailed
from domain.platform.hashing import sha256_hex
from domain.platform.paths import SIS_RAW, sis_raw_path
from domain.roster.schools import School
from services.attendance.mark_validation import MarkValidator, check_count, parse_payload
from services.attendance.ports import (
    MarkChangeRepository,
    MarkHistoryRepository,
    MarkRepository,
    RawStore,
)
from services.platform.audit import AuditLog
from services.platform.ports import Clock
from services.roster.ports import RosterReader

log = logging.getLogger(__name__)

# Another writer changed a day's marks between our read and our write: re-read and re-plan.
WRITE_ATTEMPTS = 3
CREATED, REPLACED, UNCHANGED = "created", "replaced", "unchanged"


@dataclass(frozen=True, slots=True)
class Rejection:
    index: int
    field: str
    reason: str


@dataclass
class IngestResult:
    batch_id: str
    raw_payload: str
    accepted: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    created: int = 0
    replaced: int = 0
    unchanged: int = 0

    def counts(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "rejected": len(self.rejected), "created": self.created,
                "replaced": self.replaced, "unchanged": self.unchanged}


class Ingestion:
    def __init__(self, roster: RosterReader, marks: MarkRepository, history: MarkHistoryRepository,
                 changes: MarkChangeRepository, raw: RawStore, audit: AuditLog, clock: Clock) -> None:
        self._roster = roster
        self._marks = marks
        self._history = history
        self._changes = changes
        self._raw = raw
        self._audit = audit
        self._clock = clock

    def ingest_payload(self, actor: Principal | None, tenant_id: str, school_id: str,
                       raw: bytes) -> IngestResult:
        """A request body: `{"data": [...]}` or a bare list of at most MAX_MARKS records."""
        return self.ingest(actor, tenant_id, school_id, parse_payload(raw), raw)

    def ingest(self, actor: Principal | None, tenant_id: str, school_id: str,
               records: Sequence[Any], raw: bytes) -> IngestResult:
        check_count(records)
        school = self._roster.school(tenant_id, school_id)  # NotFound before anything is stored
        now = self._clock.now()
        result = self._store_raw(tenant_id, school_id, raw, now)
        by_day: dict[date, list[Mark]] = defaultdict(list)
        for mark in self._accepted(tenant_id, school_id, school, records, result, now):
            by_day[mark.date].append(mark)
        for day in sorted(by_day):
            outcomes = self._store_day(tenant_id, school_id, day, by_day[day])
            result.created += outcomes.count(CREATED)
            result.replaced += outcomes.count(REPLACED)
            result.unchanged += outcomes.count(UNCHANGED)

        self._audit.record(actor=actor, tenant_id=tenant_id, school_id=school_id,
                           action="attendance.marks.ingested", entity_type="markbatch",
                           entity_id=result.batch_id,
                           after={**result.counts(), "rawPayload": result.raw_payload})
        log.info("ingested batch %s for %s/%s: %s", result.batch_id, tenant_id, school_id, result.counts())
        return result

    def _store_raw(self, tenant_id: str, school_id: str, raw: bytes, now: datetime) -> IngestResult:
        """The payload to `sis-raw`, before any mark: every stored mark points at it."""
        # The content's hash: the same payload again is the same blob and the same batch.
        batch_id = sha256_hex(raw)[:32]
        path = sis_raw_path(tenant_id, school_id, now.date(), batch_id)
        self._raw.put(SIS_RAW, path, raw, content_type="application/json")
        return IngestResult(batch_id, path)

    def _accepted(self, tenant_id: str, school_id: str, school: School, records: Sequence[Any],
                  result: IngestResult, now: datetime) -> list[Mark]:
        """The valid records as marks stamped with the batch; the others rejected on `result`."""
        validator = MarkValidator(school, self._roster.students(tenant_id, school_id),
                                  self._roster.code_mapping(tenant_id, school_id),
                                  partial(self._roster.calendar_for, tenant_id, school_id))
        received_at = instant(now)
        accepted: dict[tuple[str, date, str], tuple[int, Mark]] = {}
        for index, record in enumerate(records):
            try:
                mark = validator.check(record)
            except ValidationFailed as exc:
                result.rejected.append(Rejection(index, exc.field or "record", exc.detail))
                continue
            key = (mark.student_id, mark.date, mark.session)
            if key in accepted:  # within one payload the later record wins, as across payloads
                result.rejected.append(Rejection(accepted[key][0], "session", f"superseded by record "
                                                 f"{index} for the same student, date and session"))
            accepted[key] = (index, mark.stamped(source=result.raw_payload, batch_id=result.batch_id,
                                                 received_at=received_at))
        result.rejected.sort(key=lambda r: r.index)
        result.accepted = len(accepted)
        return [mark for _, mark in accepted.values()]

    def _store_day(self, tenant_id: str, school_id: str, day: date, marks: list[Mark]) -> list[str]:
        """Store one day's marks; the outcome of each. Retries when another writer raced us."""
        earlier: dict[tuple[str, str], str] = {}
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                return self._try_store_day(tenant_id, school_id, day, marks, earlier)
            except (ConcurrencyError, AlreadyExists):
                if attempt == WRITE_ATTEMPTS:
                    raise
                log.info("marks of %s changed while ingesting; re-planning (attempt %d)", day, attempt)
        raise AssertionError("unreachable")

    def _try_store_day(self, tenant_id: str, school_id: str, day: date, marks: list[Mark],
                       earlier: dict[tuple[str, str], str]) -> list[str]:
        existing = self._marks.existing(tenant_id, school_id, day, {m.student_id for m in marks})
        creates: list[Mark] = []
        updates: list[Mark] = []
        replaced: list[tuple[Mark, Mark]] = []
        dirty: dict[str, list[str]] = defaultdict(list)
        for mark in marks:
            old = existing.get(mark.key)
            if old is None:
                outcome = CREATED
                creates.append(mark)
                dirty[mark.student_id].append(mark.session)
            elif (old.batch_id, old.received_at) == (mark.batch_id, mark.received_at):
                outcome = earlier.get(mark.key, UNCHANGED)  # written by our own earlier attempt
            elif old.same_content(mark):
                outcome = UNCHANGED
            else:
                outcome = REPLACED
                updates.append(replace(mark, etag=old.etag))
                replaced.append((old, mark))
                if old.code != mark.code:  # a new comment alone changes no summary
                    dirty[mark.student_id].append(mark.session)
            earlier[mark.key] = outcome
        batch_id, received_at = marks[0].batch_id or "", marks[0].received_at or ""
        self._changes.add(tenant_id, school_id, [
            MarkChange(student_id, day, batch_id, received_at, tuple(sorted(sessions)))
            for student_id, sessions in dirty.items()])
        self._history.add(tenant_id, school_id, replaced)
        self._marks.save(tenant_id, school_id, creates, updates)
        return [earlier[m.key] for m in marks]
