"""Two fresh runs of `make run`'s term (the same demo school loaded anew, the scheduler replayed
with the attendance office's weekly passes) give the same figures: nothing in the replay depends
on timing, thread order or the clock it runs under. (Issue 14: a full run once reported 130
interventions stopped and once 132.)"""

from __future__ import annotations

from datetime import date

import pytest

from devhost import demo as demo_loader
from devhost import demo_office, demo_office_report
from settings import Settings
from tests.e2e.demo_school import demo_school

THROUGH = date(2025, 12, 19)


def one_run(settings: Settings, folder, tenant_id: str) -> tuple[list[str], dict[str, dict[str, int]]]:  # type: ignore[no-untyped-def]
    with demo_school(settings, folder, seed=11, tenant_id=tenant_id, students=40, through=THROUGH) as rig:
        office = demo_office.Office(rig.host)
        queue: list[str] = []
        demo_loader.run_interventions(rig.container, rig.district, report=queue.append,
                                      after_night=office.after_night)
        lines: list[str] = []
        demo_office_report.report(rig.container, rig.district.schools, {"demo-s1": [THROUGH]}, "mail/",
                                  say=lines.append)
        # what may differ: the seconds each school took, and the tenant in the print batch's path
        untimed = [line.split(" school days (")[0] + line.split(" s); ")[1] for line in queue]
        figures = [line.replace(tenant_id, "TENANT") for line in untimed + lines]
        # what the office did; not how many messages and blob events the host handled, which
        # counts the other run's letters too when its host polls the shared container
        done = {school: {k: n for k, n in counts.items() if k != "handled"}
                for school, counts in office.done.items()}
        return figures, done


def test_two_fresh_runs_of_the_term_report_the_same_figures(settings: Settings, app_container,  # type: ignore[no-untyped-def]
                                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    first = one_run(settings, tmp_path_factory.mktemp("mail"), "demo-e2e-same-1")
    second = one_run(settings, tmp_path_factory.mktemp("mail"), "demo-e2e-same-2")

    (lines, done), (lines_again, done_again) = first, second
    assert done_again == done
    assert "\n".join(lines_again) == "\n".join(lines)
    assert done["demo-s1"]["lettersApproved"] > 0 and done["demo-s1"]["meetingsBooked"] > 0, done
