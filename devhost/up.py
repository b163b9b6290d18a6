"""`make run`: Azurite, the demo district, the nightly job, then the API on :7071 until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path

import bootstrap
from adapters.identity import mint_dev_token
from devhost import azurite
from devhost.host import DevHost, load_app
from devhost.token import DEMO_TENANT
from functions.logging_setup import configure_logging
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".azurite"
PORTS = (10000, 10001, 10002)
NIGHTLY = "nightly"


def say(text: str) -> None:
    print(f"==> {text}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devhost.up", description=__doc__)
    parser.add_argument("--port", type=int, default=7071)
    parser.add_argument("--date", type=date.fromisoformat, default=None,
                        help="run the nightly job as of this date (default: the demo's last day)")
    parser.add_argument("--no-serve", action="store_true", help="stop after the nightly job")
    args = parser.parse_args(argv)

    settings = Settings()
    configure_logging("WARNING")
    server = azurite.start(location=DATA, ports=PORTS, log=DATA / "azurite.log")
    say(f"Azurite on 127.0.0.1:{PORTS[0]}-{PORTS[2]} (data in {DATA.relative_to(ROOT)}/)")
    container = bootstrap.Container(settings)
    bootstrap.use_container(container)
    try:
        container.ensure_storage()
        host = DevHost(settings, load_app())
        run_date = load_demo(container, args.date)
        run_nightly(host, run_date)
        print_access(settings, args.port)
        if not args.no_serve:
            say(f"serving http://localhost:{args.port}  (Ctrl-C to stop)")
            host.serve("127.0.0.1", args.port)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def load_demo(container: bootstrap.Container, run_date: date | None) -> date | None:
    """Load the demo district (idempotent) and return the date to run the nightly job for."""
    try:
        from devhost import demo
    except ImportError:
        say("no demo district loader yet: skipping demo data")
        return run_date
    return demo.load_into(container, run_date, report=say)


def run_nightly(host: DevHost, run_date: date | None) -> None:
    names = {fn.name for fn in host.runnable("timerTrigger")}
    if NIGHTLY not in names:
        say("no nightly job registered yet: skipping")
        return
    say(f"running the nightly job{f' for {run_date}' if run_date else ''}")
    with host.clock_fixed_at(host.fire_time(NIGHTLY, run_date) if run_date else None):
        host.fire(NIGHTLY)
        handled = host.drain(timeout=600)
    say(f"nightly job done ({handled} queued messages handled)")


def print_access(settings: Settings, port: int) -> None:
    token = mint_dev_token(settings, role="DistrictAdmin", tenant_id=DEMO_TENANT)
    base = f"http://localhost:{port}"
    print(f"""
  API          {base}/api/health
  OpenAPI      {base}/api/openapi.json   (UI: {base}/api/docs)
  Job runs     curl -H "Authorization: Bearer $TOKEN" {base}/api/jobs
  Other roles  make token ROLE=AttendanceOfficer SCHOOL=<schoolId>

  TOKEN={token}
""", flush=True)


if __name__ == "__main__":
    logging.captureWarnings(True)
    sys.exit(main())
