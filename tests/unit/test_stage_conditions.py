"""domain/rules: stop and escalation conditions, from facts about an intervention under way."""

from __future__ import annotations

from datetime import date

from domain.rules.conditions import AbsenceCountThreshold, AttendancePercentThreshold
from domain.rules.context import Exemption, InstanceFacts
from domain.rules.evaluate import is_due, required_days, should_escalate, should_stop, stage_days
from domain.rules.ruleset import InterventionStage
from domain.rules.stage_conditions import (
    AttendanceRecovered,
    CaseResolved,
    EntryNoLongerMet,
    ExemptionActive,
    MeetingOutcome,
    NoImprovement,
    RepeatedNoShows,
)
from tests.unit.rules_examples import ENG, ENG_CAL, check, context, rows, sessions

D = date
SEPTEMBER = {D(2024, 9, 10): ("I", "I"), D(2024, 9, 17): ("N", "/"), D(2024, 9, 20): ("M", "M")}  # 87.5%
ENTERED = D(2024, 9, 27)
LETTER = InterventionStage(
    order=1, type="LETTER_1", name="Letter", letter_template_key="l1",
    entry=AttendancePercentThreshold(threshold=90, min_possible_sessions=30), wait_school_days=10,
    stop_conditions=(AttendanceRecovered(threshold=90, school_days=10), CaseResolved(), ExemptionActive()),
    escalation_conditions=(NoImprovement(points=2), MeetingOutcome(), RepeatedNoShows(threshold=2)))


def year(after_entry: dict | None = None) -> dict:
    end = D(2024, 10, 18)
    return rows(ENG_CAL, sessions(ENG_CAL, end, {**SEPTEMBER, **(after_entry or {})}), end, ENG)


def facts(**kwargs: object) -> InstanceFacts:
    return InstanceFacts(stage=LETTER, stage_entered_on=ENTERED, **kwargs)  # type: ignore[arg-type]


def test_attendance_recovered_needs_the_days_and_both_figures() -> None:
    """Entered at 87.5% on 27 Sep; ten full days later the last ten days are 100% and the year
    (55 / 60) 91.67%."""
    recovered = AttendanceRecovered(threshold=90, school_days=10)
    all_rows = year()
    assert check(recovered, ENG_CAL, all_rows, D(2024, 10, 4), instance=facts()) == (
        False, ("only 5 school days since this step began; recovery is judged over 10",))
    assert check(recovered, ENG_CAL, all_rows, D(2024, 10, 11), instance=facts()) == (
        True, ("attendance in the last 10 school days is 100% and this school year 91.67% "
               "(90% or more was hoped for)",))
    higher = recovered.model_copy(update={"threshold": 92})  # the year is still below 92%
    assert not check(higher, ENG_CAL, all_rows, D(2024, 10, 11), instance=facts()).met
    patchy = year({D(2024, 10, 9): ("N", "N"), D(2024, 10, 10): ("N", "/")})  # 17 / 20 = 85% lately
    assert not check(recovered, ENG_CAL, patchy, D(2024, 10, 11), instance=facts()).met


def test_case_resolved_and_exemptions() -> None:
    all_rows = year()
    friday = D(2024, 10, 11)
    assert check(CaseResolved(), ENG_CAL, all_rows, friday, instance=facts(case_resolved=True)).met
    assert check(CaseResolved(), ENG_CAL, all_rows, friday, instance=facts()) == (
        False, ("the case is still open",))
    medical = Exemption(reason="long-term medical condition", expires_on=D(2024, 12, 20))
    assert check(ExemptionActive(), ENG_CAL, all_rows, friday, instance=facts(exemptions=(medical,))) == (
        True, ("an exemption is in force: long-term medical condition (until 20 December 2024)",))
    expired = medical.model_copy(update={"expires_on": D(2024, 10, 10)})
    later = Exemption(reason="managed move", starts_on=D(2024, 10, 14))
    none_now = facts(exemptions=(expired, later))
    assert check(ExemptionActive(), ENG_CAL, all_rows, friday, instance=none_now) == (
        False, ("no exemption is in force",))


def test_entry_no_longer_met_after_absences_are_recoded_as_authorised() -> None:
    """A penalty-stage entry of 4 unauthorised sessions; the guardian explains two of them and
    the school re-codes N as I (illness): the recomputed rows no longer meet the entry."""
    stage = LETTER.model_copy(update={"entry": AbsenceCountThreshold(threshold=4, categories=["penalty"],
                                                                     window_school_weeks=10),
                                      "stop_conditions": (EntryNoLongerMet(),)})
    instance = InstanceFacts(stage=stage, stage_entered_on=D(2024, 10, 4))
    before = year({D(2024, 10, 1): ("N", "N"), D(2024, 10, 2): ("G", "G")})
    after = year({D(2024, 10, 1): ("I", "I"), D(2024, 10, 2): ("G", "G")})
    friday = D(2024, 10, 11)
    assert is_due(stage, context(stage.entry, ENG_CAL, before, friday)).met
    # no calendar of 2023/24 is given: the evidence says that its 4 school weeks were not counted
    unknown = "the 4 school weeks before this school year could not be counted: " \
              "the previous school year's calendar is not stored"
    assert should_stop(context(stage.stop_conditions, ENG_CAL, before, friday, instance=instance)) == (
        False, ("5 sessions (2.5 days) of unauthorised absence that counts towards a penalty notice in the "
                "last 10 school weeks", unknown))  # 17 Sep's N and the four new ones
    stopped = should_stop(context(stage.stop_conditions, ENG_CAL, after, friday, instance=instance))
    assert stopped.met
    assert stopped.evidence == ("the reason for this step no longer applies",
                                "3 sessions (1.5 days) of unauthorised absence that counts towards a "
                                "penalty notice in the last 10 school weeks", unknown)


def test_no_improvement_after_the_wait() -> None:
    """87.5% before the stage; since then 17 of 20 sessions (85%) by Fri 11 Oct."""
    patchy = year({D(2024, 10, 9): ("N", "N"), D(2024, 10, 10): ("N", "/")})
    condition = NoImprovement(points=2)
    assert check(condition, ENG_CAL, patchy, D(2024, 10, 4), instance=facts()) == (
        False, ("5 school days of the 10-school-day wait have passed",))
    assert check(condition, ENG_CAL, patchy, D(2024, 10, 11), instance=facts()) == (
        True, ("attendance since this step began is 85% against 87.5% before it "
               "(an improvement of 2 points or more was hoped for)",))
    assert not check(condition, ENG_CAL, year(), D(2024, 10, 11), instance=facts()).met  # 100% since
    own_wait = NoImprovement(points=2, after_school_days=5)
    assert check(own_wait, ENG_CAL, year({D(2024, 10, 1): ("N", "N")}), D(2024, 10, 4), instance=facts()).met
    saturday = D(2024, 9, 28)  # entered on a Saturday: Friday's row is the "before"
    assert required_days(condition, ENG_CAL, D(2024, 10, 11), stage=LETTER, stage_entered_on=saturday) == {
        ENTERED}


def test_meeting_outcomes_and_no_shows() -> None:
    all_rows = year()
    friday = D(2024, 10, 11)
    escalate = facts(last_meeting_outcome="escalate")
    assert check(MeetingOutcome(), ENG_CAL, all_rows, friday, instance=escalate) == (
        True, ("the last meeting ended with the decision: escalate",))
    assert not check(MeetingOutcome(), ENG_CAL, all_rows, friday,
                     instance=facts(last_meeting_outcome="RESOLVED")).met
    assert check(RepeatedNoShows(threshold=2), ENG_CAL, all_rows, friday, instance=facts(no_shows=2)) == (
        True, ("2 arranged meetings missed",))
    assert not check(RepeatedNoShows(threshold=2), ENG_CAL, all_rows, friday, instance=facts(no_shows=1)).met


def test_should_stop_and_escalate_give_the_evidence_of_what_held() -> None:
    patchy = year({D(2024, 10, 9): ("N", "N"), D(2024, 10, 10): ("N", "/")})
    friday = D(2024, 10, 11)
    instance = facts(no_shows=3, case_resolved=True)
    ctx = context([*LETTER.stop_conditions, *LETTER.escalation_conditions], ENG_CAL, patchy, friday,
                  instance=instance)
    assert should_stop(ctx) == (True, ("the case has been marked resolved",))
    escalate = should_escalate(ctx)
    assert escalate.met and escalate.evidence == (
        "attendance since this step began is 85% against 87.5% before it "
        "(an improvement of 2 points or more was hoped for)", "3 arranged meetings missed")
    # the stage-entry row (noImprovement) is also the row before the 10-day recovery window
    assert stage_days(LETTER, ENG_CAL, friday, stage_entered_on=ENTERED) == {ENTERED}
    assert stage_days(LETTER, ENG_CAL, D(2024, 10, 18), stage_entered_on=ENTERED) == {ENTERED, D(2024, 10, 4)}


def test_entry_no_longer_met_needs_the_rows_of_the_stage_entry() -> None:
    stage = LETTER.model_copy(update={"entry": AbsenceCountThreshold(threshold=4, window_school_days=5)})
    friday = D(2024, 10, 11)
    assert required_days(EntryNoLongerMet(), ENG_CAL, friday, stage=stage) == {D(2024, 10, 4)}
    assert required_days(EntryNoLongerMet(), ENG_CAL, friday) == set()  # no stage: nothing to re-check


def test_without_an_intervention_under_way_nothing_stops_or_escalates() -> None:
    ctx = context(LETTER.entry, ENG_CAL, year(), D(2024, 10, 11))
    assert should_stop(ctx) == (False, ("no intervention step is under way",))
    assert should_escalate(ctx).met is False
    assert check(EntryNoLongerMet(), ENG_CAL, year(), D(2024, 10, 11)).met is False
