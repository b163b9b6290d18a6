"""The trigger chain on Azurite through the local Functions host: a `normalize-school` message
(what the nightly timer fans out) runs `normalize_school`, whose `after` hook enqueues
`evaluate-school`; `evaluate_school` then runs the scheduler, which fills the intervention queue.
Both steps are job runs; draining again finds nothing new to do."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from devhost.host import DevHost, load_app
from devhost.queues import QueueOptions
from services.attendance.normalize_jobs import NORMALIZE_QUEUE, NormalizeRequest
from services.interventions.jobs import EVALUATE_QUEUE
from tests.integration.test_attendance_api import add_school, mark, post
from tests.integration.test_interventions_api import FIRST, NIGHT

pytestmark = pytest.mark.integration


def test_normalize_message_hands_on_to_the_scheduler_which_fills_the_queue(  # type: ignore[no-untyped-def]
        client, admin, mint, tenant, settings, app_container):
    absent, *present = add_school(client, admin, "s1", 3)
    days = [FIRST + timedelta(days=i) for i in range(19) if (FIRST + timedelta(days=i)).weekday() < 5]
    post(client, mint("Integration", tenant, ["s1"]),
         [mark(sid, d.isoformat(), session, "O" if sid == absent else "/")
          for sid in (absent, *present) for d in days for session in ("AM", "PM")])
    assert client.post("/api/interventions/rules/presets/ENG", params={"schoolId": "s1"},
                       headers=admin).status_code == 201
    host = DevHost(settings, load_app(), poll_interval=0.05,
                   queue_options=QueueOptions(max_dequeue_count=5, batch_size=8, retry_delay=0, lease=60))
    assert {EVALUATE_QUEUE, NORMALIZE_QUEUE} <= set(host.queues.queue_names())
    night = date.fromisoformat(NIGHT)
    app_container.platform.queues.send(NORMALIZE_QUEUE,
                                       NormalizeRequest(tenant_id=tenant, school_id="s1", date=night))
    host.drain(timeout=120)

    runs = {(r.kind, r.scope): r for r in app_container.platform.jobs.list(tenant)[0]}
    assert runs[("normalize", f"s1/{NIGHT}")].status.value == "SUCCEEDED"
    evaluated = runs[("interventions", f"s1/{NIGHT}")]
    assert evaluated.status.value == "SUCCEEDED" and evaluated.counters["studentsChanged"] == 1, evaluated
    teacher = mint("Teacher", tenant, ["s1"])
    listed = client.get("/api/interventions/queue", params={"schoolId": "s1"}, headers=teacher)
    items = listed.json()["items"]  # the absent pupil on both of England's tracks
    assert {(i["studentId"], i["track"], i["stageType"]) for i in items} == {
        (absent, "SUPPORT", "LETTER_1"), (absent, "STATUTORY", "ESCALATION")}

    # redelivered: both job runs are skipped, nothing is written twice
    app_container.platform.queues.send(NORMALIZE_QUEUE,
                                       NormalizeRequest(tenant_id=tenant, school_id="s1", date=night))
    host.drain(timeout=120)
    again = {(r.kind, r.scope): r for r in app_container.platform.jobs.list(tenant)[0]}
    assert again[("interventions", f"s1/{NIGHT}")].counters == evaluated.counters
    assert len(client.get("/api/interventions/queue", params={"schoolId": "s1"},
                          headers=teacher).json()["items"]) == 2
