"""A four-stage ladder for tests of the ladder's own mechanics (escalation to a last ESCALATION
stage, hand-on at tier 3): England's support ladder with a referral to the local authority as
stage 4. The shipped England ladder stops at the meeting; its penalty notices are a track of
their own (domain/rules/presets/england-penalty.json)."""

from __future__ import annotations

from domain.roster.schools import Jurisdiction
from domain.rules import InterventionRuleSet, preset_for

REFERRAL = {"order": 4, "type": "ESCALATION", "name": "Refer to the local authority's attendance service",
            "entry": {"type": "attendancePercentThreshold", "threshold": 90, "atOrBelow": True,
                      "minPossibleSessions": 30},
            "waitSchoolDays": 0, "requiresApproval": True,
            "stopConditions": [{"type": "caseResolved"}, {"type": "exemptionActive"}]}


def england_with_referral(*, tenant_id: str, rule_set_id: str) -> InterventionRuleSet:
    ladder = preset_for(Jurisdiction.ENGLAND, tenant_id=tenant_id, rule_set_id=rule_set_id).to_json()
    return InterventionRuleSet.model_validate({**ladder, "stages": [*ladder["stages"], REFERRAL]})


OLD_PENALTY_STAGE = {
    "order": 4, "type": "ESCALATION", "name": "Consider a penalty notice or a notice to improve",
    "letterTemplateKey": "eng-notice-to-improve",
    "entry": {"type": "absenceCountThreshold", "threshold": 10, "unit": "sessions", "categories": ["penalty"],
              "windowSchoolWeeks": 10},
    "waitSchoolDays": 0, "requiresApproval": True,
    "stopConditions": [{"type": "caseResolved"}, {"type": "exemptionActive"}, {"type": "entryNoLongerMet"}]}


def england_with_old_penalty_stage(*, tenant_id: str, rule_set_id: str) -> InterventionRuleSet:
    """The England ladder as shipped before penalty notices became their own track: stage 4 is
    "consider a penalty notice", stopped when its entry no longer holds (a school may keep it)."""
    ladder = preset_for(Jurisdiction.ENGLAND, tenant_id=tenant_id, rule_set_id=rule_set_id).to_json()
    return InterventionRuleSet.model_validate({**ladder, "stages": [*ladder["stages"], OLD_PENALTY_STAGE]})
