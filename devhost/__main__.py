"""Command line: `python -m devhost serve | list | fire | drain | send-sb` (see docs/devhost.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from azure.core.exceptions import ServiceRequestError

import bootstrap
from devhost.host import DEFAULT_APP, DevHost, load_app
from devhost.hostconfig import HOST_JSON, HostConfig
from functions.logging_setup import configure_logging
from settings import Settings


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m devhost",
                                   description="Run the registered Azure Functions locally.")
    root.add_argument("--app", default=DEFAULT_APP, help="module:attribute of the FunctionApp (%(default)s)")
    root.add_argument("--host-json", type=Path, default=HOST_JSON, help="host.json to read")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="HTTP, timers and queue/blob pollers until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=7071)
    serve.add_argument("--no-timers", action="store_true", help="do not fire timers on their schedule")
    serve.add_argument("--no-queues", action="store_true", help="do not poll queues or blobs")
    serve.add_argument("--poll-interval", type=float, default=1.0, help="seconds between idle polls")

    commands.add_parser("list", help="print the discovered functions and their triggers")

    fire = commands.add_parser("fire", help="run a timer function now")
    fire.add_argument("name")
    fire.add_argument("--date", type=date.fromisoformat,
                      help="YYYY-MM-DD: fix the app clock at the schedule's time on that day")
    fire.add_argument("--past-due", action="store_true", help="pass TimerRequest(past_due=True)")
    fire.add_argument("--drain", action="store_true",
                      help="then drain queues and blobs, still on the --date clock")
    fire.add_argument("--timeout", type=float, default=300.0, help="drain timeout in seconds")

    drain = commands.add_parser("drain", help="process queue/blob triggers until nothing is pending")
    drain.add_argument("--timeout", type=float, default=300.0)
    drain.add_argument("--poll-interval", type=float, default=0.5)

    send_sb = commands.add_parser("send-sb", help="deliver a JSON message to a Service Bus function")
    send_sb.add_argument("name")
    send_sb.add_argument("file", help="JSON file with the message body, or - for stdin")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level)
    host = DevHost(settings, load_app(args.app), config=HostConfig.load(args.host_json),
                   poll_interval=getattr(args, "poll_interval", 1.0))
    if args.command == "list":
        print("\n".join(host.describe()))
        return 0
    try:
        _check(host, args)
    except (KeyError, ValueError) as exc:
        print(exc.args[0] if exc.args else exc, file=sys.stderr)
        return 2
    # Functions reach storage through bootstrap.composition(): give it the same Settings.
    container = bootstrap.Composition(settings)
    bootstrap.use_composition(container)
    try:
        container.ensure_storage()
        return _run(host, args)
    except (ServiceRequestError, ConnectionError) as exc:
        # the storage adapters raise ConnectionError from the SDK's error (adapters/storage/errors.py)
        cause = exc if isinstance(exc, ServiceRequestError) else exc.__cause__
        if not isinstance(cause, ServiceRequestError):
            raise
        print(f"cannot reach storage ({type(cause).__name__}): is Azurite running?", file=sys.stderr)
        return 2
    except TimeoutError as exc:
        print(f"drain: {exc}", file=sys.stderr)
        return 1


def _check(host: DevHost, args: argparse.Namespace) -> None:
    """Refuse an unknown or wrong-kind function name before touching storage."""
    if args.command == "fire":
        host.expect(args.name, "timerTrigger")
    elif args.command == "send-sb":
        host.expect(args.name, "serviceBusTrigger")


def _run(host: DevHost, args: argparse.Namespace) -> int:
    if args.command == "serve":
        host.serve(args.host, args.port, timers=not args.no_timers, queues=not args.no_queues,
                   blobs=not args.no_queues)
        return 0
    if args.command == "fire":
        at = host.fire_time(args.name, args.date) if args.date else None
        with host.clock_fixed_at(at):
            if not _invoked(lambda: host.fire(args.name, past_due=args.past_due)):
                return 1
            if args.drain:
                print(f"drained: handled {host.drain(args.timeout)} queue messages and blobs")
        return 0
    if args.command == "drain":
        print(f"drained: handled {host.drain(args.timeout)} queue messages and blobs")
        return 0
    if args.command == "send-sb":
        body = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
        return 0 if _invoked(lambda: host.send_service_bus(args.name, body)) else 1
    raise AssertionError(args.command)


def _invoked(invoke: Callable[[], object]) -> bool:
    """Run one invocation; a failure has been logged with its traceback by the invoker."""
    try:
        invoke()
    except Exception:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
