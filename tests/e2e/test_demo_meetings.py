"""`make run`'s attendance office on a small English demo school over the autumn term: at each
week's end the demo officer approves the queued letters (rendered and delivered by the local
host), books meetings for MEETING actions, records outcomes of meetings that took place, and
the outcomes drive the ladder. A second pass over the term changes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from devhost import demo as demo_loader
from devhost import demo_office, demo_office_report
from devhost.demo_meetings import outcome_for
from domain.casework.tasks import TaskStatus
from domain.ladder.events import EventKind
from domain.ladder.model import InstanceStatus
from domain.meetings.model import MeetingOutcome, MeetingStatus, task_id
from settings import Settings
from tests.e2e.demo_school import demo_school

TENANT = "demo-e2e-meetings"
THROUGH = date(2025, 12, 19)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def office(settings: Settings, app_container, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """(Needs `app_container` first, so the container put back afterwards is the session's.)"""
    with demo_school(settings, tmp_path_factory.mktemp("mail"), seed=5, tenant_id=TENANT, students=40,
                     through=THROUGH) as rig:
        container, district, folder = rig.container, rig.district, str(rig.folder)
        first, second = demo_office.Office(rig.host), demo_office.Office(rig.host)
        quiet = lambda _: None  # noqa: E731
        demo_loader.run_interventions(container, district, report=quiet, after_night=first.after_night)
        lines: list[str] = []
        days = {"demo-s1": [THROUGH]}
        demo_office_report.report(container, district.schools, days, folder, say=lines.append)
        received = rig.inbox.received
        demo_loader.run_interventions(container, district, report=quiet, after_night=second.after_night)
        again: list[str] = []
        demo_office_report.report(container, district.schools, days, folder, say=again.append)
        yield container, first, second, lines, again, received, rig.inbox


def test_meetings_are_booked_and_every_outcome_recorded(office):  # type: ignore[no-untyped-def]
    container, first, _, lines, _, _, _ = office
    meetings = container.meetings.store.school(TENANT, "demo-s1")
    recorded = sorted((m for m in meetings if m.status in (MeetingStatus.HELD, MeetingStatus.NO_SHOW)),
                      key=lambda m: (m.starts_at, m.student_id))
    assert len(recorded) >= 5, Counter(m.status for m in meetings)
    assert all(m.created_by == "make-run-officer" and m.location == "Attendance office" for m in meetings)
    for ordinal, m in enumerate(recorded, start=1):  # the cycle, in the order they took place
        expected = outcome_for(ordinal)
        assert (m.status, m.outcome) == ((MeetingStatus.NO_SHOW, None) if expected is None
                                         else (MeetingStatus.HELD, expected))
        assert m.starts_at.astimezone(LONDON).hour == 9 and m.ends_at - m.starts_at == timedelta(minutes=30)
    assert first.done["demo-s1"]["meetingsBooked"] == sum(m.status is not MeetingStatus.PROPOSED
                                                          for m in meetings)
    assert any("meetings" in line and "booked" in line for line in lines)


def test_the_outcomes_drive_the_ladder(office):  # type: ignore[no-untyped-def]
    container, _, _, lines, _, _, _ = office
    store = container.interventions.store
    meetings = container.meetings.store.school(TENANT, "demo-s1")
    for m in meetings:
        if m.status is not MeetingStatus.HELD or m.instance_id is None:
            continue
        instance = store.instance(TENANT, "demo-s1", m.instance_id)
        if m.outcome is MeetingOutcome.RESOLVED:
            assert instance.status is InstanceStatus.STOPPED
        elif m.outcome is MeetingOutcome.MEDICAL_PLAN:
            paused = [e for e in store.events(TENANT, "demo-s1", instance.id) if e.kind is EventKind.PAUSED]
            assert paused and paused[-1].data.get("meetingId") == m.id
        elif m.outcome is MeetingOutcome.SUPPORT_PLAN:
            task = container.casework.store.task(TENANT, "demo-s1", task_id(m.id))
            assert task.assignee == "make-run-officer" and task.status is TaskStatus.OPEN
        elif m.outcome is MeetingOutcome.ESCALATE:
            assert instance.stage_order == 4 or instance.status is InstanceStatus.ESCALATED
    effects = next(line for line in lines if "effects:" in line)
    stopped = sum(1 for i in store.instances(TENANT, "demo-s1") if i.status is InstanceStatus.STOPPED)
    assert f"{stopped} interventions stopped" in effects


def test_letters_reach_the_second_stage_and_are_reported(office):  # type: ignore[no-untyped-def]
    container, _, _, lines, _, received, _ = office
    stages = {a.stage_order for item in container.interventions.store.instances(TENANT, "demo-s1")
              for a in container.letters.artifact_store.for_stage(TENANT, "demo-s1", item.id, 2)}
    assert stages == {2}
    assert received > 0
    assert any(line.startswith("demo-s1: letters stage 1:") and "stage 2:" in line for line in lines)


def test_a_second_pass_changes_nothing(office):  # type: ignore[no-untyped-def]
    _, _, second, lines, again, received, inbox = office
    done = second.done["demo-s1"]
    assert (done["lettersApproved"], done["meetingsBooked"]) == (0, 0)
    assert not set(done) & ({o.value for o in MeetingOutcome} | {"NO_SHOW"})
    assert again == lines
    assert inbox.received == received
