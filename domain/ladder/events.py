"""The intervention history: append-only events, each chained to the one before by hash.

`hash` is SHA-256 over a canonical JSON of the whole event except `hash` itself, and that JSON
includes `previous_hash`, so changing, removing or reordering any event breaks every hash
after it (`verify_chain`). Event ids are uuid5 of (instance, sequence, kind, stage, day): the
same night replayed from the same instance state builds byte-identical events, which storage
can upsert without duplicating.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from domain.ladder.model import GENESIS_HASH, StudentInterventionInstance
from domain.platform.events import event_id
from domain.platform.hashing import sha256_hex


class EventKind(StrEnum):
    STAGE_ENTERED = "STAGE_ENTERED"
    ACTION_QUEUED = "ACTION_QUEUED"
    APPROVED = "APPROVED"
    SKIPPED = "SKIPPED"
    SNOOZED = "SNOOZED"
    LETTER_SENT = "LETTER_SENT"
    MEETING_SCHEDULED = "MEETING_SCHEDULED"
    INTERVENTION_LOGGED = "INTERVENTION_LOGGED"
    STOPPED = "STOPPED"
    ESCALATED = "ESCALATED"
    COMPLETED = "COMPLETED"
    MEETING_HELD = "MEETING_HELD"  # data: meetingId, outcome
    MEETING_NO_SHOW = "MEETING_NO_SHOW"  # data: meetingId
    PAUSED = "PAUSED"  # data: until (a meeting's medical plan)
    RESUMED = "RESUMED"


@dataclass(frozen=True, slots=True)
class InterventionEvent:
    """One step in an instance's history. `actor` None means the system (the nightly run);
    `on` is the business day, `at` the wall-clock time a person acted (None for the system,
    so a replayed night hashes the same)."""

    id: str
    instance_id: str
    tenant_id: str
    school_id: str
    student_id: str
    sequence: int  # 1, 2, 3 ... within the instance
    kind: EventKind
    stage_order: int
    on: date
    actor: str | None = None
    reason: str | None = None
    evidence: tuple[str, ...] = ()
    data: Mapping[str, str] = field(default_factory=dict)  # e.g. {"until": "2025-01-13"}
    at: datetime | None = None
    previous_hash: str = GENESIS_HASH
    hash: str = ""

    def body(self) -> dict[str, Any]:
        """The hashed content: every field but `hash`, camelCase, JSON-ready."""
        return {
            "id": self.id, "instanceId": self.instance_id, "tenantId": self.tenant_id,
            "schoolId": self.school_id, "studentId": self.student_id, "sequence": self.sequence,
            "kind": self.kind.value, "stageOrder": self.stage_order, "on": self.on.isoformat(),
            "actor": self.actor, "reason": self.reason, "evidence": list(self.evidence),
            "data": dict(self.data), "at": self.at.isoformat() if self.at else None,
            "previousHash": self.previous_hash,
        }

    def to_record(self) -> dict[str, Any]:
        return {**self.body(), "hash": self.hash}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> InterventionEvent:
        at = record.get("at")
        return cls(record["id"], record["instanceId"], record["tenantId"], record["schoolId"],
                   record["studentId"], int(record["sequence"]), EventKind(record["kind"]),
                   int(record["stageOrder"]), date.fromisoformat(record["on"]), record.get("actor"),
                   record.get("reason"), tuple(record.get("evidence", ())), dict(record.get("data", {})),
                   datetime.fromisoformat(at) if at else None, record["previousHash"], record["hash"])


def content_hash(event: InterventionEvent) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of `event.body()`."""
    canonical = json.dumps(event.body(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return sha256_hex(canonical.encode())


def chained(instance: StudentInterventionInstance, kind: EventKind, *, on: date, actor: str | None = None,
            reason: str | None = None, evidence: tuple[str, ...] = (), data: Mapping[str, str] | None = None,
            at: datetime | None = None, stage_order: int | None = None) -> InterventionEvent:
    """The next event of `instance`'s chain (sequence and previous hash from its head)."""
    sequence = instance.event_count + 1
    stage = instance.stage_order if stage_order is None else stage_order
    draft = InterventionEvent(
        event_id("intervention.event", instance.id, str(sequence), kind.value, str(stage), on.isoformat()),
        instance.id, instance.tenant_id, instance.school_id, instance.student_id, sequence, kind, stage,
        on, actor, reason, evidence, dict(data or {}), at, instance.last_hash)
    return replace(draft, hash=content_hash(draft))


def verify_chain(events: Sequence[InterventionEvent], *, head: str | None = None) -> int | None:
    """The index of the first event that does not fit the chain, or None if all do.

    An event fits when its hash matches its content, its `previous_hash` is the hash before it
    (GENESIS_HASH for the first), its sequence is its position + 1 and it belongs to the same
    instance. With `head` (the instance's `last_hash`), a missing tail is caught too: the
    answer is then len(events), the position of the first missing event."""
    previous = GENESIS_HASH
    for index, event in enumerate(events):
        if (event.hash != content_hash(event) or event.previous_hash != previous
                or event.sequence != index + 1 or event.instance_id != events[0].instance_id):
            return index
        previous = event.hash
    if head is not None and head != previous:
        return len(events)
    return None
