"""Bench (h): storage requests per letter job, `render_letter` and the blob-triggered
`deliver_letter`, over `make run`'s replay of a small England demo school (the office approving
letters and booking meetings each week, the local host rendering and delivering them).

Requests are counted at the SDK's HTTP transport on the function's own thread while it runs, so
the host's polling is not counted; the PDF blob and the e-mail are shown apart. Baseline in the
same run: the same replay with the school-wide reads not shared between a school's letter jobs
(services/letters/school_reads.py with a TTL of 0), the design before issue 14. Issue 14's target
is 6 a job each.

    python -m bench.letter_requests [--students 120] [--through 2025-11-28]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import tempfile
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from azure.core.pipeline.transport import RequestsTransport

import bootstrap
from bench.common import say
from demo import generate_district
from devhost import azurite, demo, demo_office, mailbox, up
from devhost.discovery import HostFunction
from devhost.host import DevHost, load_app
from devhost.invoke import Delivery, Invoker
from domain.roster.schools import Jurisdiction
from functions.logging_setup import configure_logging
from services.letters import school_reads
from settings import Settings, StorageConnection

JOBS = ("render_letter", "deliver_letter")
TARGET = 6
TTL = school_reads.TTL


class Requests:
    """Requests by function and kind, counted while a function runs on this thread."""

    def __init__(self) -> None:
        self.by_function: dict[str, Counter[str]] = defaultdict(Counter)
        self.calls: Counter[str] = Counter()
        self._local = threading.local()

    @contextlib.contextmanager
    def counting(self) -> Iterator[None]:
        send, call = RequestsTransport.send, Invoker.call
        requests = self

        def counted_send(transport: RequestsTransport, request: Any, **kwargs: Any) -> Any:
            name = getattr(requests._local, "function", None)
            if name:
                kind = "blob" if "/letters/" in urlparse(request.url).path else "other"
                requests.by_function[name][kind] += 1
            return send(transport, request, **kwargs)

        def counted_call(invoker: Invoker, fn: HostFunction, value: Any,
                         delivery: Delivery | None = None) -> Any:
            requests._local.function = fn.name
            requests.calls[fn.name] += 1
            try:
                return call(invoker, fn, value, delivery)
            finally:
                requests._local.function = None

        # the counting wraps the SDK's transport and the host's invoker for this block only
        RequestsTransport.send = counted_send
        Invoker.call = counted_call  # type: ignore[method-assign, assignment]  # a function, not a method
        try:
            yield
        finally:
            RequestsTransport.send = send
            Invoker.call = call  # type: ignore[method-assign]

    def per_job(self, name: str) -> tuple[int, float, float]:
        """Jobs, requests per job without the PDF blob, and with it."""
        jobs = self.calls[name] or 1
        kinds = self.by_function[name]
        return self.calls[name], kinds["other"] / jobs, (kinds["other"] + kinds["blob"]) / jobs


def replay(students: int, through: date, *, shared: bool) -> Requests:
    configure_logging("WARNING")
    server = azurite.start()
    with tempfile.TemporaryDirectory() as mail, mailbox.running(Path(mail)) as (_, port):
        try:
            settings = Settings(storage=StorageConnection(connection_string=server.connection_string),
                                environment="test", smtp_host="127.0.0.1",
                                smtp_port=port, smtp_use_tls=False)
            container = bootstrap.Composition(settings)
            container.ensure_storage()
            # the office's passes build their own compositions (the clock fixed): the TTL they read
            school_reads.TTL = school_reads.TTL if shared else 0.0
            bootstrap.use_composition(container)
            host = DevHost(settings, load_app())
            logging.getLogger().setLevel(logging.WARNING)
            district = generate_district(2026, schools=1, students_per_school=students,
                                         jurisdictions=(Jurisdiction.ENGLAND,), through=through)
            run_date = demo.load_into(container, None, report=lambda _: None, demo=district)
            up.run_nightly(container, host, run_date)
            requests, office = Requests(), demo_office.Office(host)
            with requests.counting():
                demo.run_interventions(container, district, report=lambda _: None,
                                       after_night=office.after_night)
            return requests
        finally:
            school_reads.TTL = TTL
            bootstrap.use_composition(None)
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=120)
    parser.add_argument("--through", type=date.fromisoformat, default=date(2025, 11, 28))
    args = parser.parse_args(argv)
    runs = {"not shared (before)": replay(args.students, args.through, shared=False),
            "shared (now)": replay(args.students, args.through, shared=True)}
    say(f"{args.students}-student England school, replayed to {args.through}; requests per job "
        f"(without the PDF blob / with it), target {TARGET}:")
    for label, requests in runs.items():
        parts = []
        for name in JOBS:
            jobs, without, with_blob = requests.per_job(name)
            parts.append(f"{name} {without:.1f} / {with_blob:.1f} ({jobs} jobs)")
        say(f"  {label:<20} " + "; ".join(parts))
    if runs["shared (now)"].calls != runs["not shared (before)"].calls:
        say("the two replays ran different jobs: the figures do not compare")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
