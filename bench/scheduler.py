"""Bench (e): the nightly intervention scheduler end to end, against an in-memory Azurite this
script starts and stops. One English demo school is loaded through the real services (roster
import, ingestion, as bench/round_trips.py does), normalized, and the England preset installed
through `RuleSets.install_preset`; then `Nightly.run` for one night is timed and its table
round trips counted (`Tables.counter` deltas), next to a per-student design. The same night is
run again (a re-run: a fixpoint, nothing to write), then one more day is ingested, normalized
and its night run (a second night, with the first night's instances in place). Last, a mid-term
night (bench/scheduler_spread.py): instances at the meeting stage entered on many different days,
first as stored before baselines, then with them; each night reports the summary rows it read.

    python -m bench.scheduler [--students 1000] [--days 15] [--seed 42]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import date

from bench import scheduler_spread as spread
from bench.common import SEED, azurite_container, say
from bench.round_trips import PER_STUDENT, TENANT, YEAR_START, Measured, counted, ingest, load
from bootstrap import Composition
from demo import DemoSchool, demo_calendar, generate_district, iter_mark_rows
from domain.platform.access import Principal, Role
from domain.roster.schools import Jurisdiction
from services.interventions.school_night import NightResult

ADMIN = Principal("bench", TENANT, frozenset({Role.DISTRICT_ADMIN}))


def report(label: str, night: Measured[NightResult]) -> None:
    counters = night.result.counters
    students = counters.get("students", 0)
    say(f"  {label}: {students:,} students, counters {counters}")
    say(f"    round trips        {night.trips:>7,}  = {night.trips / max(1, students):.4f} per student")
    say(f"    by kind            {night.kinds}")
    say(f"    rows read          {counters.get('rowsLoaded', 0):>7,}  on {counters.get('rowDates', 0)} dates")
    say(f"    time               {night.wall:.2f} s wall = {night.wall / max(1, students) * 1e3:.2f} ms "
        f"per student, {night.cpu:.2f} s CPU in Python")
    if night.trips:
        say(f"    per-student design {PER_STUDENT * students:>7,}  = {PER_STUDENT} per student "
            f"(one read of the student's instance and rows + one write): "
            f"{PER_STUDENT * students / night.trips:.0f}x the round trips")


def measure(container: Composition, school: DemoSchool, day: date, next_day: date) -> None:
    school_id = school.school_id
    rows = list(iter_mark_rows(school))
    start = time.perf_counter()
    load(container, school)
    marks = ingest(container, school, [r for r in rows if r.date <= day], bar="loading marks")
    normalized = container.attendance.normalization.normalize(TENANT, school_id, day)
    (rule_set, _), installed = container.rules.rule_sets.install_preset(ADMIN, TENANT, None,
                                                                        Jurisdiction.ENGLAND.value)
    say(f"  loaded {len(school.students):,} students and {marks:,} marks to {day}, normalized "
        f"({normalized.rows:,} rows), installed {rule_set.id} v{rule_set.version} tenant-wide "
        f"({'new' if installed else 'already there'}) ({time.perf_counter() - start:.1f} s, untimed)")

    nightly = container.nightly.service  # the housekeeping and the evaluation, as the job runs them
    first = counted(container, lambda: nightly.run(TENANT, school_id, day))
    report(f"first night, nightly.run({day})", first)
    again = counted(container, lambda: nightly.run(TENANT, school_id, day))
    report(f"re-run of the same night, nightly.run({day})", again)

    start = time.perf_counter()
    ingest(container, school, [r for r in rows if r.date == next_day])
    container.attendance.normalization.normalize(TENANT, school_id, next_day)
    say(f"  ingested and normalized {next_day} ({time.perf_counter() - start:.1f} s, untimed)")
    second = counted(container, lambda: nightly.run(TENANT, school_id, next_day))
    report(f"second night, nightly.run({next_day})", second)

    start = time.perf_counter()
    instances = spread.seed(container, TENANT, school_id, rule_set, next_day)
    entry_days = {i.stage_entered_on for i in instances if i.stage_order == 3}
    say(f"  seeded {sum(i.stage_order == 3 for i in instances):,} instances at the meeting stage, entered "
        f"on {len(entry_days)} different days, stored without baselines "
        f"({time.perf_counter() - start:.1f} s, untimed)")
    old = counted(container, lambda: nightly.run(TENANT, school_id, next_day))
    report(f"mid-term night, instances stored before baselines, nightly.run({next_day})", old)
    added = spread.add_baselines(container, TENANT, school_id, instances)
    say(f"  added the entry day's counters (StageBaseline) to {added:,} instances (untimed)")
    new = counted(container, lambda: nightly.run(TENANT, school_id, next_day))
    report(f"mid-term night, instances with baselines, nightly.run({next_day})", new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scheduler", description=__doc__)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--days", type=int, default=15,
                        help="school days of marks before the measured night (at least 14: 15 days "
                             "make the 30 sessions the preset's attendance guard needs)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)  # the services log at INFO: keep the output to figures

    school_days = demo_calendar(Jurisdiction.ENGLAND, YEAR_START).school_days
    day, next_day = school_days[args.days], school_days[args.days + 1]
    school = generate_district(args.seed, tenant_id=TENANT, schools=1, students_per_school=args.students,
                               school_year_start=YEAR_START, through=next_day).schools[0]
    say(f"scheduler: 1 English school, {args.students:,} students, {args.days + 1} school days of marks "
        f"to {day}, England preset, then {next_day}; seed {args.seed}")
    with azurite_container() as container:
        measure(container, school, day, next_day)
    return 0


if __name__ == "__main__":
    sys.exit(main())
