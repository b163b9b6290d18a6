"""Scheduling normalization: nightly fan-out per school time zone, SIS syncs, job-run skips."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.platform.events import SisSyncCompleted
from domain.platform.jobs import JobStatus
from domain.roster.schools import Jurisdiction, School
from services.attendance.normalize_jobs import BUSY_RETRY_SECONDS, NormalizeRequest, parse_request
from tests.fakes_attendance import SCHOOL, TENANT, england

NIGHT = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)


def test_the_nightly_sends_one_message_per_school_for_yesterday_in_its_time_zone():
    world = england()
    world.roster.schools["ca"] = School(tenant_id="t2", school_id="ca", name="Oak Valley",
                                        jurisdiction=Jurisdiction.CALIFORNIA,
                                        time_zone="America/Los_Angeles")
    world.clock.at = NIGHT
    assert world.jobs.fan_out() == 2
    sent = {body.school_id: body for body, _ in world.sent}
    assert sent[SCHOOL].date == date(2025, 3, 3)  # 02:00 in London: yesterday is the 3rd
    assert sent["ca"].date == date(2025, 3, 2)  # 18:00 on the 3rd in California
    assert (sent["ca"].tenant_id, sent["ca"].force, sent["ca"].reason) == ("t2", False, "nightly")


def test_a_sis_sync_normalizes_the_local_date_it_completed_on_forced():
    world = england()
    sync = SisSyncCompleted(tenant_id=TENANT, school_id=SCHOOL, sync_id="s-1",
                            completed_at=datetime(2025, 6, 3, 23, 30, tzinfo=UTC))  # 00:30 BST
    request = world.jobs.on_sis_sync(sync)
    assert (request.date, request.force, request.reason) == (date(2025, 6, 4), True, "sis-sync")
    assert world.sent == [(request, {})]


def test_a_message_runs_once_in_a_job_run_and_a_redelivery_is_skipped():
    world = england()
    request = NormalizeRequest(tenant_id=TENANT, school_id=SCHOOL, date=date(2024, 9, 2))
    run = world.jobs.handle(request)
    assert run is not None and run.status is JobStatus.SUCCEEDED
    assert (run.kind, run.scope, run.tenant_id) == ("normalize", f"{SCHOOL}/2024-09-02", TENANT)
    assert run.counters["rows"] == 3
    writes = len(world.summaries.events)
    again = world.jobs.handle(request)
    assert again is not None and again.attempts == 1 and len(world.summaries.events) == writes
    forced = world.jobs.handle(request.model_copy(update={"force": True}))
    assert forced is not None and forced.attempts == 2


def test_a_busy_school_sends_the_message_again_later():
    world = england()
    world.summaries.lease = ("other", datetime(2099, 1, 1, tzinfo=UTC))
    request = NormalizeRequest(tenant_id=TENANT, school_id=SCHOOL, date=date(2024, 9, 2))
    assert world.jobs.handle(request) is None
    [(body, options)] = world.sent
    assert options == {"visibility_timeout": BUSY_RETRY_SECONDS}
    assert (body.date, body.force, body.reason) == (request.date, True, "retry")


def test_an_on_demand_run_is_forced_and_audited():
    world = england()
    first = world.jobs.run_now(None, TENANT, SCHOOL, date(2024, 9, 2))
    second = world.jobs.run_now(None, TENANT, SCHOOL, date(2024, 9, 2), full=True)
    assert (first.attempts, second.attempts) == (1, 2)
    actions = [(r.action, r.entity_id, r.after["full"]) for r in world.audit_repo.records]
    assert actions == [("attendance.normalize.run", f"normalize|{SCHOOL}/2024-09-02", False),
                       ("attendance.normalize.run", f"normalize|{SCHOOL}/2024-09-02", True)]


def test_the_message_shape_is_camel_case_json():
    request = parse_request(b'{"tenantId": "t", "schoolId": "s", "date": "2025-03-03", "force": true,'
                            b' "correlationId": "c1", "extra": 1}')
    assert (request.tenant_id, request.date, request.force, request.correlation_id) == (
        "t", date(2025, 3, 3), True, "c1")
    assert request.model_dump(mode="json", by_alias=True) == {
        "tenantId": "t", "schoolId": "s", "date": "2025-03-03", "force": True, "reason": "nightly",
        "correlationId": "c1"}


def test_a_redelivered_message_takes_over_the_lease_its_dead_first_attempt_left():
    """Storage went away mid-run, so the first attempt could not give the lease back: the same
    message, delivered again, normalizes at once; any other message still finds the school busy."""
    world = england()
    world.summaries.lease = ("message-1", datetime(2099, 1, 1, tzinfo=UTC))
    request = NormalizeRequest(tenant_id=TENANT, school_id=SCHOOL, date=date(2024, 9, 2))
    assert world.jobs.handle(request, message_id="message-2") is None  # another message: busy
    run = world.jobs.handle(request, message_id="message-1")
    assert run is not None and run.status is JobStatus.SUCCEEDED
    assert world.summaries.lease is None  # given back this time
