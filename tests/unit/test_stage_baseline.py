"""The counters of the day a stage began, kept on the instance (`StageBaseline`): the nightly
then reads only the rule set's window days, not each instance's entry day; `noImprovement`
decides as it did from the entry day's row; instances stored before baselines still read it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, date, datetime

from domain.attendance.summaries import DailySummary
from domain.ladder.model import Finding, StudentInterventionInstance, StudentRef
from domain.ladder.records import instance_from_record, instance_to_record
from domain.ladder.rule_facts import ladder_of
from domain.ladder.transitions import approve, escalate_to_next, mark_done, queue_action, start
from domain.roster.schools import School
from domain.rules import EvaluationContext, evaluate, rule_set_days
from domain.rules.baseline import StageBaseline
from domain.rules.stage_conditions import NoImprovement
from services.platform.ports import FixedClock
from tests.fakes_attendance import FakeRoster, Trips
from tests.fakes_interventions import FakeRuleSets, FakeStore, FakeSummaryDays, nightly
from tests.unit.referral_ladder import england_with_referral
from tests.unit.rules_examples import ENG_CAL, check
from tests.unit.test_scheduler import ALWAYS, year
from tests.unit.test_stage_conditions import ENTERED, facts
from tests.unit.test_stage_conditions import year as september

D = date
RULES = england_with_referral(tenant_id="t", rule_set_id="england")
AT_MEETING = D(2024, 10, 1)  # the day the student reached the meeting stage (noImprovement)
NIGHT = ENG_CAL.school_days[ENG_CAL.index_of(AT_MEETING) + 24]  # 25 school days on: the 20-day wait ran


class Recording(FakeSummaryDays):
    def __init__(self, rows: dict[str, dict[date, DailySummary]]) -> None:
        super().__init__(rows)
        self.asked: list[set[date]] = []

    def on_dates(self, tenant_id: str, school_id: str,
                 days: Collection[date]) -> dict[date, dict[str, DailySummary]]:
        self.asked.append(set(days))
        return super().on_dates(tenant_id, school_id, days)


def at_meeting(row: DailySummary) -> StudentInterventionInstance:
    """Letters 1 and 2 sent and the meeting held, all escalated through on `AT_MEETING`."""
    ladder, on, base = ladder_of(RULES), AT_MEETING, StageBaseline.of(row)
    instance, _ = start(ladder, StudentRef("t", "s", "absent"), None, Finding(True, ("x",)), on=on,
                        calendar=ENG_CAL, baseline=base)
    for _ in range(2):
        instance = mark_done(approve(queue_action(instance, on=on).instance, on=on).instance, on=on).instance
        instance, _ = escalate_to_next(instance, ladder, on=on, reason="test", calendar=ENG_CAL,
                                       baseline=base)
    return mark_done(approve(queue_action(instance, on=on).instance, on=on).instance, on=on).instance


def night(instance: StudentInterventionInstance) -> tuple[Recording, FakeStore, dict[str, int]]:
    summaries, store = Recording({"absent": year("absent", ALWAYS)}), FakeStore()
    store.instance_rows[instance.id] = instance
    school = School(tenant_id="t", school_id="s", name="Oak", jurisdiction="ENG", time_zone="Europe/London")
    clock = FixedClock(datetime(NIGHT.year, NIGHT.month, NIGHT.day, 17, tzinfo=UTC))
    night = nightly(FakeRuleSets(RULES), FakeRoster(Trips(), school, [ENG_CAL], []), summaries, store,
                    clock, lambda job: None)
    return summaries, store, night.run("t", "s", NIGHT).counters


def test_with_baselines_the_nightly_reads_only_the_rule_set_window_days() -> None:
    rows = year("absent", ALWAYS)
    instance = at_meeting(rows[AT_MEETING])
    assert instance.stage_order == 3 and instance.stage_baseline == StageBaseline.of(rows[AT_MEETING])
    summaries, store, counters = night(instance)
    window_days = {NIGHT} | rule_set_days(RULES, ENG_CAL, NIGHT)
    assert summaries.asked == [window_days] and AT_MEETING not in window_days
    assert counters["rowDates"] == len(window_days) and counters["rowsLoaded"] == len(window_days)
    # no improvement after the wait: on to stage 4, which keeps tonight's counters
    [after] = store.instance_rows.values()
    assert after.stage_order == 4 and after.stage_baseline == StageBaseline.of(rows[NIGHT])


def test_an_instance_stored_before_baselines_still_reads_its_entry_day_and_decides_the_same() -> None:
    rows = year("absent", ALWAYS)
    new = at_meeting(rows[AT_MEETING])
    old = replace(new, stage_baseline=None)
    summaries, old_store, _ = night(old)
    assert summaries.asked == [{NIGHT, AT_MEETING} | rule_set_days(RULES, ENG_CAL, NIGHT)]
    _, new_store, _ = night(new)
    old_events = sorted((e.kind, e.stage_order, e.evidence, e.hash) for e in old_store.event_rows.values())
    new_events = sorted((e.kind, e.stage_order, e.evidence, e.hash) for e in new_store.event_rows.values())
    assert old_events == new_events and any(e[1] == 4 for e in new_events)


def test_no_improvement_worked_example_from_the_baseline_alone() -> None:
    """87.5% before the stage; since then 17 of 20 sessions (85%) by Fri 11 Oct: the same answer
    from the baseline as from the entry day's row, with no earlier row loaded at all."""
    patchy = september({D(2024, 10, 9): ("N", "N"), D(2024, 10, 10): ("N", "/")})
    condition, friday = NoImprovement(points=2), D(2024, 10, 11)
    from_row = check(condition, ENG_CAL, patchy, friday, instance=facts())
    baseline = facts(stage_baseline=StageBaseline.of(patchy[ENTERED]))
    from_baseline = check(condition, ENG_CAL, {friday: patchy[friday]}, friday, instance=baseline)
    assert from_baseline == from_row == (True, (
        "attendance since this step began is 85% against 87.5% before it "
        "(an improvement of 2 points or more was hoped for)",))
    only_today = EvaluationContext(ENG_CAL, friday, patchy[friday], {}, baseline)  # no earlier row
    assert evaluate(condition, only_today) == from_row
    improved = september()  # 100% since the stage began
    assert not check(condition, ENG_CAL, improved, friday,
                     instance=facts(stage_baseline=StageBaseline.of(improved[ENTERED]))).met


def test_a_baseline_is_stored_with_the_instance_and_a_stage_entered_without_one_drops_the_old() -> None:
    rows = year("absent", ALWAYS)
    instance = at_meeting(rows[AT_MEETING])
    record = instance_to_record(instance)
    assert record["stageBaseline"]["day"] == "2024-10-01"
    assert instance_from_record(record) == replace(instance, etag=None)
    assert instance_from_record({**record, "stageBaseline": None}).stage_baseline is None  # stored before
    moved, _ = escalate_to_next(instance, ladder_of(RULES), on=NIGHT, reason="meeting: escalate",
                                calendar=ENG_CAL)  # a meeting's outcome: no row at hand
    assert moved.stage_order == 4 and moved.stage_baseline is None
