"""Bench (c): table-storage round trips per student for the nightly increment, against an
in-memory Azurite this script starts and stops. One English demo school is loaded through the
real services (roster import, ingestion), normalized up to the day before, then one more day
is ingested and normalized: its round trips (`Tables.counter` deltas) next to what a
per-student design would make, and next to a full rebuild of the same school.

    python -m bench.round_trips [--students 1000] [--days 15] [--seed 42]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from bench.common import SEED, azurite_container, say
from bootstrap import Composition
from demo import (
    DemoSchool,
    MarkRow,
    demo_calendar,
    generate_district,
    iter_mark_rows,
    wonde_mark_batches,
    wonde_student_batches,
)
from devhost import progress
from domain.roster.schools import Jurisdiction

T = TypeVar("T")
TENANT = "bench"
YEAR_START = date(2025, 9, 1)
# The per-student design the baseline stands for: read the student's previous row, write the new one.
PER_STUDENT = 2


@dataclass
class Measured(Generic[T]):
    result: T
    trips: int  # table round trips
    kinds: dict[str, int]  # by kind: get, query, transaction, ...
    wall: float  # seconds
    cpu: float  # seconds of this process (the rest is Azurite and the loopback)


def counted(container: Composition, run: Callable[[], T]) -> Measured[T]:
    counter = container.platform.tables.counter
    before, kinds = counter.round_trips, dict(counter.by_kind)
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    delta = {k: v - kinds.get(k, 0) for k, v in counter.by_kind.items() if v != kinds.get(k, 0)}
    return Measured(result, counter.round_trips - before, delta, wall, cpu)


def ingest(container: Composition, school: DemoSchool, rows: list[MarkRow], bar: str | None = None) -> int:
    """Through the real ingestion, a Wonde request of <= 10,000 marks at a time; rejections fail.
    `bar`: a progress bar's label, for a load that is not timed."""
    accepted = 0
    with progress.bar(bar or "", total=len(rows), show=bar is not None) as shown:
        for body in wonde_mark_batches(rows):
            result = container.attendance.ingestion.ingest_payload(None, TENANT, school.school_id,
                                                                   json.dumps(body).encode())
            if result.rejected:
                raise RuntimeError(f"ingestion rejected {len(result.rejected)} demo marks: "
                                   f"{result.rejected[:3]}")
            accepted += result.accepted
            shown.advance(len(body["data"]))
    return accepted


def load(container: Composition, school: DemoSchool) -> None:
    container.roster.service.put_school(None, school.school)
    container.roster.service.put_calendar(None, TENANT, school.school_id, school.calendar)
    for body in wonde_student_batches(school.students, school.guardians, school.links):
        result = container.roster.service.import_students(None, TENANT, school.school_id, body)
        if result.rejected:
            raise RuntimeError(f"roster import rejected {len(result.rejected)} demo students")


def measure(container: Composition, school: DemoSchool) -> None:
    day, school_id = school.through, school.school_id
    rows = list(iter_mark_rows(school))
    earlier, today = [r for r in rows if r.date < day], [r for r in rows if r.date == day]
    yesterday = school.calendar.nth_school_day_before(day, 1)
    if yesterday is None:
        raise ValueError("--days must be at least 1")

    start = time.perf_counter()
    load(container, school)
    loaded = counted(container, lambda: ingest(container, school, earlier, bar="loading marks"))
    say(f"  loaded {len(school.students):,} students and {len(earlier):,} marks to {yesterday} "
        f"({time.perf_counter() - start:.1f} s; ingestion {loaded.trips:,} round trips)")
    normalization = container.attendance.normalization
    first = counted(container, lambda: normalization.normalize(TENANT, school_id, yesterday))
    say(f"  normalize {yesterday} (first run: every student from the year's start): "
        f"{first.result.rows:,} rows, {first.trips:,} round trips, {first.wall:.2f} s")

    ingested = counted(container, lambda: ingest(container, school, today))
    say(f"  ingest {day}: {len(today):,} marks, {ingested.trips:,} round trips, {ingested.wall:.2f} s")
    night = counted(container, lambda: normalization.normalize(TENANT, school_id, day))
    students, trips = night.result.students, night.trips
    say(f"  nightly increment, normalize {day}: {students:,} students, {night.result.rows:,} rows, "
        f"{night.result.dirty_students:,} dirty")
    say(f"    round trips        {trips:>7,}  = {trips / students:.4f} per student "
        f"(the service counted {night.result.round_trips})")
    say(f"    by kind            {night.kinds}")
    say(f"    mark days read     {night.result.mark_days} (today alone would be 1)")
    say(f"    time               {night.wall:.2f} s wall, {night.cpu:.2f} s CPU in Python")
    say(f"    per-student design {PER_STUDENT * students:>7,}  = {PER_STUDENT} per student "
        "(a point read of the previous row + one write)")
    say(f"    ratio              {PER_STUDENT * students / trips:.0f}x fewer round trips than per student")
    full = counted(container, lambda: normalization.normalize(TENANT, school_id, day, full=True))
    say(f"  full rebuild (full=True) {day}: {full.result.rows:,} rows, {full.trips:,} round trips "
        f"= {full.trips / full.result.students:.3f} per student")
    say(f"    by kind            {full.kinds}")
    say(f"    time               {full.wall:.2f} s wall, {full.cpu:.2f} s CPU in Python")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.round_trips", description=__doc__)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--days", type=int, default=15, help="school days of marks before the measured day")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)  # the services log at INFO: keep the output to figures

    day = demo_calendar(Jurisdiction.ENGLAND, YEAR_START).school_days[args.days]
    school = generate_district(args.seed, tenant_id=TENANT, schools=1, students_per_school=args.students,
                               school_year_start=YEAR_START, through=day).schools[0]
    say(f"round trips: 1 English school, {args.students:,} students, {args.days} school days of marks, "
        f"then {day}; seed {args.seed}")
    with azurite_container() as container:
        measure(container, school)
    return 0


if __name__ == "__main__":
    sys.exit(main())
