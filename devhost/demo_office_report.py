"""What `make run`'s attendance office came to, per school, read back from storage (so a second
run reports the same): letters by stage and channel, meetings by outcome, the outcomes' effects
on the interventions, and where to look (the .eml folder, the print batch, the API routes).

A few whole-partition reads per school; no domain logic here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date

import bootstrap
from adapters.storage.keys import key
from adapters.tables.letters import TABLE as ARTIFACTS
from demo import DemoSchool
from domain.casework.tasks import TaskStatus
from domain.ladder.model import InstanceStatus
from domain.meetings.model import MeetingOutcome, MeetingStatus, task_id
from domain.platform.errors import NotFound
from domain.platform.paths import PRINT_BATCHES

Report = Callable[[str], None]
CHANNELS = {"EMAIL": "e-mail", "POST": "post", "EMAIL_AND_POST": "e-mail and post"}


def letters_line(container: bootstrap.Composition, tenant_id: str, school_id: str) -> str:
    table = container.platform.tables(ARTIFACTS)
    rows = table.query("PartitionKey eq @pk", parameters={"pk": key(tenant_id, school_id)},
                       select=["stageOrder", "status", "channel", "guardianUnreachable"])
    by_stage: dict[int, Counter[str]] = {}
    for row in rows:
        if row.get("guardianUnreachable"):
            how = "unreachable"
        elif row["status"] == "DELIVERED":
            how = CHANNELS.get(str(row.get("channel")), str(row.get("channel")).lower())
        else:
            how = str(row["status"]).lower()
        by_stage.setdefault(int(row["stageOrder"]), Counter())[how] += 1
    stages = "; ".join(f"stage {stage}: {_counts(c)}" for stage, c in sorted(by_stage.items()))
    return f"letters {stages or 'none'}"


def meetings_line(container: bootstrap.Composition, tenant_id: str, school_id: str) -> str:
    meetings = container.meetings.store.school(tenant_id, school_id)
    status = Counter(m.status for m in meetings)
    booked = sum(status[s] for s in (MeetingStatus.SCHEDULED, MeetingStatus.HELD, MeetingStatus.NO_SHOW))
    held = Counter(m.outcome.value for m in meetings if m.status is MeetingStatus.HELD and m.outcome)
    return (f"meetings {booked} booked, {status[MeetingStatus.HELD]} held ({_counts(held)}), "
            f"{status[MeetingStatus.NO_SHOW]} no-shows, {status[MeetingStatus.SCHEDULED]} still to come, "
            f"{status[MeetingStatus.PROPOSED]} proposed")


def effects_line(container: bootstrap.Composition, tenant_id: str, school_id: str) -> str:
    store = container.interventions.store
    instances = store.instances(tenant_id, school_id)
    stopped = sum(1 for i in instances if i.status is InstanceStatus.STOPPED)
    paused = sum(1 for i in instances if i.status is InstanceStatus.ACTIVE and i.paused_until is not None)
    tier3 = sum(1 for c in store.cases(tenant_id, school_id).values() if c.tier >= 3)
    plans = {task_id(m.id) for m in container.meetings.store.school(tenant_id, school_id)
             if m.outcome is MeetingOutcome.SUPPORT_PLAN}
    open_tasks = sum(1 for t in container.casework.store.tasks(tenant_id, school_id)
                     if t.id in plans and t.status is TaskStatus.OPEN)
    return (f"effects: {stopped} interventions stopped, {paused} paused under a medical plan, "
            f"{tier3} cases escalated to tier 3, {open_tasks} follow-up tasks open")


def print_batch_line(container: bootstrap.Composition, tenant_id: str, school_id: str,
                     days: Iterable[date]) -> str:
    """The print batch of the latest of `days` with letters posted (built if not yet)."""
    for day in sorted(days, reverse=True):
        if not container.letters.print_batch_store.entries(tenant_id, school_id, day):
            continue
        try:
            batch = container.letters.print_batches.batch(tenant_id, school_id, day)
        except NotFound:
            batch = container.letters.print_batches.build(tenant_id, school_id, day)
        return (f"print batch {day}: {batch.letters} letters, {batch.pages} pages, blob "
                f"{PRINT_BATCHES}/{batch.pdf_path};"
                f" GET /api/letters/print-batches/{day}?schoolId={school_id}")
    return "print batch: no letters posted"


def report(container: bootstrap.Composition, schools: Iterable[DemoSchool],
           days: Mapping[str, Iterable[date]], mail: str, say: Report = print) -> None:
    """`days`: each school's days the office worked, by school id."""
    for demo_school in schools:
        t, s = demo_school.school.tenant_id, demo_school.school.school_id
        say(f"{s}: {letters_line(container, t, s)}")
        say(f"{s}: {meetings_line(container, t, s)}")
        say(f"{s}: {effects_line(container, t, s)}")
        say(f"{s}: {print_batch_line(container, t, s, days.get(s, ()))}")
        say(f"{s}: e-mails in {mail}; GET /api/meetings?schoolId={s}")


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k} {n}" for k, n in sorted(counter.items())) or "none"
