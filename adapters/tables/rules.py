"""Intervention rule sets, every version kept.

`rulesets`: PartitionKey `tenant`, RowKey `ruleSetId|000001` (the version, zero-padded so the
versions of one rule set sort in order and form one RowKey range). Properties: `ruleSetJson`
(`InterventionRuleSet.to_json()`), `ruleSetId`, `version`, `active`, `latest` (only the newest
version has it true), `tenantWide`, `schoolId`, `jurisdiction`, `name`.

A new version is one entity-group transaction: the current newest row loses `latest`, guarded
by the ETag the caller read it with, and the new row is inserted; two editors racing from the
same version cannot both win. A rule set's ETag is its newest row's ETag, so activating it
(which rewrites that row) also makes an earlier ETag stale.
"""

from __future__ import annotations

import json
from typing import Any

from azure.core import MatchConditions
from azure.data.tables import UpdateMode

from adapters.storage.keys import key, prefix_range
from adapters.storage.tables import Entity, Table
from domain.platform.errors import AlreadyExists, ConcurrencyError, NotFound, ValidationFailed
from domain.rules import InterventionRuleSet, parse_rule_set

TABLE = "rulesets"
# Table storage keeps a string property in at most 64 KiB of UTF-16.
MAX_JSON_BYTES = 64 * 1024

Versioned = tuple[InterventionRuleSet, str]  # a rule set and the ETag of its row


def _row_key(rule_set_id: str, version: int) -> str:
    return key(rule_set_id, f"{version:06d}")


def _json(rule_set: InterventionRuleSet) -> str:
    text = json.dumps(rule_set.to_json(), separators=(",", ":"), ensure_ascii=False)
    size = len(text.encode("utf-16-le"))
    if size > MAX_JSON_BYTES:
        raise ValidationFailed(f"the rule set takes {size} bytes stored, over the limit of "
                               f"{MAX_JSON_BYTES}: shorten descriptions, sources or conditions",
                               field="stages")
    return text


def _entity(rule_set: InterventionRuleSet, *, latest: bool) -> dict[str, Any]:
    if rule_set.tenant_id is None:
        raise ValueError("a stored rule set belongs to a tenant")
    return {"PartitionKey": key(rule_set.tenant_id), "RowKey": _row_key(rule_set.id, rule_set.version),
            "ruleSetJson": _json(rule_set), "ruleSetId": rule_set.id, "version": rule_set.version,
            "active": rule_set.active, "latest": latest, "tenantWide": rule_set.school_id is None,
            "schoolId": rule_set.school_id, "jurisdiction": rule_set.jurisdiction.value,
            "name": rule_set.name}


def _rule_set(row: Entity) -> InterventionRuleSet:
    # `active` lives in the JSON too; the property is what queries filter on, written together
    return parse_rule_set(row["ruleSetJson"])


class TableRuleSets:
    """services.rules.ports.RuleSetReader plus the writes of services/rules/service.py."""

    def __init__(self, table: Table) -> None:
        self._table = table

    # -- RuleSetReader
    def active_for_school(self, tenant_id: str, school_id: str) -> list[InterventionRuleSet]:
        rows = self._table.query(
            "PartitionKey eq @pk and latest eq true and active eq true and "
            "( tenantWide eq true or schoolId eq @school )",
            parameters={"pk": key(tenant_id), "school": school_id})
        return [_rule_set(r) for r in rows]

    def version(self, tenant_id: str, rule_set_id: str, version: int) -> InterventionRuleSet:
        row = self._table.find(key(tenant_id), _row_key(rule_set_id, version))
        if row is None:
            raise NotFound(f"no version {version} of rule set {rule_set_id!r}")
        return _rule_set(row)

    # -- reads for the service
    def newest(self, tenant_id: str, rule_set_id: str) -> Versioned | None:
        low, high = prefix_range(key(rule_set_id, ""))
        rows = list(self._table.query(
            "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi and latest eq true",
            parameters={"pk": key(tenant_id), "lo": low, "hi": high}))
        if not rows:
            return None
        row = max(rows, key=lambda r: r["version"])  # one, unless a write was torn (it cannot be)
        return _rule_set(row), row.etag or ""

    def listing(self, tenant_id: str, school_id: str | None) -> list[Versioned]:
        """The newest version of each rule set: all of them (school_id None), or the tenant's
        and that school's."""
        filter_ = "PartitionKey eq @pk and latest eq true"
        params = {"pk": key(tenant_id)}
        if school_id is not None:
            filter_ += " and ( tenantWide eq true or schoolId eq @school )"
            params["school"] = school_id
        rows = self._table.query(filter_, parameters=params)
        return sorted(((_rule_set(r), r.etag or "") for r in rows), key=lambda v: v[0].id)

    # -- writes
    def create(self, rule_set: InterventionRuleSet) -> str:
        """Version 1 of a new rule set; raises AlreadyExists when the id is taken."""
        if self.newest(rule_set.tenant_id or "", rule_set.id) is not None:
            raise AlreadyExists(f"rule set {rule_set.id!r} exists")
        return self._table.insert(_entity(rule_set, latest=True))

    def add_version(self, rule_set: InterventionRuleSet, etag: str) -> str:
        """Store `rule_set` (version n+1) if version n's row still has `etag`; raises
        ConcurrencyError when it changed (another edit or an activation came first)."""
        previous = {"PartitionKey": key(rule_set.tenant_id or ""),
                    "RowKey": _row_key(rule_set.id, rule_set.version - 1), "latest": False}
        guard = {"mode": UpdateMode.MERGE, "etag": etag, "match_condition": MatchConditions.IfNotModified}
        new = _entity(rule_set, latest=True)
        try:
            self._table.submit([("update", previous, guard), ("create", new)])
        except AlreadyExists as exc:  # version n+1 written by a racing edit
            raise ConcurrencyError("the rule set changed since it was read") from exc
        return self._table.get(new["PartitionKey"], new["RowKey"]).etag or ""

    def replace_newest(self, rule_set: InterventionRuleSet, etag: str) -> str:
        """Rewrite the newest version in place (its active flag); ETag-conditional."""
        return self._table.update(_entity(rule_set, latest=True), etag=etag)
