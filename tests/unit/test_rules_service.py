"""services/rules/service.py with an in-memory store: who may manage which rule set, versions, presets
and the audit trail."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from domain.platform.access import Principal, Role
from domain.platform.errors import AlreadyExists, ConcurrencyError, Forbidden, NotFound, ValidationFailed
from domain.roster.schools import School
from domain.rules import InterventionRuleSet
from domain.rules.validation import RuleSetInvalid
from services.platform.audit import AuditLog
from services.platform.ports import FixedClock
from services.rules.service import RuleSets
from tests.fakes_attendance import FakeAuditRepository, FakeRoster, Trips
from tests.rules_payloads import DRAFT, rule_set

T = "t1"
_etags = itertools.count(1)


class FakeRuleSetStore:
    """Every version by (tenant, id); the newest carries the ETag."""

    def __init__(self) -> None:
        self.versions: dict[tuple[str, str], list[InterventionRuleSet]] = {}
        self.etags: dict[tuple[str, str], str] = {}

    def _tag(self, rule_set: InterventionRuleSet) -> str:
        slot = (rule_set.tenant_id or "", rule_set.id)
        self.etags[slot] = f"e{next(_etags)}"
        return self.etags[slot]

    def active_for_school(self, tenant_id: str, school_id: str) -> list[InterventionRuleSet]:
        return [v[-1] for (t, _), v in self.versions.items()
                if t == tenant_id and v[-1].active and v[-1].school_id in (None, school_id)]

    def version(self, tenant_id: str, rule_set_id: str, version: int) -> InterventionRuleSet:
        found = [r for r in self.versions.get((tenant_id, rule_set_id), []) if r.version == version]
        if not found:
            raise NotFound("no such version")
        return found[0]

    def newest(self, tenant_id: str, rule_set_id: str) -> tuple[InterventionRuleSet, str] | None:
        found = self.versions.get((tenant_id, rule_set_id))
        return (found[-1], self.etags[(tenant_id, rule_set_id)]) if found else None

    def listing(self, tenant_id: str, school_id: str | None) -> list[tuple[InterventionRuleSet, str]]:
        return [(v[-1], self.etags[k]) for k, v in sorted(self.versions.items())
                if k[0] == tenant_id and (school_id is None or v[-1].school_id in (None, school_id))]

    def create(self, rule_set: InterventionRuleSet) -> str:
        slot = (rule_set.tenant_id or "", rule_set.id)
        if slot in self.versions:
            raise AlreadyExists("taken")
        self.versions[slot] = [rule_set]
        return self._tag(rule_set)

    def add_version(self, rule_set: InterventionRuleSet, etag: str) -> str:
        slot = (rule_set.tenant_id or "", rule_set.id)
        if self.etags[slot] != etag:
            raise ConcurrencyError("changed")
        self.versions[slot].append(rule_set)
        return self._tag(rule_set)

    def replace_newest(self, rule_set: InterventionRuleSet, etag: str) -> str:
        slot = (rule_set.tenant_id or "", rule_set.id)
        if self.etags[slot] != etag:
            raise ConcurrencyError("changed")
        self.versions[slot][-1] = rule_set
        return self._tag(rule_set)


def school(school_id: str, jurisdiction: str = "ENG") -> School:
    return School(tenant_id=T, school_id=school_id, name="A school", jurisdiction=jurisdiction,
                  time_zone="Europe/London")


@pytest.fixture
def audit() -> FakeAuditRepository:
    return FakeAuditRepository()


@pytest.fixture
def service(audit: FakeAuditRepository) -> RuleSets:
    roster = FakeRoster(Trips(), school("s1"), [], [], more_schools=[school("s2"), school("ie", "IE")])
    ids = (f"rs-{i}" for i in itertools.count(1))
    return RuleSets(FakeRuleSetStore(), roster, AuditLog(audit, FixedClock(datetime(2024, 9, 2, tzinfo=UTC))),
                    new_id=lambda: next(ids))


DISTRICT = Principal("d", T, frozenset({Role.DISTRICT_ADMIN}))
HEAD = Principal("h", T, frozenset({Role.SCHOOL_ADMIN}), frozenset({"s1"}))


def test_create_makes_version_1_with_the_servers_tenant_school_and_id(service, audit):  # type: ignore[no-untyped-def]
    made, _ = service.create(HEAD, T, "s1", {**DRAFT, "tenantId": "elsewhere", "version": 7})
    assert (made.id, made.tenant_id, made.school_id, made.version) == ("rs-1", T, "s1", 1)
    [entry] = audit.records
    assert (entry.action, entry.entity_id, entry.actor, entry.after["version"]) == (
        "ruleset.created", "rs-1", "h", 1)


def test_tenant_rule_sets_are_district_admins_alone(service):  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        service.create(HEAD, T, None, DRAFT)
    made, etag = service.create(DISTRICT, T, None, DRAFT)
    with pytest.raises(Forbidden):
        service.edit(HEAD, T, made.id, DRAFT, etag)
    with pytest.raises(Forbidden):
        service.set_active(HEAD, T, made.id, False)
    assert service.get(HEAD, T, made.id)[0] == made  # but they read it


def test_another_schools_rule_set_reads_as_absent(service):  # type: ignore[no-untyped-def]
    other, etag = service.create(DISTRICT, T, "s2", DRAFT)
    for act in (lambda: service.get(HEAD, T, other.id), lambda: service.edit(HEAD, T, other.id, DRAFT, etag),
                lambda: service.set_active(HEAD, T, other.id, False)):
        with pytest.raises(NotFound):
            act()


def test_edit_makes_a_new_version_keeping_school_jurisdiction_and_the_active_flag(service, audit):  # type: ignore[no-untyped-def]
    made, etag = service.create(HEAD, T, "s1", DRAFT)
    _, etag = service.set_active(HEAD, T, made.id, False)
    with pytest.raises(ConcurrencyError):
        service.edit(HEAD, T, made.id, DRAFT, "stale")
    with pytest.raises(ValidationFailed) as refused:
        service.edit(HEAD, T, made.id, {**DRAFT, "jurisdiction": "IE"}, etag)
    assert refused.value.field == "jurisdiction"
    v2, _ = service.edit(HEAD, T, made.id, rule_set(name="Renamed", active=True), etag)
    assert (v2.version, v2.name, v2.school_id, v2.active) == (2, "Renamed", "s1", False)
    assert service.get(HEAD, T, made.id, 1) == (made.model_copy(update={"active": False}), None)
    assert [r.action for r in audit.records] == ["ruleset.created", "ruleset.deactivated", "ruleset.edited"]
    assert (audit.records[-1].before["version"], audit.records[-1].after["version"]) == (1, 2)


def test_an_invalid_body_names_the_field_and_stores_nothing(service, audit):  # type: ignore[no-untyped-def]
    with pytest.raises(RuleSetInvalid) as refused:
        service.create(HEAD, T, "s1", rule_set(first=0))
    assert refused.value.field == "stages[0].entry.threshold"
    assert service.list(T, None) == [] and audit.records == []


def test_presets_install_once_per_scope_and_must_match_the_schools_jurisdiction(service, audit):  # type: ignore[no-untyped-def]
    (first, _), created = service.install_preset(DISTRICT, T, None, "ENG")
    (again, _), created_again = service.install_preset(DISTRICT, T, None, "ENG")
    assert (created, created_again, first, first.id) == (True, False, again, "preset-eng")
    (ie, _), _ = service.install_preset(DISTRICT, T, "ie", "IE")
    assert (ie.id, ie.school_id) == ("preset-ie-ie", "ie")
    # each jurisdiction's tracks: the support ladder and the statutory tracks beside it
    assert {(r.id, r.track.value) for r, _ in service.list(T, "ie")} == {
        ("preset-eng", "SUPPORT"), ("preset-eng-penalty", "STATUTORY"), ("preset-ie-ie", "SUPPORT"),
        ("preset-ie-tusla-20-days-ie", "STATUTORY"), ("preset-ie-suspension-ie", "STATUTORY")}
    with pytest.raises(ValidationFailed) as wrong:
        service.install_preset(HEAD, T, "s1", "IE")
    assert wrong.value.field == "jurisdiction"
    with pytest.raises(Forbidden):
        service.install_preset(HEAD, T, None, "ENG")
    assert [r.action for r in audit.records] == ["ruleset.preset_installed"] * 5


def _pre_track_england(**changes):  # type: ignore[no-untyped-def]
    """The England ladder as installed before tracks: the penalty stage as its stage 4."""
    from domain.rules import load_preset

    ladder = load_preset("ENG").to_json()
    old_stage = {"order": 4, "type": "ESCALATION", "name": "Consider a penalty notice",
                 "entry": {"type": "absenceCountThreshold", "threshold": 10, "unit": "sessions",
                           "categories": ["penalty"], "windowSchoolWeeks": 10},
                 "waitSchoolDays": 0, "stopConditions": [{"type": "entryNoLongerMet"}]}
    return InterventionRuleSet.model_validate({**ladder, "id": "preset-eng", "tenantId": T,
                                               "stages": [*ladder["stages"], old_stage], **changes})


def test_installing_again_migrates_an_unedited_pre_track_england_ladder(service, audit):  # type: ignore[no-untyped-def]
    service._store.create(_pre_track_england())
    (ladder, _), created = service.install_preset(DISTRICT, T, None, "ENG")
    assert created and (ladder.version, len(ladder.stages)) == (2, 3)
    assert len(service.get(DISTRICT, T, "preset-eng", 1)[0].stages) == 4  # running instances keep it
    assert [r.action for r in audit.records] == ["ruleset.migrated", "ruleset.preset_installed"]
    (again, _), created_again = service.install_preset(DISTRICT, T, None, "ENG")
    assert (again.version, created_again) == (2, False)


def test_an_edited_pre_track_ladder_is_left_alone(service, audit):  # type: ignore[no-untyped-def]
    service._store.create(_pre_track_england(version=2))
    (ladder, _), created = service.install_preset(DISTRICT, T, None, "ENG")
    assert created and (ladder.version, len(ladder.stages)) == (2, 4)  # only the legal track added
    assert [r.action for r in audit.records] == ["ruleset.preset_installed"]


def test_installing_again_migrates_an_unedited_pre_track_irish_ladder(service, audit):  # type: ignore[no-untyped-def]
    from domain.rules import load_preset

    ladder = load_preset("IE").to_json()
    report = {"order": 3, "type": "ESCALATION", "name": "Report to Tusla: 20 days absent (s.21(4)(b))",
              "letterTemplateKey": "ie-tusla-report", "waitSchoolDays": 0,
              "entry": {"type": "absenceCountThreshold", "threshold": 20, "unit": "days",
                        "categories": ["any"]}}
    service._store.create(InterventionRuleSet.model_validate(
        {**ladder, "id": "preset-ie-ie", "tenantId": T, "schoolId": "ie",
         "stages": [*ladder["stages"], report]}))
    (letters, _), created = service.install_preset(DISTRICT, T, "ie", "IE")
    assert created and letters.version == 2
    assert [s.type.value for s in letters.stages] == ["LETTER_1", "LETTER_2"]
    assert {r.id for r, _ in service.list(T, "ie")} >= {"preset-ie-tusla-20-days-ie",
                                                        "preset-ie-suspension-ie"}
