"""Storage faults (issue 11, item 8): Azurite stopped in the middle of a nightly normalization and of
a letter job, started again on the same data and ports, the queue's redelivery left to do the rest
(the local host as the Functions host: dequeue count, poison after 5). The district ends exactly as
an undisturbed run leaves it: every table row, every blob, every queue (poison queues empty) and
every e-mail the same, nothing lost and nothing twice.

One small English demo school (four weeks of marks) runs the night: a `normalize-school` message
(what the nightly timer fans out) normalizes it and hands on to `evaluate-school`, which queues
the first letters; the attendance officer approves them, `letter-jobs` renders the PDFs and the
blob trigger e-mails them to a local SMTP server. The undisturbed run counts the storage requests
each of the two functions makes; the faulted runs stop Azurite at the first, a middle and the
last of them (storage_faults.py says how, and why deterministically)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from azure.data.tables import TableServiceClient
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import QueueServiceClient

import bootstrap
from demo import generate_district
from devhost import demo as demo_loader
from devhost import demo_letters, mailbox
from devhost.host import DevHost, load_app
from devhost.queues import QueueOptions
from domain.platform.access import Principal, Role
from domain.roster.schools import Jurisdiction
from services.attendance.normalize_jobs import NORMALIZE_QUEUE, NormalizeRequest
from services.platform.ports import FixedClock
from settings import Settings
from tests.integration.storage_faults import Fault, Faults, Mode, Storage

pytestmark = pytest.mark.integration

TENANT, SCHOOL = "faults", "demo-s1"
THROUGH = date(2025, 9, 26)  # four weeks of marks: the first letters fall due
AT = datetime(2025, 9, 27, 2, tzinfo=UTC)  # the nightly's hour, the day after
NORMALIZE, RENDER = "normalize_school", "render_letter"
# the local host's own bookkeeping, not the app's: when it saw which blob
HOST_TABLES = {"devhostblobreceipts"}


@dataclass
class Outcome:
    tables: dict[str, list[dict[str, Any]]]
    blobs: dict[str, dict[str, str]]
    queues: dict[str, int]
    emails: list[tuple[str, str, str, tuple[str, ...]]]
    counts: dict[str, int]
    restarts: int
    deliveries: dict[str, int]  # function: the most times one message reached it


@contextmanager
def district_run(folder: Path, faults: tuple[Fault, ...] = ()) -> Iterator[Outcome]:
    storage = Storage(folder / "azurite")
    storage.start()
    previous = bootstrap.composition()
    try:
        with mailbox.running(folder / "mail") as (_, port), pytest.MonkeyPatch.context() as patch:
            settings = Settings(storage=storage.connection_string,  # type: ignore[arg-type] # parsed
                                environment="test",
                                auth_dev_key_dir=str(folder / "keys"), smtp_host="127.0.0.1", smtp_port=port,
                                smtp_use_tls=False)
            container = bootstrap.Composition(settings, clock=FixedClock(AT))
            container.ensure_storage()
            bootstrap.use_composition(container)
            district = generate_district(5, tenant_id=TENANT, schools=1, students_per_school=24,
                                         jurisdictions=(Jurisdiction.ENGLAND,), through=THROUGH)
            demo_loader.load_into(container, None, report=lambda _: None, demo=district)
            school = district.schools[0].school
            admin = Principal("admin", TENANT, frozenset({Role.DISTRICT_ADMIN}))
            container.rules.rule_sets.install_preset(admin, TENANT, SCHOOL, "ENG")
            host = DevHost(settings, load_app(), poll_interval=0.05, queue_options=QueueOptions(
                max_dequeue_count=5, batch_size=1, retry_delay=0, lease=30))
            watch = Faults(storage, (NORMALIZE, RENDER))
            watch.install(patch, host)
            counts: dict[str, int] = {}

            for fault in faults:
                if fault.function == NORMALIZE:
                    watch.arm(fault)
            request = NormalizeRequest(tenant_id=TENANT, school_id=SCHOOL, date=THROUGH)
            container.platform.queues.send(NORMALIZE_QUEUE, request)
            host.drain(timeout=240)
            counts[NORMALIZE] = watch.counts.get(NORMALIZE, 0)
            for fault in faults:
                if fault.function == RENDER:
                    watch.arm(fault)
            assert demo_letters.approve_letters(container, school, None) > 0
            host.drain(timeout=240)
            counts[RENDER] = watch.counts.get(RENDER, 0)
            assert [f.function for f in watch.tripped] == [f.function for f in faults]
            yield Outcome(_tables(storage), _blobs(storage), _queues(storage), _emails(folder / "mail"),
                          counts, storage.restarts, dict(watch.deliveries))
    finally:
        bootstrap.use_composition(previous)
        storage.stop()


def _tables(storage: Storage) -> dict[str, list[dict[str, Any]]]:
    service = TableServiceClient.from_connection_string(storage.connection_string)
    found = {}
    for table in service.list_tables():
        if table.name in HOST_TABLES:
            continue
        rows = [_row(table.name, dict(e)) for e in service.get_table_client(table.name).list_entities()]
        found[table.name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return found


def _row(table: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The row without what differs between any two runs by design, faults or not: correlation ids
    (new for each invocation that received none), an audit record's own id (uuid4; part of its
    RowKey), a roster import's batch id and an e-mail's Message-ID (both random). A job run's
    `attempts` differs because of the fault: it counts the redelivery."""
    row = {k: (v.value if hasattr(v, "value") else v) for k, v in raw.items()}
    row.pop("correlationId", None)
    for name, value in row.items():
        if isinstance(value, str) and value.startswith("{") and '"correlationId"' in value:
            row[name] = json.dumps({k: v for k, v in json.loads(value).items() if k != "correlationId"})
    if table == "audit":
        row.pop("id"), row.pop("RowKey")
        if row["action"] == "roster.imported":
            row.pop("entityId")
        if row["action"] == "letter.sent":
            row["after"] = json.dumps({k: v for k, v in json.loads(row["after"]).items() if k != "messageId"})
    if table == "jobruns":
        row.pop("attempts")
    return row


def _blobs(storage: Storage) -> dict[str, dict[str, str]]:
    service = BlobServiceClient.from_connection_string(storage.connection_string)
    found = {}
    for container in service.list_containers():
        client = service.get_container_client(container.name)
        found[container.name] = {b.name: hashlib.sha256(client.download_blob(b.name).readall()).hexdigest()
                                 for b in client.list_blobs()}
    return found


def _queues(storage: Storage) -> dict[str, int]:
    service = QueueServiceClient.from_connection_string(storage.connection_string)
    return {q.name: service.get_queue_client(q.name).get_queue_properties().approximate_message_count or 0
            for q in service.list_queues()}


def _emails(folder: Path) -> list[tuple[str, str, str, tuple[str, ...]]]:
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        files = tuple(sorted(f"{part.get_filename()}:{hashlib.sha256(part.get_content()).hexdigest()}"
                             for part in message.iter_attachments()))  # type: ignore[attr-defined]
        text = message.get_body(("plain",))  # type: ignore[attr-defined]
        found.append((str(message["To"]), str(message["Subject"]), text.get_content() if text else "", files))
    return sorted(found)


@pytest.fixture(scope="module")
def undisturbed(app_container, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:  # type: ignore[no-untyped-def]
    """(Needs `app_container` first, so the container put back afterwards is the session's.)"""
    with district_run(tmp_path_factory.mktemp("undisturbed")) as outcome:
        yield outcome


def test_the_undisturbed_night_sends_letters(undisturbed: Outcome) -> None:
    assert undisturbed.emails and undisturbed.counts[NORMALIZE] > 10 and undisturbed.counts[RENDER] > 5
    assert undisturbed.deliveries == {NORMALIZE: 1, RENDER: 1}
    assert not any(undisturbed.queues.values()), undisturbed.queues


@pytest.mark.parametrize(("where", "mode"), [(0.0, "refused"), (0.5, "lost"), (1.0, "lost")],
                         ids=["first-request-refused", "middle-request-lost", "last-request-lost"])
def test_a_storage_outage_mid_job_ends_as_the_undisturbed_run(  # type: ignore[no-untyped-def]
        undisturbed: Outcome, tmp_path: Path, where: float, mode: Mode) -> None:
    faults = tuple(Fault(name, max(1, round(where * undisturbed.counts[name])), mode)
                   for name in (NORMALIZE, RENDER))
    with district_run(tmp_path, faults) as faulted:
        assert faulted.restarts == 2
        assert faulted.deliveries == {NORMALIZE: 2, RENDER: 2}  # each failed once and came back
        assert faulted.queues == undisturbed.queues  # every queue empty, no poison
        assert faulted.emails == undisturbed.emails  # each letter e-mailed once, the same
        assert faulted.blobs == undisturbed.blobs  # the same PDFs, none extra
        assert faulted.tables.keys() == undisturbed.tables.keys()
        for name, rows in undisturbed.tables.items():  # summaries, instances, events, artifacts, audit
            assert faulted.tables[name] == rows, name


def test_a_stopped_azurite_keeps_every_write_it_acknowledged(tmp_path: Path) -> None:
    """Stopping it is SIGTERM, and it exits at once having saved its data: with telemetry on it
    never exited here (no network), so `stop` ended in SIGKILL and lost the last seconds of writes."""
    storage = Storage(tmp_path / "azurite")
    storage.start()
    try:
        table = TableServiceClient.from_connection_string(storage.connection_string).create_table("kept")
        for n in range(20):
            table.upsert_entity({"PartitionKey": "p", "RowKey": f"{n:02d}"})
        server = storage.server
        assert server is not None and server.process is not None
        storage.stop()
        assert server.process.returncode == 0  # exited by itself, not killed
        storage.restart()
        assert len(list(table.list_entities())) == 20
    finally:
        storage.stop()


def test_the_same_message_takes_over_the_lease_its_dead_attempt_left(app_container, unique) -> None:  # type: ignore[no-untyped-def]
    from adapters.tables.summaries import LATEST, TableLeaseRepository

    leases = TableLeaseRepository(app_container.platform.tables(LATEST))
    now = datetime(2025, 9, 27, 2, tzinfo=UTC)
    later = datetime(2025, 9, 27, 2, 10, tzinfo=UTC)
    held = leases.acquire("t-" + unique, "s1", "message-1", now, later)
    assert held is not None  # the first attempt took it, then storage went away
    assert leases.acquire("t-" + unique, "s1", "message-2", now, later) is None  # another message: busy
    again = leases.acquire("t-" + unique, "s1", "message-1", now, later)
    assert again is not None and again != held  # its redelivery: taken over
    leases.release("t-" + unique, "s1", again)
    assert leases.acquire("t-" + unique, "s1", "message-2", now, later) is not None
