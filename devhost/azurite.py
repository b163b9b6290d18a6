"""Start and stop Azurite (from node_modules) on loopback, for the local run and the tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from settings import azurite_connection_string

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "node_modules" / "azurite" / "dist" / "src" / "azurite.js"
# Azurite saves --location's databases once a minute rather than every 5 s, and reads a partition
# query's partition only: devhost/azurite_tuning.js says why.
TUNING = Path(__file__).with_name("azurite_tuning.js")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Azurite:
    blob_port: int
    queue_port: int
    table_port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def connection_string(self) -> str:
        return azurite_connection_string(blob=self.blob_port, queue=self.queue_port,
                                         table=self.table_port)

    def stop(self) -> None:
        """SIGTERM, so Azurite saves its database to `location` before it exits; SIGKILL only if
        it has not exited after 10 s."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start(*, location: Path | None = None, ports: tuple[int, int, int] | None = None,
          log: Path | None = None, timeout: float = 30.0) -> Azurite:
    """Start Azurite. With no `location` it keeps everything in memory (tests).
    If something already listens on all three ports (a running `make run`), reuse it."""
    blob, queue, table = ports or (free_port(), free_port(), free_port())
    if ports and all(_listening(p) for p in ports):
        return Azurite(blob, queue, table)
    node = shutil.which("node")
    if SCRIPT.exists() and node:
        command = [node, "--require", str(TUNING), str(SCRIPT)]
    elif binary := shutil.which("azurite"):
        command = [binary]
    else:
        raise RuntimeError("Azurite is not installed: run `npm ci` (make does it for you)")
    # --disableTelemetry: with telemetry on, Azurite never exits on SIGTERM where its usage report
    # cannot be sent (no network), so `stop` ended in SIGKILL and lost the writes of the last
    # autosave interval (5 s) from the data in `location`; and a local run reports nothing anywhere.
    args = [*command, "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--blobPort", str(blob),
            "--queueHost", "127.0.0.1", "--queuePort", str(queue),
            "--tableHost", "127.0.0.1", "--tablePort", str(table)]
    if location:
        location.mkdir(parents=True, exist_ok=True)
        args += ["--location", str(location)]
    else:
        args += ["--inMemoryPersistence"]
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - owned by the child
    process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + timeout
    while not all(_listening(p) for p in (blob, queue, table)):
        if process.poll() is not None:
            raise RuntimeError(f"Azurite exited with {process.returncode}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("Azurite did not start in time")
        time.sleep(0.1)
    return Azurite(blob, queue, table, process)
