"""domain/rules/presets: the England, Ireland and California templates load, validate, and fire
as their legal basis says on small worked examples. Rows are loaded with `rule_set_days` (plus
`stage_days` for an intervention under way), as the nightly run will."""

from __future__ import annotations

import json
from datetime import date

import pytest

from domain.attendance.summaries import DailySummary
from domain.roster.schools import Jurisdiction
from domain.rules.context import EvaluationContext, Exemption, InstanceFacts
from domain.rules.evaluate import is_due, rule_set_days, should_escalate, should_stop, stage_days
from domain.rules.presets import PRESET_FILES, PRESETS_DIR, load_preset, load_presets, preset_for
from domain.rules.ruleset import InterventionRuleSet, StageType, Track
from domain.rules.validation import validation_problems
from domain.rules.windows import anchor
from tests.unit.rules_examples import CA, DAY_CAL, ENG, ENG_CAL, IE, days, rows, sessions

D = date


def ctx_for(rule_set: InterventionRuleSet, cal, all_rows: dict[date, DailySummary], as_of: date,  # type: ignore[no-untyped-def]
            instance: InstanceFacts | None = None) -> EvaluationContext:
    needed = rule_set_days(rule_set, cal, as_of)
    if instance is not None and instance.stage is not None:
        needed |= stage_days(instance.stage, cal, as_of, stage_entered_on=instance.stage_entered_on)
    return EvaluationContext(cal, as_of, all_rows.get(anchor(cal, as_of)),  # type: ignore[arg-type]
                             {d: all_rows[d] for d in needed if d in all_rows}, instance)


def due(rule_set: InterventionRuleSet, ctx: EvaluationContext) -> list[int]:
    """The orders of the stages whose entry holds (the ladder decides which may start)."""
    return [stage.order for stage in rule_set.stages if is_due(stage, ctx).met]


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_every_jurisdiction_has_presets_that_validate(jurisdiction: Jurisdiction) -> None:
    tracks = load_presets(jurisdiction.value)
    assert tracks[0] == load_preset(jurisdiction.value) and tracks[0].track is Track.SUPPORT
    for name, preset in zip(PRESET_FILES[jurisdiction], tracks, strict=True):
        raw = json.loads((PRESETS_DIR / name).read_text(encoding="utf-8"))
        assert validation_problems(raw) == []
        assert preset.jurisdiction is jurisdiction and preset.tenant_id is None and preset.school_id is None
        assert preset.sources and preset.description
        assert all(stage.requires_approval for stage in preset.stages)  # staff approve every step
    assert [t.track for t in tracks[1:]] == [Track.STATUTORY] * (len(tracks) - 1)
    assert len({t.id for t in tracks}) == len(tracks)


def test_presets_are_installed_per_tenant_or_school() -> None:
    installed = preset_for("US-CA", tenant_id="t-9", rule_set_id="rs-ca", school_id="s-3")
    template = load_preset(Jurisdiction.CALIFORNIA)
    assert (installed.id, installed.tenant_id, installed.school_id, installed.version) == (
        "rs-ca", "t-9", "s-3", 1)
    assert installed.stages == template.stages
    assert template.id == "preset-us-ca"  # the cached template is untouched
    with pytest.raises(ValueError, match="FR"):
        load_preset("FR")


def test_england_shape() -> None:
    """The support ladder keeps its letters and meeting, without the penalty stage; the national
    framework for penalty notices is a track of its own beside it."""
    preset, legal = load_presets(Jurisdiction.ENGLAND)
    assert [s.type for s in preset.stages] == [StageType.LETTER_1, StageType.LETTER_2, StageType.MEETING]
    assert preset.require_intervention_between_letters is False
    assert (legal.track, legal.repeat_within_year, legal.limit.to_json()) == (
        Track.STATUTORY, True, {"count": 2, "years": 3})
    for stage in legal.stages:
        assert stage.type is StageType.ESCALATION
        assert stage.entry.to_json() == {"type": "absenceCountThreshold", "threshold": 10, "unit": "sessions",
                                         "categories": ["penalty"], "windowSchoolWeeks": 10,
                                         "listSessions": True}
    assert "other action" in legal.stages[1].name


def test_england_persistent_absence_letters_wait_for_the_minimum_sessions() -> None:
    england = load_preset(Jurisdiction.ENGLAND)
    absences = {D(2024, 9, 3): ("I", "I"), D(2024, 9, 4): ("I", "I"), D(2024, 9, 17): ("N", "/")}
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, D(2024, 9, 27), absences), D(2024, 9, 27), ENG)
    assert due(england, ctx_for(england, ENG_CAL, all_rows, D(2024, 9, 13))) == []  # 80%, but 20 sessions
    ctx = ctx_for(england, ENG_CAL, all_rows, D(2024, 9, 27))
    assert due(england, ctx) == [1, 2, 3]  # 35 / 40: the letters and meeting, one after another
    assert is_due(england.stages[0], ctx).evidence == (
        "attendance this school year is 87.5% (more than 90% is expected)",)


def test_england_legal_track_needs_unauthorised_absence_not_illness() -> None:
    """National framework for penalty notices: 10 sessions of unauthorised absence (G, N, O, U)
    in 10 school weeks; authorised absence never counts."""
    _, legal = load_presets(Jurisdiction.ENGLAND)
    holiday = {d: ("G", "G") for d in ENG_CAL.school_days_between(D(2024, 11, 18), D(2024, 11, 22))}
    ill = {d: ("I", "I") for d in ENG_CAL.school_days_between(D(2024, 11, 18), D(2024, 11, 22))}
    friday = D(2024, 12, 6)
    on_holiday = rows(ENG_CAL, sessions(ENG_CAL, friday, holiday), friday, ENG)
    poorly = rows(ENG_CAL, sessions(ENG_CAL, friday, ill), friday, ENG)
    assert due(legal, ctx_for(legal, ENG_CAL, on_holiday, friday)) == [1, 2]  # the limit chooses
    assert due(legal, ctx_for(legal, ENG_CAL, poorly, friday)) == []
    assert rule_set_days(legal, ENG_CAL, friday) == {D(2024, 9, 20)}


def test_england_meeting_escalates_on_the_outcome() -> None:
    england = load_preset(Jurisdiction.ENGLAND)
    end = D(2024, 10, 25)
    all_rows = rows(ENG_CAL, sessions(ENG_CAL, end, {D(2024, 9, 3): ("I", "I")}), end, ENG)
    meeting = InstanceFacts(stage=england.stages[2], stage_entered_on=D(2024, 10, 11),
                            last_meeting_outcome="ESCALATE")
    outcome = should_escalate(ctx_for(england, ENG_CAL, all_rows, D(2024, 10, 14), meeting))
    assert outcome == (True, ("the last meeting ended with the decision: escalate",))


def test_ireland_letters_at_10_and_15_days_and_tusla_at_20() -> None:
    ireland = load_preset(Jurisdiction.IRELAND)
    absent = dict.fromkeys(DAY_CAL.school_days_between(D(2024, 9, 2), D(2024, 9, 13)), "A")  # 10 days
    absent.update({D(2024, 9, 16): "F", D(2024, 9, 17): "F"})
    all_rows = rows(DAY_CAL, days(DAY_CAL, D(2024, 9, 30), absent), D(2024, 9, 30), IE)
    ctx = ctx_for(ireland, DAY_CAL, all_rows, D(2024, 9, 30))
    assert due(ireland, ctx) == [1]
    assert is_due(ireland.stages[0], ctx).evidence == (
        "12 days missed this school year, 2 of them unexplained",)


def test_ireland_report_to_tusla_at_20_days_of_illness_even_with_an_exemption() -> None:
    """Education (Welfare) Act 2000 s.21(4)(b): 20 days absent for any reason; the duty does not
    depend on the reason, so its track has no stop conditions, while the letters stop."""
    ireland, tusla, _ = load_presets(Jurisdiction.IRELAND)
    ill = dict.fromkeys(DAY_CAL.school_days_between(D(2025, 1, 6), D(2025, 1, 31)), "A")  # 20 days
    all_rows = rows(DAY_CAL, days(DAY_CAL, D(2025, 1, 31), ill), D(2025, 1, 31), IE)
    assert due(ireland, ctx_for(ireland, DAY_CAL, all_rows, D(2025, 1, 31))) == [1, 2]
    ctx = ctx_for(tusla, DAY_CAL, all_rows, D(2025, 1, 31))
    assert due(tusla, ctx) == [1]
    assert is_due(tusla.stages[0], ctx).evidence == ("20 days missed this school year",)
    exempt = InstanceFacts(stage=tusla.stages[0], stage_entered_on=D(2025, 1, 31),
                           exemptions=(Exemption(reason="hospital stay"),))
    assert not should_stop(ctx_for(tusla, DAY_CAL, all_rows, D(2025, 1, 31), exempt)).met
    letter = InstanceFacts(stage=ireland.stages[0], stage_entered_on=D(2025, 1, 31),
                           exemptions=(Exemption(reason="hospital stay"),))
    assert should_stop(ctx_for(ireland, DAY_CAL, all_rows, D(2025, 1, 31), letter)).met


def test_ireland_suspension_of_six_days_is_reported_whatever_else() -> None:
    """Education (Welfare) Act 2000 s.21(4)(a): the principal informs the educational welfare
    officer when a student is suspended for six days or more (code D, counted over the year)."""
    *_, suspension = load_presets(Jurisdiction.IRELAND)
    five = dict.fromkeys(DAY_CAL.school_days_between(D(2024, 10, 7), D(2024, 10, 11)), "D")
    six = {**five, D(2024, 11, 12): "D"}
    ill = dict.fromkeys(DAY_CAL.school_days_between(D(2024, 9, 2), D(2024, 10, 4)), "A")
    end = D(2024, 11, 15)
    assert due(suspension, ctx_for(suspension, DAY_CAL, rows(DAY_CAL, days(DAY_CAL, end, {**ill, **five}),
                                                              end, IE), end)) == []
    ctx = ctx_for(suspension, DAY_CAL, rows(DAY_CAL, days(DAY_CAL, end, six), end, IE), end)
    assert is_due(suspension.stages[0], ctx) == (True, ("6 days of suspension this school year",))


def california_rows(codes_by_day: dict[date, str]) -> dict[date, DailySummary]:
    return rows(DAY_CAL, days(DAY_CAL, D(2024, 10, 25), codes_by_day), D(2024, 10, 25), CA)


def test_california_truant_at_three_in_any_combination() -> None:
    california = load_preset(Jurisdiction.CALIFORNIA)
    assert california.require_intervention_between_letters is True
    three = california_rows({D(2024, 9, 4): "U", D(2024, 9, 10): "T30", D(2024, 9, 18): "U",
                             D(2024, 9, 19): "E"})
    assert due(california, ctx_for(california, DAY_CAL, three, D(2024, 10, 25))) == [1]
    assert due(california, ctx_for(california, DAY_CAL, three, D(2024, 9, 17))) == []  # 2 by then


@pytest.mark.parametrize(("truancies", "stages"), [(5, [1]), (6, [1, 2, 3]), (7, [1, 2, 3, 4])])
def test_california_notification_2_and_sart_at_six_and_sarb_beyond(truancies: int, stages: list[int]) -> None:
    california = load_preset(Jurisdiction.CALIFORNIA)
    truant_days = DAY_CAL.school_days_between(D(2024, 9, 2), D(2024, 10, 25))[:truancies]
    all_rows = california_rows({d: "U" if i % 2 else "T30" for i, d in enumerate(truant_days)})
    assert due(california, ctx_for(california, DAY_CAL, all_rows, D(2024, 10, 25))) == stages


def test_california_notification_stops_when_the_absences_are_excused() -> None:
    """A parent's note arrives and U becomes E: the entry condition no longer holds."""
    california = load_preset(Jurisdiction.CALIFORNIA)
    letter = InstanceFacts(stage=california.stages[0], stage_entered_on=D(2024, 9, 20))
    unexcused = california_rows({D(2024, 9, 4): "U", D(2024, 9, 10): "T30", D(2024, 9, 18): "U"})
    excused = california_rows({D(2024, 9, 4): "E", D(2024, 9, 10): "T30", D(2024, 9, 18): "U"})
    assert not should_stop(ctx_for(california, DAY_CAL, unexcused, D(2024, 10, 1), letter)).met
    stopped = should_stop(ctx_for(california, DAY_CAL, excused, D(2024, 10, 1), letter))
    assert stopped.met and stopped.evidence[0] == "the reason for this step no longer applies"
