"""`make run`: Azurite, the demo district, the nightly job, the intervention ladder over the
demo term, then the API on :7071 until Ctrl-C."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from datetime import date
from pathlib import Path

import bootstrap
from adapters.identity import mint_dev_token
from devhost import azurite, demo, demo_office, demo_office_report, mailbox, progress
from devhost.host import DevHost, load_app
from devhost.token import DEMO_TENANT
from functions.logging_setup import configure_logging
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".azurite"
MAIL = ROOT / ".demo-mail"
PORTS = (10000, 10001, 10002)
NIGHTLY = "nightly"


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devhost.up", description=__doc__)
    parser.add_argument("--port", type=int, default=7071)
    parser.add_argument("--date", type=date.fromisoformat, default=None,
                        help="run the nightly job as of this date (default: the day after the demo's "
                             "last day of marks)")
    parser.add_argument("--no-serve", action="store_true", help="stop after the nightly job")
    args = parser.parse_args(argv)

    configure_logging("WARNING")
    server = azurite.start(location=DATA, ports=PORTS, log=DATA / "azurite.log")
    say(f"Azurite on 127.0.0.1:{PORTS[0]}-{PORTS[2]} (data in {DATA.relative_to(ROOT)}/)")
    stack = contextlib.ExitStack()
    _, smtp_port = stack.enter_context(mailbox.running(MAIL))
    say(f"local SMTP server on 127.0.0.1:{smtp_port}: e-mailed letters land in {MAIL.relative_to(ROOT)}/")
    # the app's mailer talks plain SMTP to it; in Azure it is ACS's SMTP endpoint with STARTTLS
    settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_use_tls=False)
    container = bootstrap.Composition(settings)
    bootstrap.use_composition(container)
    try:
        container.ensure_storage()
        host = DevHost(settings, load_app())
        # importing function_app configured INFO logging; keep the console to what it prints
        logging.getLogger().setLevel(logging.WARNING)
        run_date = load_demo(container, args.date)
        run_nightly(container, host, run_date)
        run_office(container, host)
        print_access(settings, args.port)
        if not args.no_serve:
            say(f"serving http://localhost:{args.port}  (Ctrl-C to stop)")
            host.serve("127.0.0.1", args.port)
    except KeyboardInterrupt:
        pass
    finally:
        stack.close()
        server.stop()
    return 0


def load_demo(container: bootstrap.Composition, run_date: date | None) -> date:
    """Load the demo district (idempotent) and return the date to run the nightly job on."""
    say("loading the demo district (the first run takes several minutes; later runs reuse .azurite/)")
    return demo.load_into(container, run_date, report=say)


def run_nightly(container: bootstrap.Composition, host: DevHost, run_date: date) -> None:
    """Fire the nightly timer as it would run on `run_date` (it normalizes the day before),
    then process the per-school messages it fans out."""
    at = host.fire_time(NIGHTLY, run_date)
    say(f"running the nightly job as of {at:%Y-%m-%d %H:%M} UTC")
    with host.clock_fixed_at(at), progress.bar("nightly") as bar:
        host.fire(NIGHTLY)
        handled = host.drain(timeout=900, on_poll=lambda done: bar.update(
            completed=done.total(), note=", ".join(f"{n} {name}" for name, n in sorted(done.items()))))
    say(f"nightly job done ({handled} queued messages handled); the schools' figures:")
    demo.print_figures(container, report=lambda line: print(f"    {line}", flush=True))


def run_office(container: bootstrap.Composition, host: DevHost) -> None:
    """Replay the scheduler over the term with the demo attendance officer working the queue at
    each week's end (devhost/demo_office.py), then report what came of it per school."""
    indent = lambda line: print(f"    {line}", flush=True)  # noqa: E731
    say("installing each school's jurisdiction preset and replaying the scheduler over the term; at each "
        "week's end the demo attendance officer approves letters, books meetings and records outcomes")
    district = demo.district()
    office = demo_office.Office(host)
    demo.run_interventions(container, district, report=indent, after_night=office.after_night)
    say(f"the attendance office's weekly passes took {office.seconds:.0f} s; what came of them:")
    worked = {s.school.school_id: sorted(demo_office.week_ends(s.calendar, s.calendar.school_days_between(
        s.calendar.start, s.through))) for s in district.schools}
    demo_office_report.report(container, district.schools, worked, f"{MAIL.relative_to(ROOT)}/", say=indent)


def print_access(settings: Settings, port: int) -> None:
    token = mint_dev_token(settings, role="DistrictAdmin", tenant_id=DEMO_TENANT)
    base = f"http://localhost:{port}"
    print(f"""
  API          {base}/api/health
  OpenAPI      {base}/api/openapi.json   (UI: {base}/api/docs)
  Job runs     curl -H "Authorization: Bearer $TOKEN" {base}/api/jobs
  A school     curl -H "Authorization: Bearer $TOKEN" "{base}/api/attendance/schools/summary?schoolId=demo-s1"
  Students     curl -H "Authorization: Bearer $TOKEN" "{base}/api/students?schoolId=demo-s1&limit=5"
  The queue    curl -H "Authorization: Bearer $TOKEN" "{base}/api/interventions/queue?schoolId=demo-s1"
  Meetings     curl -H "Authorization: Bearer $TOKEN" "{base}/api/meetings?schoolId=demo-s1"
  Other roles  make token ROLE=AttendanceOfficer SCHOOL=<schoolId>

  TOKEN={token}
""", flush=True)


if __name__ == "__main__":
    logging.captureWarnings(True)
    sys.exit(main())
