"""Bench: a Wonde sync of one school from the local Wonde server, against an in-memory Azurite.

A full first sync, then a quiet intraday sync (nothing changed): Wonde requests and table round
trips (`Tables.counter`) per student, beside the push path's figures for the same data loaded
into a second school through the roster import and mark ingestion.

    python -m bench.wonde_sync [--students 2000] [--through 2025-09-26]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from typing import Any

from adapters.wonde import WondeClient
from bench.common import azurite_container, say
from bootstrap import Composition
from demo import (
    DemoSchool,
    calendar_body,
    generate_district,
    iter_mark_rows,
    wonde_mark_batches,
    wonde_student_batches,
)
from devhost.wonde_data import wonde_district
from devhost.wonde_server import WondeServer
from domain.attendance.calendar import SchoolCalendar
from domain.sis.sync_state import Connection
from services.sis.connections import Connections


class _Tokens:
    """The bench's school token, without touching the environment."""

    def __init__(self, token: str) -> None:
        self._token = token

    def token(self, setting: str) -> str | None:
        return self._token


def _setup(container: Composition, demo: DemoSchool) -> None:
    school = demo.school
    container.roster.service.put_school(None, school)
    body = calendar_body(demo.calendar)
    calendar = SchoolCalendar.from_dict({**body, "schoolYear": demo.calendar.school_year})
    container.roster.service.put_calendar(None, school.tenant_id, school.school_id, calendar)


def _measure(container: Composition, client: WondeClient | None, run: Any) -> dict[str, float]:
    trips, started = container.platform.tables.counter.round_trips, time.monotonic()
    requests = client.stats.requests if client else 0
    run()
    return {"seconds": round(time.monotonic() - started, 1),
            "round_trips": container.platform.tables.counter.round_trips - trips,
            "requests": (client.stats.requests - requests) if client else 0}


def _push(container: Composition, demo: DemoSchool) -> None:
    tenant, school = demo.school.tenant_id, demo.school_id
    for payload in wonde_student_batches(demo.students, demo.guardians, demo.links):
        container.roster.service.import_students(None, tenant, school, payload)
    for payload in wonde_mark_batches(iter_mark_rows(demo)):
        container.attendance.ingestion.ingest_payload(None, tenant, school, json.dumps(payload).encode())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--through", type=date.fromisoformat, default=date(2025, 9, 26))
    args = parser.parse_args()
    district = generate_district(42, tenant_id="bench", schools=1, students_per_school=args.students,
                                 through=args.through)
    # the same school again in another tenant, for the push path
    pushed = generate_district(42, tenant_id="bench-push", schools=1, students_per_school=args.students,
                               through=args.through).schools[0]
    pulled = district.schools[0]
    data = wonde_district(district)
    wonde = data.for_demo(pulled.school_id)
    with azurite_container() as container, WondeServer(data) as server:
        client = WondeClient(base_url=server.url)
        container.sis.source = client
        container.sis.connections = Connections(container.sis.state, _Tokens(wonde.token),
                                                container.roster.reader, container.platform.audit)
        for demo in (pulled, pushed):
            _setup(container, demo)
        container.sis.connections.connect(None, Connection("bench", pulled.school_id, wonde.wonde_id))
        sync = container.sis.sync
        def once() -> None:
            sync.run(None, "bench", pulled.school_id)
        figures = {"first sync": _measure(container, client, once),
                   "quiet sync": _measure(container, client, once),
                   "push path": _measure(container, None, lambda: _push(container, pushed))}
    marks = sum(1 for _ in iter_mark_rows(pulled))
    say(f"{args.students} students, {marks} marks (through {args.through})")
    for name, f in figures.items():
        say(f"{name:>10}: {f['requests']:>5} Wonde requests ({f['requests'] / args.students:.3f}/student), "
            f"{f['round_trips']:>6} table round trips ({f['round_trips'] / args.students:.2f}/student), "
            f"{f['seconds']} s")


if __name__ == "__main__":
    main()
