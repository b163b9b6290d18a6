"""Rule sets as a product: create, edit (a new version each time), activate, list, read, and
install jurisdiction presets, for a tenant or one of its schools. Every change is audited.

Who manages what: tenant-wide rule sets (no school) only a district admin; a school's own rule
sets any admin whose scope covers that school. Outside the caller's scope a rule set reads as
absent (404), as every entity loaded by id does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from domain.platform.access import Principal
from domain.platform.errors import AlreadyExists, ConcurrencyError, Forbidden, NotFound, ValidationFailed
from domain.roster.schools import Jurisdiction
from domain.rules import InterventionRuleSet, StageType, Track, load_presets, parse_rule_set, preset_for
from domain.rules.conditions import AbsenceCountThreshold, Condition
from services.platform.audit import AuditLog
from services.roster.ports import RosterReader
from services.rules.ports import RuleSetStore, Versioned

ENTITY = "ruleSet"


def _summary(rule_set: InterventionRuleSet) -> dict[str, Any]:
    """What the audit keeps: the identity and state, not the whole rule text."""
    return {"version": rule_set.version, "active": rule_set.active, "name": rule_set.name,
            "jurisdiction": rule_set.jurisdiction.value, "schoolId": rule_set.school_id}


def ensure_visible(principal: Principal, rule_set: InterventionRuleSet) -> None:
    if rule_set.school_id is not None and not principal.covers(rule_set.school_id):
        raise NotFound("no such rule set")


def ensure_manageable(principal: Principal, school_id: str | None) -> None:
    if school_id is None and not principal.tenant_wide:
        raise Forbidden("tenant-wide rule sets are managed by district admins; name your school "
                        "with schoolId to manage its own rule sets", field="schoolId")
    if school_id is not None and not principal.covers(school_id):
        raise NotFound("no such rule set")


class RuleSets:
    def __init__(self, store: RuleSetStore, roster: RosterReader, audit: AuditLog,
                 new_id: Callable[[], str] = lambda: "rs-" + uuid.uuid4().hex[:12]) -> None:
        self._store, self._roster, self._audit, self._new_id = store, roster, audit, new_id

    def list(self, tenant_id: str, school_id: str | None) -> list[Versioned]:
        return self._store.listing(tenant_id, school_id)

    def get(self, principal: Principal, tenant_id: str, rule_set_id: str,
            version: int | None = None) -> tuple[InterventionRuleSet, str | None]:
        """The newest version with its ETag, or an exact version (with the ETag only if newest)."""
        newest = self._newest(principal, tenant_id, rule_set_id)
        if version is None or version == newest[0].version:
            return newest
        return self._store.version(tenant_id, rule_set_id, version), None

    def create(self, principal: Principal, tenant_id: str, school_id: str | None,
               body: Mapping[str, Any]) -> Versioned:
        """`id` may come in the body (409 when taken) or is made up. The tenant, school and
        version are the server's."""
        ensure_manageable(principal, school_id)
        rule_set = parse_rule_set({**body, "id": body.get("id") or self._new_id(), "tenantId": tenant_id,
                                   "schoolId": school_id, "version": 1})
        self._check_school(tenant_id, school_id, rule_set.jurisdiction)
        etag = self._store.create(rule_set)
        self._record(principal, rule_set, "ruleset.created", None)
        return rule_set, etag

    def edit(self, principal: Principal, tenant_id: str, rule_set_id: str, body: Mapping[str, Any],
             if_match: str) -> Versioned:
        """Version n+1 from the body, if `if_match` is version n's ETag (else 412). The id,
        school, jurisdiction and active flag stay; older versions stay readable."""
        current, etag = self._newest(principal, tenant_id, rule_set_id)
        ensure_manageable(principal, current.school_id)
        if if_match != etag:
            raise ConcurrencyError("the rule set changed since you read it: fetch it again")
        rule_set = parse_rule_set({**body, "id": rule_set_id, "tenantId": tenant_id,
                                   "schoolId": current.school_id, "version": current.version + 1,
                                   "active": current.active})
        if rule_set.jurisdiction is not current.jurisdiction:
            raise ValidationFailed(f"a rule set keeps its jurisdiction ({current.jurisdiction.value})",
                                   field="jurisdiction")
        new_etag = self._store.add_version(rule_set, if_match)  # the store checks it again, atomically
        self._record(principal, rule_set, "ruleset.edited", current)
        return rule_set, new_etag

    def set_active(self, principal: Principal, tenant_id: str, rule_set_id: str, active: bool) -> Versioned:
        """Flip the newest version's flag in place (no new version); a no-op when already so."""
        current, etag = self._newest(principal, tenant_id, rule_set_id)
        ensure_manageable(principal, current.school_id)
        if current.active is active:
            return current, etag
        changed = current.model_copy(update={"active": active})
        new_etag = self._store.replace_newest(changed, etag)
        self._record(principal, changed, "ruleset.activated" if active else "ruleset.deactivated", current)
        return changed, new_etag

    def install_preset(self, principal: Principal, tenant_id: str, school_id: str | None,
                       jurisdiction: str) -> tuple[Versioned, bool]:
        """Copy a jurisdiction's presets into the tenant (or one school): its support ladder and
        its statutory tracks, one rule set each. Their ids are fixed per track and school, so
        installing again returns the support ladder installed (False) and adds only a track
        missing (then True). A stored ladder still in the shipped pre-track shape (England's
        penalty stage 4, Ireland's 20-day stage 3; never edited) gets a new version without
        that stage, since a statutory track now does its job (docs/rules.md, "Tracks")."""
        try:
            kind = Jurisdiction(jurisdiction)
        except ValueError:
            known = ", ".join(j.value for j in Jurisdiction)
            raise ValidationFailed(f"no preset for {jurisdiction!r}; one of {known}",
                                   field="jurisdiction") from None
        ensure_manageable(principal, school_id)
        self._check_school(tenant_id, school_id, kind)
        suffix = f"-{school_id}" if school_id else ""
        templates = load_presets(kind)
        installed = [self._install(principal, tenant_id, school_id, kind, template.id + suffix, template,
                                   templates[1:])
                     for template in templates]
        return installed[0][0], any(created for _, created in installed)

    def _install(self, principal: Principal, tenant_id: str, school_id: str | None, kind: Jurisdiction,
                 rule_set_id: str, template: InterventionRuleSet,
                 statutory: tuple[InterventionRuleSet, ...]) -> tuple[Versioned, bool]:
        found = self._store.newest(tenant_id, rule_set_id)
        if found is not None:
            return self._migrated(principal, found, template, statutory), False
        rule_set = preset_for(kind, tenant_id=tenant_id, rule_set_id=rule_set_id, school_id=school_id,
                              template=template)
        try:
            etag = self._store.create(rule_set)
        except AlreadyExists:  # a concurrent install won: theirs is the one
            again = self._store.newest(tenant_id, rule_set_id)
            if again is None:
                raise
            return again, False
        self._record(principal, rule_set, "ruleset.preset_installed", None)
        return (rule_set, etag), True

    def _migrated(self, principal: Principal, found: Versioned, template: InterventionRuleSet,
                  statutory: tuple[InterventionRuleSet, ...]) -> Versioned:
        current, etag = found
        if not _pre_track_ladder(current, template, statutory):
            return found
        rule_set = current.model_copy(update={"version": current.version + 1, "stages": template.stages,
                                              "name": template.name, "description": template.description,
                                              "sources": template.sources})
        try:
            new_etag = self._store.add_version(rule_set, etag)
        except ConcurrencyError:  # someone else changed it meanwhile: theirs stands
            return self._store.newest(current.tenant_id or "", current.id) or found
        self._record(principal, rule_set, "ruleset.migrated", current)
        return rule_set, new_etag

    def _newest(self, principal: Principal, tenant_id: str, rule_set_id: str) -> Versioned:
        found = self._store.newest(tenant_id, rule_set_id)
        if found is None:
            raise NotFound("no such rule set")
        ensure_visible(principal, found[0])
        return found

    def _check_school(self, tenant_id: str, school_id: str | None, jurisdiction: Jurisdiction) -> None:
        if school_id is None:
            return
        school = self._roster.school(tenant_id, school_id)
        if school.jurisdiction is not jurisdiction:
            raise ValidationFailed(f"school {school_id} follows {school.jurisdiction.value} rules, "
                                   f"not {jurisdiction.value}", field="jurisdiction")

    def _record(self, principal: Principal, rule_set: InterventionRuleSet, action: str,
                before: InterventionRuleSet | None) -> None:
        self._audit.record(actor=principal, tenant_id=rule_set.tenant_id or principal.tenant_id,
                           school_id=rule_set.school_id, action=action, entity_type=ENTITY,
                           entity_id=rule_set.id, before=_summary(before) if before else None,
                           after=_summary(rule_set))


def _pre_track_ladder(stored: InterventionRuleSet, template: InterventionRuleSet,
                      statutory: tuple[InterventionRuleSet, ...]) -> bool:
    """A support ladder installed from a preset before tracks and never edited: the template's
    stages plus a last ESCALATION stage on what is now a statutory track's entry (England's
    penalty stage 4, Ireland's 20-day report as stage 3)."""
    if (stored.version != 1 or stored.track is not Track.SUPPORT or template.track is not Track.SUPPORT
            or len(stored.stages) != len(template.stages) + 1):
        return False
    last = stored.stages[-1]
    duties = {_unlisted(stage.entry) for track in statutory for stage in track.stages}
    return (stored.stages[:-1] == template.stages and last.type is StageType.ESCALATION
            and _unlisted(last.entry) in duties)


def _unlisted(entry: Condition) -> Condition:
    """The entry without `listSessions`, which the old stages did not have."""
    if isinstance(entry, AbsenceCountThreshold):
        return entry.model_copy(update={"list_sessions": None})
    return entry
