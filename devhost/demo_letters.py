"""The demo's letters: approve the queue's letter actions as the demo attendance officer (`make
run`'s office does it each week, devhost/demo_office.py; `send_letters` is one such pass), then
let the functions do the rest exactly as in Azure: the `letter-jobs` queue renders each
letter to a PDF in Blob storage, the blob trigger delivers it (e-mail to the local SMTP server the
run starts, post to the school's print batch) and the ladder records LETTER_SENT.

Idempotent like everything else: a second `make run` finds nothing left to approve and the
artifacts already delivered, and reports the same totals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime

import bootstrap
from adapters.storage.keys import key
from adapters.storage.tables import Entity
from adapters.tables.letters import TABLE as ARTIFACTS
from demo import DemoDistrict
from devhost import demo
from devhost.host import DevHost
from domain.platform.access import Principal, Role
from domain.roster.schools import School
from services.interventions.batch import MAX_BATCH

# the demo's attendance officer: what `make run` approves is audited under this name
DEMO_OFFICER = "make-run-officer"


def officer(school: School) -> Principal:
    """The demo attendance officer of `school`."""
    return Principal(subject=DEMO_OFFICER, tenant_id=school.tenant_id,
                     roles=frozenset({Role.ATTENDANCE_OFFICER}), school_ids=frozenset({school.school_id}))


def approve_letters(container: bootstrap.Composition, school: School, day: date | None) -> int:
    """Approve the letter actions queued by `day` (any day when None), oldest first as the queue
    lists them, as the school's demo officer; how many."""
    queue, who = container.interventions.queue, officer(school)
    letters = [i.id for i in queue.due(school.tenant_id, school.school_id, day) if i.stage_type.is_letter]
    approved = 0
    for start in range(0, len(letters), MAX_BATCH):  # as staff would: the batch route, 100 at a time
        outcomes = container.interventions.batch_approval.approve(who, school.tenant_id, school.school_id,
                                                                  letters[start:start + MAX_BATCH])
        approved += sum(1 for o in outcomes if o.approved)
    return approved


def send_letters(host: DevHost, at: datetime, district: DemoDistrict | None = None,
                 report: Callable[[str], None] = print) -> None:
    """With the clock at `at` (the evening of the demo's last day, so letters are dated then):
    approve, render, deliver, and report what became of each school's letters."""
    district = district or demo.district()
    with host.clock_fixed_at(at):
        container = bootstrap.composition()
        approved = {s.school.school_id: approve_letters(container, s.school, None) for s in district.schools}
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


def _artifacts(container: bootstrap.Composition, tenant_id: str, school_id: str) -> list[Entity]:
    """The school's artifact rows: one partition read (a report needs no domain objects)."""
    table = container.platform.tables(ARTIFACTS)
    return list(table.query("PartitionKey eq @pk", parameters={"pk": key(tenant_id, school_id)},
                            select=["status", "language", "missingTranslation", "guardianUnreachable"]))


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k} {n}" for k, n in sorted(counter.items())) or "none"
