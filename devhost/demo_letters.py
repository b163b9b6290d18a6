"""`make run`'s letters: approve the demo queue's letter actions as the demo attendance officer,
then let the functions do the rest exactly as in Azure: the `letter-jobs` queue renders each
letter to a PDF in Blob storage, the blob trigger delivers it (e-mail to the local SMTP server the
run starts, post to the school's print batch) and the ladder records LETTER_SENT.

Idempotent like everything else: a second `make run` finds nothing left to approve and the
artifacts already delivered, and reports the same totals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

import bootstrap
from adapters.keys import key
from adapters.table_letters import TABLE as ARTIFACTS
from adapters.tables import Entity
from demo import DemoDistrict
from devhost import demo
from devhost.host import DevHost
from domain.access import Principal, Role
from services.intervention_queue import StaffCommand

# the demo's attendance officer: what `make run` approves is audited under this name
DEMO_OFFICER = "make-run-officer"


def approve_letters(container: bootstrap.Container, district: DemoDistrict) -> dict[str, int]:
    """Approve every letter action waiting in each demo school's queue; counts by school."""
    approved: dict[str, int] = {}
    for demo_school in district.schools:
        school = demo_school.school
        officer = Principal(subject=DEMO_OFFICER, tenant_id=school.tenant_id,
                            roles=frozenset({Role.ATTENDANCE_OFFICER}),
                            school_ids=frozenset({school.school_id}))
        queue = container.intervention_queue
        letters = [i for i in queue.due(school.tenant_id, school.school_id, None) if i.stage_type.is_letter]
        for item in letters:
            queue.act(officer, school.tenant_id, school.school_id, item.id, StaffCommand.APPROVE)
        approved[school.school_id] = len(letters)
    return approved


def send_letters(host: DevHost, at: datetime, district: DemoDistrict | None = None,
                 report: Callable[[str], None] = print) -> None:
    """With the clock at `at` (the evening of the demo's last day, so letters are dated then):
    approve, render, deliver, and report what became of each school's letters."""
    district = district or demo.district()
    with host.clock_fixed_at(at):
        container = bootstrap.container()
        approved = approve_letters(container, district)
        handled = host.drain(timeout=1800)
        for demo_school in district.schools:
            school = demo_school.school
            artifacts = _artifacts(container, school.tenant_id, school.school_id)
            statuses = Counter(str(a["status"]) for a in artifacts)
            languages = Counter(str(a["language"]) for a in artifacts)
            untranslated = sum(1 for a in artifacts if a.get("missingTranslation"))
            unreachable = sum(1 for a in artifacts if a.get("guardianUnreachable"))
            report(f"{school.school_id}: {approved[school.school_id]} letter actions approved now; "
                   f"{len(artifacts)} letters ({_counts(statuses)}); languages {_counts(languages)}; "
                   f"{untranslated} sent in the school language for want of an approved translation; "
                   f"{unreachable} guardians with no usable contact")
        report(f"{handled} queue messages and blob events handled")


def _artifacts(container: bootstrap.Container, tenant_id: str, school_id: str) -> list[Entity]:
    """The school's artifact rows: one partition read (a report needs no domain objects)."""
    table = container.tables(ARTIFACTS)
    return list(table.query("PartitionKey eq @pk", parameters={"pk": key(tenant_id, school_id)},
                            select=["status", "language", "missingTranslation", "guardianUnreachable"]))


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k} {n}" for k, n in sorted(counter.items())) or "none"
