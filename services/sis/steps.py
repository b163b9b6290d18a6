"""The four reads of a school's sync, each writing through the push path's own services.

Each step returns its counts; it raises (SisError, a storage error) before its cursor moves, so
a failed step is read again from the same watermark next time. Every write below is idempotent
(upserts by key, unchanged rows skipped), which is what makes the overlap of watermarks safe.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from domain.attendance.codes import CodeTable, load_code_table
from domain.platform.access import Principal
from domain.platform.errors import NotFound
from domain.roster.schools import School, Student
from domain.sis.code_mapping import ReviewStatus, map_codes
from domain.sis.identity import merge_identities
from domain.sis.records import Deletion
from domain.sis.wonde import MAX_STUDENTS
from services.attendance.ingestion import Ingestion
from services.attendance.mark_validation import MAX_MARKS
from services.platform.audit import AuditLog
from services.roster.ports import RosterChange, RosterStore
from services.roster.service import RosterService
from services.sis.ports import SisConnection, SisSource
from services.sis.state import SisStateStore

T = TypeVar("T")
Counts = dict[str, int]


@dataclass(frozen=True)
class Deps:
    source: SisSource
    state: SisStateStore
    roster: RosterStore
    roster_service: RosterService
    ingestion: Ingestion
    audit: AuditLog


@dataclass
class Pass:
    """One sync of one school: who asked, the connection, and what earlier steps learned."""

    actor: Principal | None
    school: School
    connection: SisConnection
    today: date
    unreviewed: set[str] = field(default_factory=set)

    @property
    def ids(self) -> tuple[str, str]:
        return self.school.tenant_id, self.school.school_id


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def code_table(roster: RosterStore, school: School, today: date) -> CodeTable:
    """The table in force on the school year's first day (the current one outside a year)."""
    try:
        calendar = roster.calendar_for(school.tenant_id, school.school_id, today)
    except NotFound:
        return load_code_table(school.jurisdiction)
    return load_code_table(school.jurisdiction, calendar.start)


def sync_codes(deps: Deps, run: Pass, _: datetime | None) -> Counts:
    fetched = deps.source.attendance_codes(run.connection)
    stored = {r.wonde_id: r for r in deps.state.reviews(*run.ids)}
    decided = {i: r.mapped_to for i, r in stored.items()
               if r.status is ReviewStatus.MAPPED and r.mapped_to and r.reason == "confirmed by staff"}
    plan = map_codes(fetched.items, code_table(deps.roster, run.school, run.today), decided)
    deps.state.save_reviews(*run.ids, [c for c in plan.codes if stored.get(c.wonde_id) != c])
    run.unreviewed = {c.wonde_id for c in plan.review}
    mapping = deps.roster.code_mapping(*run.ids)
    ours = {c.wonde_id for c in plan.codes}
    wanted = {k: v for k, v in mapping.items() if k not in ours} | plan.entries()
    if wanted != mapping:
        deps.roster_service.put_code_mapping(run.actor, *run.ids, wanted)
    return {"read": len(fetched.items), "mapped": len(plan.mapped), "review": len(plan.review),
            "rejected": len(fetched.issues)}


def sync_students(deps: Deps, run: Pass, after: datetime | None) -> Counts:
    fetched = deps.source.students(run.connection, updated_after=after)
    known = deps.state.aliases(*run.ids)
    records, aliases = merge_identities(fetched.items, deps.roster.students(*run.ids), known)
    if aliases != known:
        deps.state.save_aliases(*run.ids, {k: v for k, v in aliases.items() if known.get(k) != v})
    counts = {"read": len(fetched.items), "created": 0, "updated": 0, "unchanged": 0,
              "rejected": len(fetched.issues), "merged": len(aliases)}
    for chunk in chunks(records, MAX_STUDENTS):
        result = deps.roster_service.import_students(run.actor, *run.ids, {"data": chunk})
        for name in ("created", "updated", "unchanged", "rejected"):
            counts[name] += result.counts()[name]
    return counts


def _deleted(deps: Deps, run: Pass, deletion: Deletion, student: Student,
             ended: dict[str, date | None]) -> Student | None:
    """The student with the deletion applied (None: nothing to change)."""
    if deletion.restored:
        if student.student_id not in ended:
            return None
        deps.state.forget_ended(*run.ids, student.student_id)
        return student.model_copy(update={"enrolment_end": ended[student.student_id]})
    moment = deletion.deleted_at or datetime.combine(run.today, datetime.min.time())
    end = max(run.school.local_date(moment), student.enrolment_start)
    if student.enrolment_end is not None and student.enrolment_end <= end:
        return None
    deps.state.save_ended(*run.ids, student.student_id, student.enrolment_end)  # before: a crash keeps it
    return student.model_copy(update={"enrolment_end": end})


def sync_deletions(deps: Deps, run: Pass, after: datetime | None) -> Counts:
    fetched = deps.source.deletions(run.connection, updated_after=after, type="student")
    aliases, ended = deps.state.aliases(*run.ids), deps.state.ended(*run.ids)
    returned = set(aliases.values())  # pupils back under a new Wonde id: their old id's deletion is history
    changed: list[Student] = []
    skipped = 0
    for deletion in fetched.items:
        student_id = aliases.get(deletion.id, deletion.id)
        student = deps.roster.find_student(*run.ids, student_id)
        if student is None or (deletion.id not in aliases and student_id in returned
                               and not deletion.restored):
            skipped += 1
            continue
        updated = _deleted(deps, run, deletion, student, ended)
        if updated is not None:
            changed.append(updated)
    if changed:
        deps.roster.apply(*run.ids, RosterChange(students=changed))
        deps.audit.record(actor=run.actor, tenant_id=run.ids[0], school_id=run.ids[1],
                          action="roster.deletions.applied", entity_type="roster", entity_id=run.ids[1],
                          after={"applied": len(changed)})
    return {"read": len(fetched.items), "applied": len(changed), "skipped": skipped,
            "rejected": len(fetched.issues)}


def _window(deps: Deps, run: Pass) -> tuple[date, date] | None:
    """The school year of today, else the last one before it (its corrections still come in)."""
    try:
        calendar = deps.roster.calendar_for(*run.ids, run.today)
    except NotFound:
        found = deps.roster.calendar_before(*run.ids, run.today)
        if found is None:
            return None
        calendar = found
    return calendar.start, min(run.today, calendar.end)


def sync_marks(deps: Deps, run: Pass, after: datetime | None) -> Counts:
    window = _window(deps, run)
    counts = {"read": 0, "created": 0, "replaced": 0, "unchanged": 0, "rejected": 0, "held": 0}
    if window is None:  # no calendar covers today: nothing can be stored yet
        return counts
    fetched = deps.source.session_attendance(run.connection, *window, updated_after=after)
    aliases = deps.state.aliases(*run.ids)
    records = [_renamed(m.record(), aliases) for m in fetched.items]
    waiting = deps.state.pending(*run.ids)
    released = [r for r in waiting if r["attendance_code"] not in run.unreviewed]
    held = [r for r in records if r["attendance_code"] in run.unreviewed]
    deps.state.hold(*run.ids, held)
    ready = released + [r for r in records if r["attendance_code"] not in run.unreviewed]
    counts.update(read=len(records), held=len(held), rejected=len(fetched.issues), released=len(released))
    ingest(deps, run.actor, run.ids, ready, counts)
    if released:
        deps.state.release_pending(*run.ids, released)
    return counts


def ingest(deps: Deps, actor: Principal | None, ids: tuple[str, str], records: Sequence[dict[str, Any]],
           counts: Counts) -> None:
    for chunk in chunks(records, MAX_MARKS):
        raw = json.dumps({"data": chunk}, sort_keys=True).encode()
        result = deps.ingestion.ingest(actor, *ids, chunk, raw).counts()
        for name in ("created", "replaced", "unchanged", "rejected"):
            counts[name] = counts.get(name, 0) + result[name]


def _renamed(record: dict[str, Any], aliases: dict[str, str]) -> dict[str, Any]:
    student = record["student"]
    return {**record, "student": aliases[student]} if student in aliases else record


STEPS = {"codes": sync_codes, "students": sync_students, "deletions": sync_deletions, "marks": sync_marks}
