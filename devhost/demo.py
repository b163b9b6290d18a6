"""Load the demo district into storage through the real services (the `make run` data)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import date, timedelta

import bootstrap
from demo import (
    DemoDistrict,
    DemoSchool,
    calendar_body,
    generate_district,
    iter_mark_rows,
    wonde_mark_batches,
    wonde_student_batches,
)
from devhost import progress
from domain.attendance.calendar import SchoolCalendar
from domain.casework.cases import QueueItem
from domain.platform.access import Principal, Role
from domain.platform.errors import NotFound
from domain.roster.schools import Jurisdiction
from domain.rules import InterventionRuleSet, Track

SEED = 2026
THROUGH = date(2025, 12, 19)  # the last day of the autumn term: a term of marks
JURISDICTIONS = (Jurisdiction.ENGLAND, Jurisdiction.IRELAND)


def district() -> DemoDistrict:
    """Two schools (one English, one Irish), about 1,200 students, a term of marks."""
    return generate_district(SEED, schools=2, students_per_school=600, jurisdictions=JURISDICTIONS,
                             through=THROUGH)


def load_into(container: bootstrap.Composition, run_date: date | None,
              report: Callable[[str], None] = print, demo: DemoDistrict | None = None) -> date:
    """Idempotent: a school already loaded is left as it is. Returns the date to run the nightly
    job on: the day after the last day of marks (the nightly normalizes the previous day).

    The schools load at the same time, one thread each: most of the time goes in Azurite (another
    process), so they overlap. Each school's own requests stay in order, one at a time (`_loaded`
    relies on it). The report lines come in the order the schools finish."""
    demo = demo or district()
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=len(demo.schools), thread_name_prefix="demo-load") as pool:
        futures = [pool.submit(_load_school, container, s, stop) for s in demo.schools]
        try:
            # reported from this thread: lines printed from two threads could interleave
            for future in as_completed(futures):
                report(future.result())
        except BaseException:
            stop.set()  # Ctrl-C or a school's failure: the others stop at their next request
            raise
    return run_date or demo.through + timedelta(days=1)


class _Stopped(Exception):
    """Another school's load failed or was interrupted."""


def _load_school(container: bootstrap.Composition, demo_school: DemoSchool, stop: threading.Event) -> str:
    school = demo_school.school
    if _loaded(container, demo_school):
        return f"demo school {school.school_id} already loaded"
    started = time.monotonic()
    roster = container.roster.service
    roster.put_school(None, school)
    body = calendar_body(demo_school.calendar)
    year = demo_school.calendar.school_year
    roster.put_calendar(None, school.tenant_id, school.school_id,
                        SchoolCalendar.from_dict({**body, "schoolYear": year}))
    students = marks = 0
    with progress.bar(f"{school.school_id} students", total=len(demo_school.students)) as bar:
        for payload in wonde_student_batches(demo_school.students, demo_school.guardians, demo_school.links):
            _check(stop)
            students += roster.import_students(None, school.tenant_id, school.school_id, payload).accepted
            bar.advance(len(payload["data"]))
        # counting the rows first (~0.05 s a school) gives the bar its total and an estimate
        bar.update(description=f"{school.school_id} marks", completed=0,
                   total=sum(1 for _ in iter_mark_rows(demo_school)))
        for payload in wonde_mark_batches(iter_mark_rows(demo_school)):
            _check(stop)
            raw = json.dumps(payload).encode()
            marks += container.attendance.ingestion.ingest_payload(None, school.tenant_id, school.school_id,
                                                                   raw).counts()["accepted"]
            bar.advance(len(payload["data"]))
    return (f"demo school {school.school_id} ({school.jurisdiction.value}): {students} students, "
            f"{marks} marks loaded in {time.monotonic() - started:.0f} s")


def _check(stop: threading.Event) -> None:
    if stop.is_set():
        raise _Stopped


def _loaded(container: bootstrap.Composition, demo_school: DemoSchool) -> bool:
    school = demo_school.school
    try:
        container.roster.reader.school(school.tenant_id, school.school_id)
    except NotFound:
        return False
    # marks go in last, in one order (student, then date): a school whose last mark is stored is
    # complete; a load cut short lacks it (the last day alone would not do: the first batch
    # already holds the first students' marks of that day)
    last = deque(iter_mark_rows(demo_school), maxlen=1)
    if not last:
        return True  # nothing to load
    row, = last
    marks = container.attendance.marks  # that one student's marks of the day: one range read
    return (row.student_id, row.session) in marks.existing(school.tenant_id, school.school_id, row.date,
                                                           {row.student_id})


# the demo's staff account for what `make run` does on its behalf (audited under this name)
DEMO_ADMIN = "make-run"
AfterNight = Callable[[DemoSchool, date, tuple[date, ...]], None]


def run_interventions(container: bootstrap.Composition, demo: DemoDistrict | None = None,
                      report: Callable[[str], None] = print, after_night: AfterNight | None = None) -> None:
    """Install each school's jurisdiction preset and replay the scheduler over every school day
    of the demo term, as the nightly would have. Each night is a job run, so a second `make run`
    skips the nights already done; the last night is forced (idempotent) to refresh the queue.
    `after_night(school, day, days)` runs after each night: what staff do that day
    (devhost/demo_office.py)."""
    for demo_school in (demo or district()).schools:
        school = demo_school.school
        admin = Principal(subject=DEMO_ADMIN, tenant_id=school.tenant_id,
                          roles=frozenset({Role.DISTRICT_ADMIN}))
        container.rules.rule_sets.install_preset(admin, school.tenant_id, school.school_id,
                                                 school.jurisdiction.value)
        tracks = sorted(container.rules.reader.active_for_school(school.tenant_id, school.school_id),
                        key=lambda r: (r.track is not Track.SUPPORT, r.id))
        days = demo_school.calendar.school_days_between(demo_school.calendar.start, demo_school.through)
        started = time.monotonic()
        with progress.bar(f"{school.school_id} school days", total=len(days)) as bar:
            for day in days:
                container.nightly.jobs.run(school.tenant_id, school.school_id, day,
                                           force=day == days[-1])
                if after_night is not None:
                    after_night(demo_school, day, days)
                bar.advance()
        queue = container.interventions.queue.due(school.tenant_id, school.school_id, None)
        names = ", ".join(repr(r.name) for r in tracks)
        report(f"{school.school_id}: rule sets {names} over {len(days)} school days "
               f"({time.monotonic() - started:.0f} s); queue on {days[-1]}: {len(queue)} actions "
               f"({queue_by_track(tracks, queue)})")


def queue_by_track(tracks: list[InterventionRuleSet], queue: list[QueueItem]) -> str:
    """"support preset-eng-demo-s1: 1. LETTER_1: 12; statutory preset-eng-penalty-demo-s1:
    1. ESCALATION: 3": each track's waiting actions by stage, an empty track included."""
    parts = []
    for rule_set in tracks:
        by_stage = Counter(f"{i.stage_order}. {i.stage_type.value}" for i in queue
                           if i.rule_set_id == rule_set.id)
        stages = ", ".join(f"{stage}: {n}" for stage, n in sorted(by_stage.items())) or "empty"
        parts.append(f"{rule_set.track.value.lower()} {rule_set.id}: {stages}")
    return "; ".join(parts)


def print_figures(container: bootstrap.Composition, report: Callable[[str], None] = print,
                  demo: DemoDistrict | None = None) -> None:
    for demo_school in (demo or district()).schools:
        school = demo_school.school
        f = container.attendance.summaries.school(school.tenant_id, school.school_id)
        pct = f"{f.attendance_percent}%" if f.attendance_percent is not None else "n/a"
        report(f"{school.school_id} {school.name} ({school.jurisdiction.value}) on {f.date}: "
               f"{f.students} students, attendance {pct}, persistent absence {f.persistent_absence}, "
               f"severe {f.severe_absence}, missing marks {f.missing_marks} that day "
               f"({f.missing_marks_ytd} this year)")
