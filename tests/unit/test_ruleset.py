"""domain/rules/ruleset.py and validation.py: rule sets are validated on write, and every problem
names its field as a path into the JSON."""

from __future__ import annotations

import copy
import json

import pytest

from domain.platform.errors import ValidationFailed
from domain.rules.conditions import AbsenceCountThreshold, All
from domain.rules.ruleset import InterventionRuleSet, StageType
from domain.rules.validation import RuleSetInvalid, parse_rule_set, validation_problems

VALID = {
    "id": "rs-1", "tenantId": "t-1", "schoolId": "s-1", "jurisdiction": "ENG", "name": "Our ladder",
    "version": 3, "active": True, "coolOffSchoolDays": 15, "requireInterventionBetweenLetters": True,
    "stages": [
        {"order": 1, "type": "LETTER_1", "name": "Letter 1", "letterTemplateKey": "l1",
         "entry": {"type": "attendancePercentThreshold", "threshold": 92.5, "minPossibleSessions": 30},
         "waitSchoolDays": 10, "stopConditions": [{"type": "caseResolved"}]},
        {"order": 2, "type": "LETTER_2", "name": "Letter 2", "letterTemplateKey": "l2",
         "entry": {"type": "all", "conditions": [
             {"type": "absenceCountThreshold", "threshold": 10, "categories": ["unauthorised", "authorised"],
              "windowSchoolDays": 40},
             {"type": "not", "condition": {"type": "dateWindow", "term": "Summer"}}]},
         "waitSchoolDays": 10, "requiresApproval": False},
        {"order": 3, "type": "ESCALATION", "name": "Escalate",
         "entry": {"type": "consecutiveAbsenceDays", "threshold": 10}, "waitSchoolDays": 0,
         "escalationConditions": [{"type": "repeatedNoShows", "threshold": 2},
                                  {"type": "attendancePercentThreshold", "threshold": 50}]},
    ],
}


def broken(change) -> dict:  # type: ignore[no-untyped-def]
    raw = copy.deepcopy(VALID)
    change(raw)
    return raw


def test_a_valid_rule_set_parses_and_round_trips() -> None:
    rule_set = parse_rule_set(json.dumps(VALID))
    assert isinstance(rule_set, InterventionRuleSet)
    assert [s.type for s in rule_set.stages] == [StageType.LETTER_1, StageType.LETTER_2, StageType.ESCALATION]
    entry = rule_set.stages[1].entry
    assert isinstance(entry, All) and isinstance(entry.conditions[0], AbsenceCountThreshold)
    assert entry.conditions[0].window_school_days == 40
    assert rule_set.stages[1].requires_approval is False and rule_set.stages[0].requires_approval is True
    assert parse_rule_set(rule_set.to_json()) == rule_set
    assert rule_set.to_json()["stages"][0]["entry"]["threshold"] == 92.5  # a number, not "92.5"
    assert validation_problems(VALID) == []
    assert rule_set.stage(2).name == "Letter 2" and rule_set.stage_after(2).name == "Escalate"
    assert rule_set.stage_after(3) is None


def test_an_invalid_condition_is_refused_with_its_field_named() -> None:
    raw = broken(lambda r: r["stages"][1]["entry"]["conditions"][0].update(threshold=0))
    with pytest.raises(RuleSetInvalid) as refused:
        parse_rule_set(raw)
    assert isinstance(refused.value, ValidationFailed) and refused.value.status == 422
    assert refused.value.field == "stages[1].entry.conditions[0].threshold"
    assert refused.value.problems == [
        ("stages[1].entry.conditions[0].threshold", "Input should be greater than 0")]


@pytest.mark.parametrize(("change", "field", "words"), [
    (lambda r: r["stages"][0]["entry"].update(type="attendanceRate"), "stages[0].entry.type",
     "unknown condition type 'attendanceRate'"),
    (lambda r: r["stages"][0]["entry"].pop("type"), "stages[0].entry.type", "a condition needs a type"),
    (lambda r: r["stages"][0]["entry"].update(treshold=90), "stages[0].entry.treshold", "Extra inputs"),
    (lambda r: r["stages"][1]["entry"]["conditions"][0].update(windowSchoolWeeks=4),
     "stages[1].entry.conditions[0]", "not both"),
    (lambda r: r["stages"][1]["entry"]["conditions"][0].update(categories=["any", "penalty"]),
     "stages[1].entry.conditions[0]", "'any' already includes ['penalty']"),
    (lambda r: r["stages"][1]["entry"]["conditions"][0].update(categories=["sick"]),
     "stages[1].entry.conditions[0].categories[0]", "Input should be"),
    (lambda r: r["stages"][1]["entry"]["conditions"][0].update(threshold=2.5),
     "stages[1].entry.conditions[0]", "whole number of sessions"),
    (lambda r: r["stages"][1]["entry"]["conditions"][1]["condition"].update(to="2025-01-01"),
     "stages[1].entry.conditions[1].condition", "not both"),
    (lambda r: r["stages"][1]["entry"].update(conditions=[]), "stages[1].entry.conditions",
     "at least 1 item"),
    (lambda r: r["stages"][0]["entry"].update(threshold=101), "stages[0].entry.threshold",
     "less than or equal"),
    (lambda r: r["stages"][0].pop("letterTemplateKey"), "stages[0].letterTemplateKey",
     "needs a letter template"),
    (lambda r: r["stages"][0].update(waitSchoolDays=-1), "stages[0].waitSchoolDays", "greater than or equal"),
    (lambda r: r["stages"][2]["escalationConditions"][0].update(threshold="two"),
     "stages[2].escalationConditions[0].threshold", "valid integer"),
    (lambda r: r.update(jurisdiction="FR"), "jurisdiction", "Input should be"),
    (lambda r: r.update(stages=[]), "stages", "at least 1 item"),
    (lambda r: r.pop("name"), "name", "Field required"),
])
def test_problems_name_their_field(change, field: str, words: str) -> None:  # type: ignore[no-untyped-def]
    problems = validation_problems(broken(change))
    assert [p for p, _ in problems] == [field]
    assert words in problems[0][1]


def test_a_stage_fact_cannot_make_a_stage_due() -> None:
    raw = broken(lambda r: r["stages"][1]["entry"]["conditions"].append({"type": "caseResolved"}))
    assert validation_problems(raw) == [(
        "stages[1].entry.conditions[2]",
        "caseResolved is about an intervention already under way, so it can stop or escalate a stage "
        "but not make one due")]


def test_ladder_order_and_types() -> None:
    def swap(r: dict) -> None:
        r["stages"][0]["order"], r["stages"][1]["order"] = 2, 1
    assert [p for p, _ in validation_problems(broken(swap))] == ["stages[0].order", "stages[1].order"]
    repeated = broken(lambda r: r["stages"][2].update(type="LETTER_2", letterTemplateKey="l3"))
    assert validation_problems(repeated) == [(
        "stages[2].type", "LETTER_2 cannot follow LETTER_2: the ladder runs LETTER_1, LETTER_2, MEETING, "
                          "ESCALATION, each at most once")]
    backwards = broken(lambda r: r["stages"][1].update(type="MEETING"))
    assert validation_problems(backwards) == []  # LETTER_1, MEETING, ESCALATION: a gap is allowed
    letter_again = broken(lambda r: r["stages"][2].update(type="LETTER_1", letterTemplateKey="x"))
    assert validation_problems(letter_again) == [(
        "stages[2].type", "LETTER_1 cannot follow LETTER_2: the ladder runs LETTER_1, LETTER_2, MEETING, "
                          "ESCALATION, each at most once")]


def test_every_problem_is_reported_at_once() -> None:
    def many(r: dict) -> None:
        r["stages"][0]["entry"]["threshold"] = 0
        r["stages"][2]["order"] = 7
        r["stages"][2]["type"] = "LETTER_1"
    problems = validation_problems(broken(many))
    # the letter template is missing too, now that the last stage claims to be a letter
    assert [p for p, _ in problems] == ["stages[0].entry.threshold", "stages[2].letterTemplateKey",
                                        "stages[2].order", "stages[2].type"]


def test_text_that_is_not_json() -> None:
    problems = validation_problems('{"id": ')
    assert len(problems) == 1 and problems[0][0] == "" and "JSON" in problems[0][1]


def test_a_stage_type_that_is_not_a_string_is_named_not_a_crash():
    # a JSON list or object there once reached a set lookup (unhashable: a 500 through the API)
    with pytest.raises(RuleSetInvalid) as caught:
        parse_rule_set({"stages": [{"order": 1, "type": ["LETTER_1"]}, {"order": 2, "type": {"a": 1}}]})
    fields = {path for path, _ in caught.value.problems}
    assert {"stages[0].type", "stages[1].type"} <= fields
