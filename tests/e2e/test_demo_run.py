"""What `make run` does, on a small demo district: load it through the services, fire the
nightly timer through the local host, drain the queue, and read the figures over HTTP."""

from __future__ import annotations

from datetime import date

import pytest

import bootstrap
from demo import generate_district
from devhost import demo as demo_loader
from devhost.host import DevHost, load_app
from domain.platform.access import Principal, Role
from domain.roster.schools import Jurisdiction
from settings import Settings

THROUGH = date(2025, 9, 26)  # four weeks of marks


@pytest.fixture(scope="module")
def loaded(settings: Settings, app_container):  # type: ignore[no-untyped-def]
    """(Needs `app_container` first, so the container put back afterwards is the session's.)"""
    container = bootstrap.Composition(settings)
    container.ensure_storage()
    before = bootstrap.composition()
    bootstrap.use_composition(container)
    district = generate_district(7, tenant_id="demo-e2e", schools=2, students_per_school=40,
                                 jurisdictions=(Jurisdiction.ENGLAND, Jurisdiction.IRELAND),
                                 through=THROUGH)
    lines: list[str] = []
    run_date = demo_loader.load_into(container, None, report=lines.append, demo=district)
    host = DevHost(settings, load_app())
    with host.clock_fixed_at(host.fire_time("nightly", run_date)):
        host.fire("nightly")
        host.drain(timeout=300)
    demo_loader.print_figures(container, report=lines.append, demo=district)
    demo_loader.run_interventions(container, district, report=lines.append)
    yield container, district, run_date, lines, settings
    bootstrap.use_composition(before)


def test_the_nightly_runs_for_the_day_after_the_last_marks(loaded):
    _, _, run_date, _, _ = loaded
    assert run_date == date(2025, 9, 27)


def test_each_school_is_normalized_and_its_figures_printed(loaded):
    container, district, _, lines, _ = loaded
    for demo_school in district.schools:
        school = demo_school.school
        figures = container.attendance.summaries.school(school.tenant_id, school.school_id)
        assert figures.date == THROUGH
        assert figures.students == len([s for s in demo_school.students if s.enrolled_on(THROUGH)])
        assert figures.attendance_percent is not None and 70 < figures.attendance_percent < 100
        assert any(line.startswith(school.school_id) and "attendance" in line for line in lines)


def test_loading_again_changes_nothing(loaded):
    container, district, _, _, _ = loaded
    trips = container.platform.tables.counter.by_kind.get("transaction", 0)
    lines: list[str] = []
    demo_loader.load_into(container, None, report=lines.append, demo=district)
    assert all("already loaded" in line for line in lines)
    assert container.platform.tables.counter.by_kind.get("transaction", 0) == trips


def test_the_figures_are_served_over_http(loaded, client, mint):
    _, district, _, _, _ = loaded
    headers = mint("SchoolAdmin", "demo-e2e", ["demo-s1"])
    r = client.get("/api/attendance/schools/summary", params={"schoolId": "demo-s1"}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["date"] == THROUGH.isoformat()


def test_the_ladder_is_replayed_over_the_term_and_the_queue_reported(loaded):
    container, district, _, lines, _ = loaded
    total = 0
    for demo_school in district.schools:
        school = demo_school.school
        rule_sets = container.rules.reader.active_for_school(school.tenant_id, school.school_id)
        assert {r.jurisdiction for r in rule_sets} == {school.jurisdiction}
        assert sorted(r.track.value for r in rule_sets)[-1] == "SUPPORT" and len(rule_sets) > 1
        queue = container.interventions.queue.due(school.tenant_id, school.school_id, None)
        line = next(x for x in lines if x.startswith(f"{school.school_id}: rule set"))
        assert f"{len(queue)} actions" in line
        for rule_set in rule_sets:  # every track in the summary, by its id, empty or not
            assert f"{rule_set.track.value.lower()} {rule_set.id}: " in line, line
        assert all(item.stage_order == 1 for item in queue)  # nobody approved: the ladder waits
        total += len(queue)
    assert total > 0
    again: list[str] = []
    demo_loader.run_interventions(container, district, report=again.append)
    assert [x.split("(")[-1] for x in again] == [x.split("(")[-1] for x in lines if ": rule set" in x]


def test_simulation_agrees_with_the_nightly_replay(loaded):
    """Every student the nightly replay put at stage 1 of a track is simulated under that
    track's rule set over the same rows: the simulation enters stage 1 on the same day. (The
    simulation assumes staff approve and send each letter the same day, so it may go further;
    nobody approved here.)"""
    container, district, _, _, _ = loaded
    admin = Principal(subject="test", tenant_id="demo-e2e", roles=frozenset({Role.DISTRICT_ADMIN}))
    checked = 0
    for demo_school in district.schools:
        school = demo_school.school
        for item in container.interventions.queue.due(school.tenant_id, school.school_id, None):
            simulated = container.rules.previews.simulate(
                admin, school.tenant_id, school.school_id, item.student_id,
                rule_set_id=item.rule_set_id, until=THROUGH)
            assert simulated.timeline.stage_dates()[0] == (1, item.stage_entered_on)
            checked += 1
    assert checked > 0
