"""Stored letter templates: `lettertemplates`, PartitionKey `key(tenant)`, RowKey
`key(templateKey, language, schoolId or "-", version zero-padded to 6 digits)`.

One partition per tenant, so a tenant's templates (district ones and every school's overrides,
every version) are one partition read; the padded version keeps a template's versions in order.
A row replaces a shipped starter of the same identity (services/letters/templates/source.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from adapters.storage.keys import key
from adapters.storage.tables import Entity, Table
from domain.letters.templates import LetterTemplate

TABLE = "lettertemplates"
DISTRICT = "-"  # the school part of a district template's row key (school ids never are "-")


def row_key(template_key: str, language: str, school_id: str | None, version: int) -> str:
    return key(template_key, language, school_id or DISTRICT, f"{version:06d}")


def _entity(tenant_id: str, t: LetterTemplate) -> dict[str, Any]:
    return {"PartitionKey": key(tenant_id),
            "RowKey": row_key(t.key, t.language, t.school_id, t.version),
            "templateKey": t.key, "version": t.version, "language": t.language,
            "schoolId": t.school_id, "body": t.body, "lastEditedBy": t.last_edited_by,
            "effectiveFrom": t.effective_from.isoformat(),
            "mergeFields": json.dumps(dict(t.merge_fields), sort_keys=True),
            "status": t.status.value, "lockScope": t.lock_scope.value,
            "approvedBy": t.approved_by,
            "approvedAt": t.approved_at.isoformat() if t.approved_at else None,
            "machineTranslated": t.machine_translated, "translatedFrom": t.translated_from}


def _template(row: Entity) -> LetterTemplate:
    return LetterTemplate(
        key=row["templateKey"], version=int(row["version"]), body=row["body"],
        language=row["language"], last_edited_by=row["lastEditedBy"],
        effective_from=date.fromisoformat(row["effectiveFrom"]),
        merge_fields=json.loads(row.get("mergeFields") or "{}"), status=row["status"],
        lock_scope=row["lockScope"], school_id=row.get("schoolId") or None,
        approved_by=row.get("approvedBy") or None,
        approved_at=datetime.fromisoformat(row["approvedAt"]) if row.get("approvedAt") else None,
        machine_translated=bool(row.get("machineTranslated")),
        translated_from=row.get("translatedFrom") or None, etag=row.etag)


class TableLetterTemplates:
    def __init__(self, table: Table) -> None:
        self._table = table

    def all(self, tenant_id: str) -> list[LetterTemplate]:
        """Every stored template of the tenant, with ETags, in row-key order (one partition read)."""
        return [_template(row) for row in self._table.partition(key(tenant_id))]

    def insert(self, tenant_id: str, template: LetterTemplate) -> LetterTemplate:
        """Raises AlreadyExists when that key, language, school and version is stored."""
        return replace(template, etag=self._table.insert(_entity(tenant_id, template)))

    def replace(self, tenant_id: str, template: LetterTemplate) -> LetterTemplate:
        """Conditional on the template's ETag (ConcurrencyError when the row changed meanwhile)."""
        if not template.etag:
            raise ValueError("replace needs the ETag the template was read with")
        etag = self._table.update(_entity(tenant_id, template), etag=template.etag)
        return replace(template, etag=etag)
