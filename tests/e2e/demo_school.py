"""One small English demo school loaded and normalized, on a container that e-mails a local SMTP
server (devhost/mailbox.py): the start of the `make run` letters and office e2e tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import bootstrap
from demo import DemoDistrict, generate_district
from devhost import demo as demo_loader
from devhost import mailbox
from devhost.host import DevHost, load_app
from domain.roster.schools import Jurisdiction
from settings import Settings

SCHOOL = "demo-s1"


@dataclass(frozen=True)
class DemoSchoolRig:
    container: bootstrap.Composition
    host: DevHost
    district: DemoDistrict
    run_date: date
    inbox: mailbox.FolderMailbox
    folder: Path


@contextmanager
def demo_school(settings: Settings, folder: Path, *, seed: int, tenant_id: str, students: int,
                through: date) -> Iterator[DemoSchoolRig]:
    """Install the rig's container as the app's for the block, then put back the one before
    (so a module fixture using it must come after `app_container`)."""
    with mailbox.running(folder) as (inbox, port):
        mail_settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                                    "smtp_use_tls": False})
        container = bootstrap.Composition(mail_settings)
        container.ensure_storage()
        before = bootstrap.composition()
        bootstrap.use_composition(container)
        try:
            district = generate_district(seed, tenant_id=tenant_id, schools=1, students_per_school=students,
                                         jurisdictions=(Jurisdiction.ENGLAND,), through=through)
            run_date = demo_loader.load_into(container, None, report=lambda _: None, demo=district)
            # this tenant's school only: the nightly timer's run for a date is one job for every
            # tenant, and test_demo_run fires it for the same date
            container.attendance.normalize_jobs.run(tenant_id, SCHOOL, through)
            yield DemoSchoolRig(container, DevHost(mail_settings, load_app()), district, run_date, inbox,
                                folder)
        finally:
            bootstrap.use_composition(before)
