"""Reference data in Table storage: the RosterReader the attendance services use, and the writes
and paged reads of the roster service (RosterStore). Keys and access patterns: docs/storage.md.

Reads take one partition (a school's students, guardians or links) or one page; writes go through
`upsert_many`/`submit`, 100 rows of one partition per transaction. Nothing here issues a request
per row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from adapters.storage.keys import escape_key_part, key, prefix_range
from adapters.storage.tables import Table
from adapters.tables import roster_entities as rows
from domain.attendance.calendar import SchoolCalendar
from domain.platform.errors import NotFound
from domain.roster.schools import School, Student
from services.roster.ports import RosterChange, RosterSnapshot, StudentDetail

# The SDK substitutes @names split on spaces; an OR of this many RowKeys stays a short filter.
_OR_CHUNK = 20


class TableRoster:
    """Implements services.roster.ports.RosterReader and services.roster.ports.RosterStore."""

    def __init__(self, tables: Callable[[str], Table]) -> None:
        self._schools = tables(rows.SCHOOLS)
        self._calendars = tables(rows.CALENDARS)
        self._mappings = tables(rows.CODE_MAPPINGS)
        self._students = tables(rows.STUDENTS)
        self._guardians = tables(rows.GUARDIANS)
        self._links = tables(rows.STUDENT_GUARDIANS)

    # --- RosterReader ------------------------------------------------------------------------------

    def school(self, tenant_id: str, school_id: str) -> School:
        found = self.find_school(tenant_id, school_id)
        if found is None:
            raise NotFound(f"no school {school_id!r}", field="schoolId")
        return found[0]

    def all_schools(self) -> list[School]:
        # every partition: a tenant's schools are one partition, and this table stays small
        return [rows.school_of(r) for r in self._schools.query("PartitionKey ge @lo", parameters={"lo": ""})]

    def calendar_for(self, tenant_id: str, school_id: str, day: date) -> SchoolCalendar:
        found = self._calendars.query(
            "PartitionKey eq @pk and firstDay le @day and lastDay ge @day",
            parameters={"pk": rows.school_partition(tenant_id, school_id), "day": day.isoformat()})
        for row in found:
            return rows.calendar_of(row)
        raise NotFound(f"no school year of {school_id!r} contains {day}", field="date")

    def calendar_before(self, tenant_id: str, school_id: str, day: date) -> SchoolCalendar | None:
        found = self._calendars.query(
            "PartitionKey eq @pk and lastDay lt @day",
            parameters={"pk": rows.school_partition(tenant_id, school_id), "day": day.isoformat()})
        latest = max(found, key=lambda row: str(row["lastDay"]), default=None)
        return None if latest is None else rows.calendar_of(latest)

    def students(self, tenant_id: str, school_id: str) -> list[Student]:
        partition = rows.school_partition(tenant_id, school_id)
        return [rows.student_of(tenant_id, school_id, r) for r in self._students.partition(partition)]

    def find_student(self, tenant_id: str, school_id: str, student_id: str) -> Student | None:
        row = self._students.find(rows.school_partition(tenant_id, school_id), escape_key_part(student_id))
        return rows.student_of(tenant_id, school_id, row) if row else None

    def code_mapping(self, tenant_id: str, school_id: str) -> dict[str, str]:
        partition = rows.school_partition(tenant_id, school_id)
        return {r["sisCode"]: r["code"] for r in self._mappings.partition(partition)}

    # --- schools and calendars ---------------------------------------------------------------------

    def find_school(self, tenant_id: str, school_id: str) -> tuple[School, str] | None:
        row = self._schools.find(escape_key_part(tenant_id), escape_key_part(school_id))
        return (rows.school_of(row), row.etag or "") if row else None

    def tenant_schools(self, tenant_id: str) -> list[School]:
        return [rows.school_of(r) for r in self._schools.partition(escape_key_part(tenant_id))]

    def insert_school(self, school: School) -> None:
        self._schools.insert(rows.school_entity(school))

    def replace_school(self, school: School, etag: str) -> None:
        self._schools.update(rows.school_entity(school), etag=etag)

    def find_calendar(self, tenant_id: str, school_id: str, school_year: str) -> SchoolCalendar | None:
        row = self._calendars.find(rows.school_partition(tenant_id, school_id),
                                   escape_key_part(school_year))
        return rows.calendar_of(row) if row else None

    def calendars(self, tenant_id: str, school_id: str) -> list[SchoolCalendar]:
        partition = rows.school_partition(tenant_id, school_id)
        return [rows.calendar_of(r) for r in self._calendars.partition(partition)]

    def save_calendar(self, tenant_id: str, school_id: str, calendar: SchoolCalendar) -> None:
        self._calendars.upsert(rows.calendar_entity(tenant_id, school_id, calendar))

    def replace_code_mapping(self, tenant_id: str, school_id: str, mapping: dict[str, str]) -> None:
        partition = rows.school_partition(tenant_id, school_id)
        stored = {r["sisCode"]: r for r in self._mappings.partition(partition)}
        ops: list[tuple[str, dict[str, object]]] = [
            ("delete", {"PartitionKey": partition, "RowKey": row["RowKey"]})
            for sis_code, row in stored.items() if sis_code not in mapping]
        ops += [("upsert", rows.mapping_entity(tenant_id, school_id, sis_code, code))
                for sis_code, code in mapping.items()
                if sis_code not in stored or stored[sis_code]["code"] != code]
        self._mappings.submit(ops)

    # --- students, guardians, links ----------------------------------------------------------------

    def roster(self, tenant_id: str, school_id: str) -> RosterSnapshot:
        partition = rows.school_partition(tenant_id, school_id)
        snapshot = RosterSnapshot()
        for r in self._students.partition(partition):
            snapshot.students[r["studentId"]] = rows.student_of(tenant_id, school_id, r)
        for r in self._guardians.partition(partition):
            snapshot.guardians[r["guardianId"]] = rows.guardian_of(tenant_id, school_id, r)
        for r in self._links.partition(partition):
            snapshot.links[(r["studentId"], r["guardianId"])] = rows.link_of(tenant_id, school_id, r)
        return snapshot

    def apply(self, tenant_id: str, school_id: str, change: RosterChange) -> None:
        # guardians before links, so a link never points at a guardian not yet written
        self._guardians.upsert_many(rows.guardian_entity(g) for g in change.guardians)
        self._students.upsert_many(rows.student_entity(s) for s in change.students)
        self._links.upsert_many(rows.link_entity(link) for link in change.links)
        partition = rows.school_partition(tenant_id, school_id)
        self._links.submit([("delete", {"PartitionKey": partition, "RowKey": key(*link_key)})
                            for link_key in change.removed_links])

    def student_page(self, tenant_id: str, school_id: str, *, year_group: str | None, limit: int,
                     continuation: str | None) -> tuple[list[Student], str | None]:
        filter_ = "PartitionKey eq @pk"
        params = {"pk": rows.school_partition(tenant_id, school_id)}
        if year_group:
            filter_ += " and yearGroup eq @year"
            params["year"] = year_group
        page = self._students.query_page(filter_, parameters=params, page_size=limit,
                                         continuation=continuation)
        return [rows.student_of(tenant_id, school_id, r) for r in page.items], page.continuation

    def student_detail(self, tenant_id: str, school_id: str, student_id: str) -> StudentDetail:
        partition = rows.school_partition(tenant_id, school_id)
        row = self._students.find(partition, escape_key_part(student_id))
        if row is None:
            raise NotFound("no such student")
        low, high = prefix_range(key(student_id, ""))
        links = [rows.link_of(tenant_id, school_id, r) for r in self._links.query(
            "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
            parameters={"pk": partition, "lo": low, "hi": high})]
        guardians = {}
        ids = sorted({link.guardian_id for link in links})
        for start in range(0, len(ids), _OR_CHUNK):
            chunk = ids[start:start + _OR_CHUNK]
            names = [f"g{i}" for i in range(len(chunk))]
            clause = " or ".join(f"RowKey eq @{n}" for n in names)
            params = {"pk": partition, **{n: escape_key_part(g) for n, g in zip(names, chunk, strict=True)}}
            for r in self._guardians.query(f"PartitionKey eq @pk and ( {clause} )", parameters=params):
                guardians[r["guardianId"]] = rows.guardian_of(tenant_id, school_id, r)
        pairs = sorted(((link, guardians[link.guardian_id]) for link in links
                        if link.guardian_id in guardians),
                       key=lambda pair: (pair[0].priority, pair[0].guardian_id))
        return StudentDetail(rows.student_of(tenant_id, school_id, row), pairs)
