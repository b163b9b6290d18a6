"""In-memory fakes of the roster reader and the attendance repositories, for unit tests.

`Trips` counts what the table adapters would send: one request per page of 1,000 rows read and
per transaction of 100 rows of one partition written, so tests can check the services batch.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from domain.attendance.calendar import DateRange, SchoolCalendar
from domain.attendance.stored_marks import LoadedMark, Mark, MarkChange, MarksByStudent
from domain.attendance.summaries import DailySummary
from domain.platform.audit import AuditRecord
from domain.platform.errors import AlreadyExists, ConcurrencyError, NotFound
from domain.platform.events import IntegrationEvent
from domain.platform.jobs import JobRun
from domain.roster.schools import Jurisdiction, School, Student
from services.attendance.ingestion import Ingestion, IngestResult
from services.attendance.normalization import Normalization
from services.attendance.normalize_jobs import NormalizeJobs
from services.platform.audit import AuditLog
from services.platform.jobs import JobRuns
from services.platform.ports import FixedClock


@dataclass
class Trips:
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def read(self, kind: str, rows: int) -> None:
        self.add(kind, max(1, math.ceil(rows / 1000)))

    def write(self, kind: str, partitions: Iterable[Any]) -> None:
        sizes = defaultdict(int)
        for partition in partitions:
            sizes[partition] += 1
        self.add(kind, sum(math.ceil(n / 100) for n in sizes.values()))

    def add(self, kind: str, n: int = 1) -> None:
        self.total += n
        self.by_kind[kind] += n


_etags = itertools.count(1)


def _etag() -> str:
    return f"e{next(_etags)}"


class FakeRoster:
    def __init__(self, trips: Trips, school: School, calendars: Sequence[SchoolCalendar],
                 students: Sequence[Student], mapping: dict[str, str] | None = None,
                 more_schools: Sequence[School] = ()) -> None:
        self.trips = trips
        self.schools = {s.school_id: s for s in (school, *more_schools)}
        self.calendars = list(calendars)
        self.student_list = list(students)
        self.mapping = mapping or {}

    def school(self, tenant_id: str, school_id: str) -> School:
        self.trips.add("school")
        found = self.schools.get(school_id)
        if found is None or found.tenant_id != tenant_id:
            raise NotFound("no such school")
        return found

    def all_schools(self) -> list[School]:
        self.trips.add("schools")
        return list(self.schools.values())

    def calendar_for(self, tenant_id: str, school_id: str, day: date) -> SchoolCalendar:
        self.trips.add("calendar")
        for calendar in self.calendars:
            if calendar.start <= day <= calendar.end:
                return calendar
        raise NotFound(f"no calendar covers {day}")

    def calendar_before(self, tenant_id: str, school_id: str, day: date) -> SchoolCalendar | None:
        self.trips.add("calendar")
        return max((c for c in self.calendars if c.end < day), key=lambda c: c.end, default=None)

    def students(self, tenant_id: str, school_id: str) -> list[Student]:
        self.trips.read("students", len(self.student_list))
        return list(self.student_list)

    def find_student(self, tenant_id: str, school_id: str, student_id: str) -> Student | None:
        self.trips.add("student")
        return next((s for s in self.student_list if s.student_id == student_id), None)

    def code_mapping(self, tenant_id: str, school_id: str) -> dict[str, str]:
        self.trips.add("mapping")
        return dict(self.mapping)


class FakeMarks:
    """MarkRepository over a dict keyed by (date, student, session)."""

    def __init__(self, trips: Trips) -> None:
        self.trips = trips
        self.rows: dict[tuple[date, str, str], Mark] = {}
        self.race: Mark | None = None  # written by "another writer" just before the next save

    def existing(self, tenant_id: str, school_id: str, day: date,
                 student_ids: Collection[str]) -> dict[tuple[str, str], Mark]:
        found = {m.key: m for (d, s, _), m in self.rows.items() if d == day and s in student_ids}
        self.trips.read("marks.existing", len(found))
        return found

    def save(self, tenant_id: str, school_id: str, creates: Sequence[Mark], updates: Sequence[Mark]) -> None:
        if self.race is not None:
            raced, self.race = self.race, None
            self.rows[raced.date, raced.student_id, raced.session] = replace(raced, etag=_etag())
        for mark in creates:
            if (mark.date, mark.student_id, mark.session) in self.rows:
                raise AlreadyExists("mark exists")
        for mark in updates:
            if self.rows[mark.date, mark.student_id, mark.session].etag != mark.etag:
                raise ConcurrencyError("mark changed")
        for mark in (*creates, *updates):
            self.rows[mark.date, mark.student_id, mark.session] = replace(mark, etag=_etag())
        if creates or updates:
            self.trips.write("marks.save", [m.date for m in (*creates, *updates)])

    def load(self, tenant_id: str, school_id: str, days: Iterable[date]) -> MarksByStudent:
        per_day: dict[date, int] = dict.fromkeys(days, 0)
        found: MarksByStudent = {}
        for (day, student_id, session), mark in self.rows.items():
            if day in per_day:
                per_day[day] += 1
                found.setdefault(student_id, {}).setdefault(day, []).append(
                    LoadedMark(day, session, mark.code, mark.received_at or ""))
        for n in per_day.values():
            self.trips.read("marks.load", n)
        return found


class FakeHistory:
    def __init__(self, trips: Trips) -> None:
        self.trips = trips
        self.rows: list[tuple[Mark, Mark]] = []

    def add(self, tenant_id: str, school_id: str, replaced: Sequence[tuple[Mark, Mark]]) -> None:
        self.rows.extend(replaced)
        if replaced:
            self.trips.write("history.add", [old.date for old, _ in replaced])


class FakeChanges:
    def __init__(self, trips: Trips) -> None:
        self.trips = trips
        self.rows: dict[tuple[str, date, str], MarkChange] = {}

    def add(self, tenant_id: str, school_id: str, changes: Sequence[MarkChange]) -> None:
        for change in changes:
            self.rows[change.student_id, change.date, change.batch_id] = replace(change, etag=_etag())
        if changes:
            self.trips.write("changes.add", [0] * len(changes))

    def pending(self, tenant_id: str, school_id: str) -> list[MarkChange]:
        self.trips.read("changes.pending", len(self.rows))
        return list(self.rows.values())

    def remove(self, tenant_id: str, school_id: str, changes: Sequence[MarkChange]) -> None:
        for change in changes:  # a row rewritten since it was read (new ETag) stays
            key = (change.student_id, change.date, change.batch_id)
            if key in self.rows and self.rows[key].etag == change.etag:
                del self.rows[key]
        if changes:
            self.trips.write("changes.remove", [0] * len(changes))


class FakeSummaries:
    def __init__(self, trips: Trips) -> None:
        self.trips = trips
        self.rows: dict[tuple[str, date], DailySummary] = {}
        self.newest: dict[str, DailySummary] = {}
        self.events: list[IntegrationEvent] = []
        self.lease: tuple[str, datetime] | None = None

    def latest(self, tenant_id: str, school_id: str) -> dict[str, DailySummary]:
        self.trips.read("latest", len(self.newest))
        return dict(self.newest)

    def row(self, tenant_id: str, school_id: str, student_id: str, day: date) -> DailySummary | None:
        self.trips.add("summaries.row")
        return self.rows.get((student_id, day))

    def write(self, tenant_id: str, school_id: str, rows: Sequence[DailySummary]) -> None:
        for row in rows:
            self.rows[row.student_id, row.date] = row
        if rows:
            self.trips.write("summaries.write", [(r.date.year, r.date.month) for r in rows])

    def write_latest(self, tenant_id: str, school_id: str, rows: Sequence[DailySummary],
                     events: Sequence[IntegrationEvent]) -> None:
        self.newest.update((r.student_id, r) for r in rows)
        self.events.extend(events)
        self.trips.write("latest.write", [0] * (len(rows) + len(events)))

    def for_student(self, tenant_id: str, school_id: str, student_id: str, first: date,
                    last: date) -> list[DailySummary]:
        return sorted((r for (s, d), r in self.rows.items() if s == student_id and first <= d <= last),
                      key=lambda r: r.date)

    def on_date(self, tenant_id: str, school_id: str, day: date) -> list[DailySummary]:
        return [r for (_, d), r in self.rows.items() if d == day]

    # lease
    def acquire(self, tenant_id: str, school_id: str, owner: str, now: datetime,
                until: datetime) -> str | None:
        self.trips.add("lease", 2)
        if self.lease is not None and self.lease[1] > now and self.lease[0] != owner:
            return None
        self.lease = (owner, until)
        return owner

    def release(self, tenant_id: str, school_id: str, token: str) -> None:
        self.trips.add("lease")
        if self.lease is not None and self.lease[0] == token:
            self.lease = None


class FakeRaw:
    def __init__(self) -> None:
        self.blobs: dict[tuple[str, str], bytes] = {}

    def put(self, container: str, path: str, data: bytes, *, content_type: str,
            metadata: dict[str, str] | None = None) -> object:
        if self.blobs.get((container, path), data) != data:
            raise AlreadyExists("different bytes")
        self.blobs[container, path] = data
        return path


class FakeAuditRepository:
    def __init__(self) -> None:
        self.records: list[AuditRecord] = []

    def append(self, record: AuditRecord) -> None:
        self.records.append(record)

    def list(self, tenant_id: str, **kw: Any) -> tuple[list[AuditRecord], str | None]:
        return [r for r in self.records if r.tenant_id == tenant_id], None


class FakeJobRunRepository:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], JobRun] = {}

    def find(self, tenant_id: str, kind: str, scope: str) -> JobRun | None:
        row = self.rows.get((tenant_id, kind, scope))
        return row.model_copy() if row else None

    def create(self, run: JobRun) -> JobRun:
        if (run.tenant_id, run.kind, run.scope) in self.rows:
            raise AlreadyExists("exists")
        return self._store(run)

    def replace(self, run: JobRun) -> JobRun:
        if self.rows[run.tenant_id, run.kind, run.scope].etag != run.etag:
            raise ConcurrencyError("changed")
        return self._store(run)

    def _store(self, run: JobRun) -> JobRun:
        stored = run.model_copy(update={"etag": _etag()})
        self.rows[run.tenant_id, run.kind, run.scope] = stored
        return stored.model_copy()

    def list(self, tenant_id: str, **kw: Any) -> tuple[list[JobRun], str | None]:
        return [r for (t, _, _), r in self.rows.items() if t == tenant_id], None


# --- a small world for service tests -----------------------------------------------------------

TENANT, SCHOOL = "t1", "s1"
NOW = datetime(2024, 10, 1, 20, 0, tzinfo=UTC)


def calendar_2024() -> SchoolCalendar:
    return SchoolCalendar("2024/25", date(2024, 9, 2), date(2025, 7, 22),
                          holidays=[DateRange("Half term", date(2024, 10, 28), date(2024, 11, 1))])


def calendar_2025() -> SchoolCalendar:
    return SchoolCalendar("2025/26", date(2025, 9, 1), date(2026, 7, 21))


def student(student_id: str, start: date = date(2024, 9, 1), end: date | None = None,
            school_id: str = SCHOOL) -> Student:
    return Student(tenant_id=TENANT, school_id=school_id, student_id=student_id, sis_id=f"sis-{student_id}",
                   forename="F", surname="S", enrolment_start=start, enrolment_end=end)


@dataclass
class World:
    """Services wired to fakes, sharing one clock and one trip counter."""

    school: School
    students: list[Student]
    calendars: list[SchoolCalendar]
    mapping: dict[str, str] = field(default_factory=dict)
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    trips: Trips = field(default_factory=Trips)

    def __post_init__(self) -> None:
        self.roster = FakeRoster(self.trips, self.school, self.calendars, self.students, self.mapping)
        self.marks = FakeMarks(self.trips)
        self.history = FakeHistory(self.trips)
        self.changes = FakeChanges(self.trips)
        self.summaries = FakeSummaries(self.trips)
        self.raw = FakeRaw()
        self.audit_repo = FakeAuditRepository()
        self.audit = AuditLog(self.audit_repo, self.clock)
        self.ingestion = Ingestion(self.roster, self.marks, self.history, self.changes, self.raw,
                                   self.audit, self.clock)
        self.normalization = Normalization(self.roster, self.marks, self.changes, self.summaries,
                                           self.summaries, self.clock, lambda: self.trips.total)
        self.job_repo = FakeJobRunRepository()
        self.sent: list[tuple[Any, dict[str, Any]]] = []
        self.jobs = NormalizeJobs(self.roster, self.normalization, JobRuns(self.job_repo, self.clock),
                                  self.audit, self.clock, lambda body, **kw: self.sent.append((body, kw)))

    def ingest(self, records: list[dict[str, Any]], *, at: datetime | None = None) -> IngestResult:
        if at is not None:
            self.clock.at = at
        return self.ingestion.ingest(None, TENANT, self.school.school_id, records,
                                     json.dumps(records).encode())


def england(n_students: int = 3, **kw: Any) -> World:
    school = School(tenant_id=TENANT, school_id=SCHOOL, name="Oak", jurisdiction=Jurisdiction.ENGLAND)
    return World(school, [student(f"st{i}") for i in range(n_students)], [calendar_2024(), calendar_2025()],
                 **kw)


def record(student_id: str, day: date | str, session: str = "AM", code: str = "/", **extra: Any) -> dict:
    return {"student": student_id, "date": str(day), "session": session, "attendance_code": code, **extra}
